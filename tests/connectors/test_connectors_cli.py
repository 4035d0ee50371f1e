"""``simpul connectors list``, ``simpul check``, ``simpul discover``, ``simpul pull`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import respx
import structlog
import yaml
from typer.testing import CliRunner

from hub.cli import app

BASE = "https://simpeg.test/api"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    """``simpul`` binds its logger to the stderr of the moment; CliRunner closes that stream after each run."""
    yield
    structlog.reset_defaults()


def bapenda_spec(tmp_path: Path, rows: list[str]) -> Path:
    """A spreadsheet-folder application (Bapenda's pendapatan CSV export) with its mapping, as a user writes it."""
    exports = tmp_path / "ekspor"
    exports.mkdir()
    (exports / "pendapatan.csv").write_text(
        "ID;Tahun;Kode OPD;Kode Rekening;Uraian;Target\n" + "".join(f"{row}\n" for row in rows), encoding="utf-8")
    (tmp_path / "pendapatan.yaml").write_text(yaml.safe_dump({
        "schema": "penganggaran/pendapatan", "resource": "pendapatan",
        "fields": {"id_pendapatan": "id", "tahun_anggaran": {"from": "tahun", "type": "int"},
                   "kode_pemda": {"const": "35.72"}, "kode_opd": "kode_opd",
                   "kode_rekening": {"from": "kode_rekening", "code": "#.#.##.##.##.####"},
                   "uraian": "uraian", "target": {"from": "target", "type": "int"}}}), encoding="utf-8")
    spec = tmp_path / "bapenda.yaml"
    spec.write_text(yaml.safe_dump({"app": "bapenda", "connector": {"type": "spreadsheet", "config": {
        "folder": "ekspor"}}, "resources": {"pendapatan": {"file": "*.csv", "mapping_file": "pendapatan.yaml"}}}),
        encoding="utf-8")
    return spec


@pytest.fixture
def folder_spec(tmp_path: Path) -> Path:
    return bapenda_spec(tmp_path, [
        "PD-1;2025;5.02.0.00.0.00.01.0000;410109010001;Pajak Hotel;2.500.000.000",
        "PD-2;2025;5.02.0.00.0.00.01.0000;410110010001;Pajak Restoran;1.800.000.000",
        "PD-3;2025;5.02.0.00.0.00.01.0000;4101;Pajak Hiburan;banyak",
        "PD-4;2025;5.02.0.00.0.00.01.0000;410112010001;;900.000.000"])


@pytest.fixture
def rest_spec(tmp_path: Path) -> Path:
    spec = tmp_path / "simpeg.yaml"
    spec.write_text(yaml.safe_dump({"app": "simpeg", "connector": {"type": "rest_json", "config": {
        "base_url": BASE, "http": {"backoff_initial_s": 0, "max_attempts": 1}}},
        "resources": {"pegawai": {"path": "/pegawai"}}}), encoding="utf-8")
    return spec


def test_list_shows_every_connector_and_its_configuration() -> None:
    result = runner.invoke(app, ["--lang", "en", "connectors", "list"])
    assert result.exit_code == 0
    for name in ("rest_json", "openapi", "spreadsheet", "sql", "base_url*", "url*"):
        assert name in result.output
    as_json = json.loads(runner.invoke(app, ["connectors", "list", "--json"]).output)
    assert as_json["sql"]["config"]["required"] == ["url"] and as_json["sql"]["origin"] == "built-in"


def test_check_ok_and_failed(rest_spec: Path) -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(json=[])
        ok = runner.invoke(app, ["check", str(rest_spec)])
    assert ok.exit_code == 0 and "OK" in ok.output and "simpeg" in ok.output
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(503)
        failed = runner.invoke(app, ["--lang", "en", "check", str(rest_spec)])
    assert failed.exit_code == 1 and "FAILED" in failed.output and "unavailable" in failed.output
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(json=[])
        as_json = json.loads(runner.invoke(app, ["check", str(rest_spec), "--json"]).output)
    assert as_json["status"] == "ok" and as_json["latency_ms"] >= 0


def test_discover_shows_resources_and_schemas(folder_spec: Path) -> None:
    result = runner.invoke(app, ["--lang", "en", "discover", str(folder_spec)])
    assert result.exit_code == 0, result.output
    assert "penganggaran/pendapatan" in result.output and "kode_rekening" in result.output
    as_json = json.loads(runner.invoke(app, ["discover", str(folder_spec), "--json"]).output)
    assert as_json[0]["schema"] == "penganggaran/pendapatan"


def test_pull_writes_ndjson_and_explains_what_could_not_be_mapped(folder_spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "hasil" / "pendapatan.ndjson"
    result = runner.invoke(app, ["--lang", "en", "pull", str(folder_spec), "pendapatan", "--out", str(out)])
    assert result.exit_code == 1, result.output  # some records could not be mapped
    assert "read 4, mapped 3, not mapped 1, valid 2, invalid 1" in result.output
    assert "record 3 (mapping): kode_rekening" in result.output and "'kode_rekening'" in result.output
    assert "record 4 (validation):" in result.output and "uraian" in result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["kode_rekening"] for d in lines] == ["4.1.01.09.01.0001", "4.1.01.10.01.0001"]
    assert "2 record(s) written" in result.output


def test_pull_in_bahasa_indonesia_with_a_limit(folder_spec: Path) -> None:
    result = runner.invoke(app, ["pull", str(folder_spec), "pendapatan", "--limit", "2"])
    assert result.exit_code == 0, result.output
    assert "dibaca 2, terpetakan 2" in result.output


def test_usage_errors_are_one_line_with_exit_2(tmp_path: Path, rest_spec: Path) -> None:
    missing = runner.invoke(app, ["--lang", "en", "check", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 2 and "nope.yaml" in missing.output and "Traceback" not in missing.output
    unknown = runner.invoke(app, ["--lang", "en", "pull", str(rest_spec), "pegawei"])
    assert unknown.exit_code == 2 and "pegawai" in unknown.output
    bad_since = runner.invoke(app, ["--lang", "en", "pull", str(rest_spec), "pegawai", "--since", "kemarin"])
    assert bad_since.exit_code == 2 and "ISO 8601" in bad_since.output


def test_an_application_failure_exits_1_a_bad_spec_exits_2(rest_spec: Path, tmp_path: Path) -> None:
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(401)
        down = runner.invoke(app, ["--lang", "en", "pull", str(rest_spec), "pegawai"])
    assert down.exit_code == 1 and "401" in down.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"connector": {"type": "rest_json", "config": {"base_url": "ftp://x"}},
                                   "resources": {"a": {"path": "/a"}}}), encoding="utf-8")
    invalid = runner.invoke(app, ["--lang", "en", "discover", str(bad)])
    assert invalid.exit_code == 2 and "config.base_url" in invalid.output


