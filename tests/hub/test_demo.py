"""The README's main job, end to end: `simpul demo` on a fresh SQLite file."""

import json

import pytest
from typer.testing import CliRunner

from hub.cli import app


@pytest.mark.slow
def test_demo_writes_every_report_and_separates_the_quality_profiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIMPUL_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setenv("SIMPUL_OUTPUT_DIR", str(tmp_path / "out"))
    from hub.settings import get_settings

    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["--lang", "en", "demo", "--latency", "0.3"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    summary = json.loads((out / "summary.json").read_text())

    # every resource of the five applications was pulled and validated, the legacy spreadsheet included
    pulled = {(p["app"], p["resource"]): p for p in summary["pulls"]}
    assert pulled[("simpeg", "pegawai")]["valid"] > 0
    assert all(p["read"] > 0 and p["error"] is None for p in summary["pulls"])

    # the assessment tells the clean application from the fragile and the legacy one
    by_app = {a["app"]: a for a in summary["assessments"]}
    assert by_app["e-planning"]["failed"] == 0
    assert by_app["jdih"]["failed"] > 0
    assert int(by_app["simpeg"]["scores"]["INT"]) < int(by_app["e-planning"]["scores"]["INT"])

    for name in ("inventaris.html", "inventaris.xlsx", "rencana-aplikasi.docx", "inventaris.md", "inventaris.json"):
        assert (out / "inventory" / name).stat().st_size > 0
    assert summary["inventory"]["gaps"] > 0
    assert summary["inventory"]["indicative_cost"] > 0 and summary["inventory"]["years"]
    assert (out / "assessment" / "e-planning.html").exists()

    # Monev: JDIH's error handling was fixed between the two snapshots, and the worksheet says so
    monev = summary["monev"]
    assert monev is not None and monev["improved"] == {"app": "jdih", "profile": "fragile → good"}
    assert summary["reassessments"][0]["app"] == "jdih" and summary["reassessments"][0]["failed"] < by_app["jdih"][
        "failed"]
    assert "REL-003" in monev["checks_fixed"]  # bad input now gets a 4xx, not a 500 with a traceback
    assert any(m["standard"] == "reliable" and m["crossed"] == "up" for m in monev["score_moves"])
    assert monev["works"] and monev["improve"]
    for fmt in ("md", "html", "xlsx", "docx", "json"):
        assert (out / "monev" / f"kertas-kerja-monev.{fmt}").stat().st_size > 0
    worksheet = (out / "monev" / "kertas-kerja-monev.md").read_text()
    assert "What works" in worksheet and "What doesn't work" in worksheet and "What should be improved" in worksheet
    assert "JDIH Kota Blitar" in worksheet and "REL-003" in worksheet
    inventory = json.loads((out / "inventory" / "inventaris.json").read_text())
    assert inventory["monev"]["label_b"] == "After the JDIH fix" and inventory["plan"]["total"] > 0
    assert (out / "assessment" / "jdih.sebelum.html").exists()  # the first run's report is kept
    assert "Monev: jdih fixed" in result.output
    assert "Done." in result.output
    # and the account to open the web workspace with
    assert summary["web"] == {"url": "http://127.0.0.1:8000/", "username": "demo"} and "'demo'" in result.output
