"""/v1/federation and ``simpul federation`` as a provincial Diskominfo uses them, against real kota Simpuls."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import structlog
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.cli import app
from registry.db import Database

from .kit import Kota

runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


def cli(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


def test_api_members_pull_comparison_inventory(registry_api: TestClient, registry_key: Callable[..., dict[str, str]],
                                               kotas: list[Kota], monkeypatch: pytest.MonkeyPatch) -> None:
    admin, viewer = registry_key("admin"), registry_key("viewer")
    for kota in kotas[:2]:
        env = f"SIMPUL_FED_{kota.spec.kode.replace('.', '')}_KEY"
        monkeypatch.setenv(env, kota.token)
        body = {"name": kota.spec.name, "kode_pemda": kota.spec.kode, "base_url": kota.url, "key": {"env": env}}
        answer = registry_api.post("/v1/federation/members", json=body, headers=admin)
        assert answer.status_code == 201, answer.text
        assert answer.headers["Location"] == f"/v1/federation/members/{kota.spec.kode}"
        assert "token" not in answer.text and kota.token not in answer.text
    refused = registry_api.post("/v1/federation/members", headers=viewer, json={
        "name": "Kota Batu", "kode_pemda": "35.79", "base_url": "http://127.0.0.1:9", "key": {"env": "X_KEY"}})
    assert refused.status_code == 403 and "federation:manage" in refused.json()["detail"]
    assert registry_api.post("/v1/federation/pull", headers=viewer).status_code == 403
    bad = registry_api.post("/v1/federation/members", headers=admin, json={
        "name": "Kota Batu", "kode_pemda": "35.79", "base_url": "gopher://batu.example", "key": {"env": "X_KEY"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "base_url"
    nul = registry_api.post("/v1/federation/members", headers=admin, json={
        "name": "Kota\u0000Batu", "kode_pemda": "35.79", "base_url": "http://127.0.0.1:9", "key": {"env": "X_KEY"}})
    assert nul.status_code == 422 and nul.json()["errors"][0]["field"] == "name"
    assert registry_api.post("/v1/federation/pull", headers=admin, json={"members": ["a\u0000b"]}).status_code == 404

    pulled = registry_api.post("/v1/federation/pull", headers=admin, json={"members": ["Kota Malang"]}).json()
    assert [(p["kode_pemda"], p["ok"], p["applications"]) for p in pulled] == [("35.73", True, 2)]
    pulled = registry_api.post("/v1/federation/pull", headers=admin).json()
    assert [p["ok"] for p in pulled] == [True, True]

    members = registry_api.get("/v1/federation/members", headers=viewer, params={"lang": "en"}).json()
    assert [(m["kode_pemda"], m["status"], m["age"], m["applications"]) for m in members] == [
        ("35.72", "ok", "data just pulled", 3), ("35.73", "ok", "data just pulled", 2)]
    comp = registry_api.get("/v1/federation/comparison", headers=viewer).json()
    assert [(r["kode_pemda"], r["applications"], r["measured"]) for r in comp["rows"]] == [("35.72", 3, 2),
                                                                                          ("35.73", 2, 2)]
    assert comp["total"]["applications"] == 5 and comp["thresholds"]["interoperable"] == 75
    md = registry_api.get("/v1/federation/inventory", headers=viewer, params={"format": "md"})
    assert md.status_code == 200 and "SIPD-MALANG (Kota Malang)" in md.text
    inv = registry_api.get("/v1/federation/inventory", headers=viewer).json()
    assert inv["totals"]["registered"] == 5

    assert registry_api.get("/v1/federation/members/35.99", headers=viewer).status_code == 404
    assert registry_api.delete("/v1/federation/members/35.72", headers=viewer).status_code == 403
    assert registry_api.delete("/v1/federation/members/Kota Blitar", headers=admin).status_code == 204
    assert [m["kode_pemda"] for m in registry_api.get("/v1/federation/members", headers=admin).json()] == ["35.73"]


def test_cli_add_list_pull_status_inventory_remove(registry_db: Database, kotas: list[Kota], tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    blitar, _malang, kab = kotas
    monkeypatch.setenv("SIMPUL_FED_3572_KEY", blitar.token)
    monkeypatch.setenv("SIMPUL_FED_3505_KEY", kab.token)
    result = cli("federation", "add", "Kota Blitar", "--pemda", "35.72", "--url", blitar.url,
                 "--key-env", "SIMPUL_FED_3572_KEY")
    assert result.exit_code == 0, result.output
    assert "Anggota Kota Blitar (35.72) ditambahkan" in result.output
    assert cli("federation", "add", "Kabupaten Blitar", "--pemda", "35.05", "--url", kab.url,
               "--key-env", "SIMPUL_FED_3505_KEY").exit_code == 0
    again = cli("federation", "add", "Kota Blitar", "--pemda", "35.72", "--url", blitar.url,
                "--key-env", "SIMPUL_FED_3572_KEY")
    assert again.exit_code == 2 and "sudah ada" in again.output
    assert "belum pernah ditarik" in cli("federation", "list").output
    typo = cli("federation", "add", "Kota Batu", "--pemda", "3579", "--url", "http://127.0.0.1:9",
               "--key-env", "SIMPUL_FED_3579_KEY")
    assert typo.exit_code == 2 and "kode_pemda" in typo.output and "Traceback" not in typo.output
    refused = cli("federation", "add", "Kota Batu", "--pemda", "35.79", "--url", "ftp://batu.example",
                  "--key-env", "SIMPUL_FED_3579_KEY")
    assert refused.exit_code == 2 and "base_url" in refused.output

    pulled = cli("federation", "pull")
    assert pulled.exit_code == 0, pulled.output
    assert "Kota Blitar (35.72): 3 aplikasi, 2 hasil penilaian (2 baru)" in pulled.output
    status = cli("--lang", "en", "federation", "status")
    assert status.exit_code == 0, status.output
    assert "Province (all together)" in status.output and "data just pulled" in status.output
    data = json.loads(cli("federation", "status", "--format", "json").output)
    assert [(r["kode_pemda"], r["measured"]) for r in data["rows"]] == [("35.05", 1), ("35.72", 2)]

    out = tmp_path / "provinsi.md"
    written = cli("federation", "inventory", "--format", "md", "--output", str(out))
    assert written.exit_code == 0, written.output
    assert "E-PLANNING (Kota Blitar)" in out.read_text("utf-8")

    monkeypatch.delenv("SIMPUL_FED_3505_KEY")
    failed = cli("federation", "pull", "35.05")
    assert failed.exit_code == 1 and "SIMPUL_FED_3505_KEY" in failed.output and "salinan lama" in failed.output
    assert "gagal, salinan lama" in cli("federation", "list").output

    gone = cli("federation", "remove", "35.05")
    assert gone.exit_code == 0 and "dihapus" in gone.output
    missing = cli("federation", "remove", "35.06")
    assert missing.exit_code == 2
