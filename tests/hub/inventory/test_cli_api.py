"""``simpul inventory`` / ``simpul monev`` and /v1/inventory as an auditor meets them (sample registry loaded)."""

from __future__ import annotations

import io
import json

import pytest
import structlog
from openpyxl import load_workbook
from typer.testing import CliRunner

from hub.cli import app

from .factories import run

runner = CliRunner()
Q1 = {"e-planning": run("e-planning", {"interoperable": 60}, checks={"INT-001": "fail"}, run_id="q1")}
Q2 = {"e-planning": run("e-planning", {"interoperable": 85, "integrateable": 90}, checks={"INT-001": "pass"},
                        run_id="q2")}


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


def cli(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def save(folder, runs):  # type: ignore[no-untyped-def]
    folder.mkdir(parents=True, exist_ok=True)
    for app_id, r in runs.items():
        (folder / f"{app_id}.json").write_text(r.model_dump_json())
    return folder


def test_cli_inventory_with_runs_writes_the_workbook(registry_loaded, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "iv-c.xlsx"
    r = cli("inventory", "--pemda", "35.72", "--runs", str(save(tmp_path / "q2", Q2)), "--format", "xlsx",
            "--out", str(out), "--as-of", "2025-07-01")
    assert r.exit_code == 0, r.output
    assert "RA-BAIK" in r.output and "1 aplikasi dinilai" in r.output
    wb = load_workbook(out)
    assert "Kesenjangan (Tabel II.11)" in wb.sheetnames


def test_cli_inventory_markdown_to_stdout_in_english_with_monev(registry_loaded, tmp_path):  # type: ignore[no-untyped-def]
    r = cli("--lang", "en", "inventory", "--pemda", "35.72", "--runs", str(save(tmp_path / "q2", Q2)),
            "--before", str(save(tmp_path / "q1", Q1)), "--out", "-")
    assert r.exit_code == 0, r.output
    assert "# Smart e-Gov Application Gap Inventory — Kota Blitar" in r.output and "What works" in r.output


def test_cli_inventory_with_the_pemda_cost_table(registry_loaded, tmp_path):  # type: ignore[no-untyped-def]
    costs = tmp_path / "biaya.yaml"
    costs.write_text("regional_index: 0.9\n")
    out = tmp_path / "iv-c.json"
    r = cli("inventory", "--pemda", "35.72", "--costs", str(costs), "--format", "json", "--out", str(out),
            "--as-of", "2025-07-01")
    assert r.exit_code == 0, r.output
    plan = json.loads(out.read_text())["plan"]
    assert plan["regional_index"] == 0.9 and plan["first_year"] == 2026 and plan["total"] > 0


def test_cli_errors_are_one_line(registry_loaded, tmp_path):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    costs = tmp_path / "biaya.yaml"
    costs.write_text("programs:\n  GAP-007: {volume: {helikopter: 1}}\n")
    for args, text in [(("--runs", str(bad)), "bukan hasil penilaian"),
                       (("--costs", str(costs)), "Tabel biaya tidak dapat dipakai"),
                       (("--runs", str(tmp_path / "none")), "tidak ada"),
                       (("--format", "odt"), "Format 'odt' tidak dikenal"),
                       (("--format", "docx", "--out", "-"), "stdout"),
                       (("--as-of", "kemarin"), "YYYY-MM-DD")]:
        r = cli("inventory", "--pemda", "35.72", *args)
        assert r.exit_code == 2 and text in r.output, (args, r.output)
        assert "Traceback" not in r.output
    r = cli("inventory", "--pemda", "99.99")
    assert r.exit_code == 2 and "Traceback" not in r.output


def test_cli_monev(tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "monev.md"
    r = cli("monev", "--before", str(save(tmp_path / "q1", Q1)), "--after", str(save(tmp_path / "q2", Q2)),
            "--label-before", "TW I", "--label-after", "TW II", "--out", str(out))
    assert r.exit_code == 0, r.output
    text = out.read_text()
    assert "Monev TW I → TW II" in text and "INT-001" in text and "kini memenuhi ambang" in text


def test_api_inventory_for_auditors_and_admins_only(registry_api, registry_loaded, registry_key):  # type: ignore[no-untyped-def]
    assert registry_api.get("/v1/inventory?pemda=35.72").status_code == 401
    for role in ("vendor", "opd"):
        key = registry_key(role, kode_pemda="35.72", kode_opd="5.01.5.05.0.00.01.0000") if role == "opd" \
            else registry_key(role)
        assert registry_api.get("/v1/inventory?pemda=35.72", headers=key).status_code == 403
    auditor = registry_key("auditor")
    r = registry_api.get("/v1/inventory?pemda=35.72&as_of=2025-07-01", headers=auditor)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    data = r.json()
    assert data["pemda"]["name"] == "Kota Blitar" and len(data["readiness"]) == 8
    assert any(g["id"] == "GAP-006/e-pajak" for g in data["gaps"])
    assert "@" not in json.dumps(data["applications"])  # contact details never leave the registry this way
    r = registry_api.get("/v1/inventory?pemda=35.72&format=xlsx", headers=registry_key("admin"))
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert load_workbook(io.BytesIO(r.content)).sheetnames[0] == "Ringkasan"
    r = registry_api.get("/v1/inventory?pemda=35.72&format=html", headers={**auditor, "Accept-Language": "en"})
    assert '<html lang="en">' in r.text
    assert registry_api.get("/v1/inventory?pemda=99.99", headers=auditor).status_code == 404
    assert registry_api.get("/v1/inventory?pemda=35.72&format=odt", headers=auditor).status_code == 422


def test_api_inventory_uses_the_stored_runs(registry_api, registry_loaded, registry_key):  # type: ignore[no-untyped-def]
    from hub.api.routers.inventory import stored_runs

    registry_api.app.dependency_overrides[stored_runs] = lambda: Q2
    data = registry_api.get("/v1/inventory?pemda=35.72", headers=registry_key("auditor")).json()
    assert next(r for r in data["readiness"] if r["area"] == "perencanaan")["outcome"] == "baik"


def test_api_monev(registry_api, registry_loaded, registry_key):  # type: ignore[no-untyped-def]
    body = {"before": [json.loads(r.model_dump_json()) for r in Q1.values()],
            "after": [json.loads(r.model_dump_json()) for r in Q2.values()],
            "label_before": "TW I", "label_after": "TW II"}
    r = registry_api.post("/v1/inventory/monev", json=body, headers=registry_key("auditor"))
    assert r.status_code == 200, r.text
    ws = r.json()
    assert ws["label_b"] == "TW II" and any("INT-001" in e["text"]["id"] for e in ws["works"])
    r = registry_api.post("/v1/inventory/monev?format=md", json=body, headers=registry_key("auditor"))
    assert "Yang sudah berjalan baik" in r.text
    assert registry_api.post("/v1/inventory/monev", json={"before": []},
                             headers=registry_key("auditor")).status_code == 422