def test_pull_and_sync_show_and_count_warnings_not_only_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               ) -> None:
    """A warning (ADR 0008: a disagreement with legitimate cases) keeps the record valid, but the user sees it:
    counted in the summary, listed apart from the errors, and in the JSON."""
    spec = bapenda_spec(tmp_path, [
        "PD-1;2025;5.02.0.00.0.00.01.0000;410109010001;Pajak Hotel;2.500.000.000",
        "PD-2;2025;5.02.0.00.0.00.01.0000;490109010001;Pajak Lain-lain;1.800.000.000"])
    result = runner.invoke(app, ["--lang", "en", "pull", str(spec), "pendapatan"])
    assert result.exit_code == 0, result.output  # warnings do not fail a pull
    assert "valid 2, invalid 0, warnings 1 (in 1 records)" in result.output
    assert "First warnings" in result.output and "record 2 (warning):" in result.output
    assert "4.9" in result.output  # the finding itself: the unknown account group
    indonesian = runner.invoke(app, ["pull", str(spec), "pendapatan"])
    assert "peringatan 1 (pada 1 data)" in indonesian.output and "data ke-2 (peringatan)" in indonesian.output
    as_json = json.loads(runner.invoke(app, ["pull", str(spec), "pendapatan", "--json"]).output)
    assert as_json["warnings"] == 1 and as_json["warned"] == 1 and as_json["problems"] == []
    assert as_json["warning_notes"][0]["record"] == 2 and as_json["warning_notes"][0]["message"]["en"]

    monkeypatch.setenv("SIMPUL_DATABASE_URL", f"sqlite:///{tmp_path / 'simpul.db'}")
    from hub.settings import get_settings

    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        synced = runner.invoke(app, ["--lang", "en", "sync", str(spec), "--json"])
        assert synced.exit_code == 0, synced.output
        first = json.loads(synced.output)[0]
        assert first["counts"]["valid"] == 2 and first["warnings"] == 1
        assert first["warning_notes"][0]["record"] == 2
        text = runner.invoke(app, ["--lang", "en", "sync", str(spec), "--full"]).output
        assert "1 validation warning(s)" in text and "record 2:" in text
    finally:
        get_settings.cache_clear()
