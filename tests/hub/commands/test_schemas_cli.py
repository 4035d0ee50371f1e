from __future__ import annotations

import json

from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


def test_list_shows_every_schema():
    result = runner.invoke(app, ["schemas", "list"])
    assert result.exit_code == 0
    assert "kepegawaian/pegawai" in result.output
    items = json.loads(runner.invoke(app, ["schemas", "list", "--json"]).output)
    assert any(i["key"] == "penganggaran/rincian_belanja" for i in items)


def test_show_prints_fields_and_json_prints_the_schema():
    result = runner.invoke(app, ["--lang", "en", "schemas", "show", "kepegawaian/pegawai"])
    assert result.exit_code == 0
    assert "jenis_asn" in result.output and "Required" in result.output
    raw = json.loads(runner.invoke(app, ["schemas", "show", "kepegawaian/pegawai", "--json"]).output)
    assert raw["$id"] == "urn:simpul:schema:kepegawaian/pegawai:1.1"
    raw_1 = json.loads(runner.invoke(app, ["schemas", "show", "kepegawaian/pegawai:1", "--json"]).output)
    assert raw_1["$id"] == "urn:simpul:schema:kepegawaian/pegawai:1"


def test_show_unknown_schema_exits_2_with_suggestion():
    result = runner.invoke(app, ["schemas", "show", "pegawai"])
    assert result.exit_code == 2
    assert "kepegawaian/pegawai" in result.output


def test_docs_are_generated(tmp_path):
    result = runner.invoke(app, ["schemas", "docs", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert (tmp_path / "README.md").is_file()
    assert (tmp_path / "kepegawaian" / "pegawai.md").is_file()
    assert (tmp_path / "kepegawaian" / "pegawai.en.md").is_file()
