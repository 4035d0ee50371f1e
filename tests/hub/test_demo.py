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
    assert (out / "assessment" / "e-planning.html").exists()
    assert "Done." in result.output
    # and the account to open the web workspace with
    assert summary["web"] == {"url": "http://127.0.0.1:8000/", "username": "demo"} and "'demo'" in result.output
