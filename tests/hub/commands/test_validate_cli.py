"""``simpul validate``: exit codes, formats, languages, spreadsheets."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from hub.cli import app
from hub.settings import PROJECT_ROOT

runner = CliRunner()
EXAMPLES = PROJECT_ROOT / "schemas/kepegawaian/pegawai/examples"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def good(tmp_path) -> Path:
    files = sorted((EXAMPLES / "valid").glob("*.json"))
    if not files:
        pytest.skip("no shipped pegawai examples")
    path = tmp_path / "pegawai.json"
    path.write_text(files[0].read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def bad(tmp_path, good) -> Path:
    document = json.loads(good.read_text())
    path = tmp_path / "pegawai-salah.ndjson"
    rows = [document, {**document, "tanggal_lahir": "17-08-1985", "namaa": "x"}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


def test_all_valid_exits_0(good):
    result = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(good)])
    assert result.exit_code == 0, result.output
    assert "VALID — semua 1 dokumen sesuai skema kepegawaian/pegawai:1" in flat(result.output)


def test_any_invalid_exits_1_and_explains_in_indonesian(bad):
    result = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(bad)])
    assert result.exit_code == 1
    text = flat(result.output)
    assert "TIDAK VALID — 1 dari 2 dokumen" in text
    assert "harus tanggal dengan format YYYY-MM-DD" in text
    assert "baris 2" in text  # the NDJSON line
    assert "Mungkin maksud Anda 'nama'?" in text


def test_lang_en_speaks_english(bad):
    result = runner.invoke(app, ["--lang", "en", "validate", "kepegawaian/pegawai", str(bad)])
    assert result.exit_code == 1
    text = flat(result.output)
    assert "INVALID — 1 of 2 document(s)" in text
    assert "must be a date written YYYY-MM-DD" in text


def test_unknown_schema_is_one_line_with_suggestions_and_exit_2(good):
    result = runner.invoke(app, ["validate", "kepegawaian/pegawi", str(good)])
    assert result.exit_code == 2
    assert "Mungkin maksud Anda: kepegawaian/pegawai" in flat(result.output)
    assert "Traceback" not in result.output


def test_missing_file_and_malformed_json_exit_2(tmp_path):
    result = runner.invoke(app, ["--lang", "en", "validate", "kepegawaian/pegawai", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "was not found" in flat(result.output)
    broken = tmp_path / "broken.json"
    broken.write_text('{"nip": \n')
    result = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(broken)])
    assert result.exit_code == 2
    assert "JSON tidak valid pada baris 2" in flat(result.output)


def test_unknown_format_option_is_a_usage_error(good):
    assert runner.invoke(app, ["validate", "kepegawaian/pegawai", str(good), "--format", "pdf"]).exit_code == 2


def test_json_output_to_a_file(bad, tmp_path):
    out = tmp_path / "out" / "laporan.json"
    result = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(bad), "--format", "json", "-o", str(out)])
    assert result.exit_code == 1
    report = json.loads(out.read_text())
    assert report["summary"]["invalid"] == 1
    assert report["documents"][1]["location"]["file"] == str(bad)
    assert "laporan.json" in flat(result.output)


def test_junit_and_sarif_to_stdout(bad):
    junit = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(bad), "-f", "junit"])
    assert ET.fromstring(junit.stdout.split("\n", 1)[1]).find("testsuite").get("failures") == "1"
    sarif = json.loads(runner.invoke(app, ["validate", "kepegawaian/pegawai", str(bad), "-f", "sarif"]).stdout)
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == str(bad) and location["region"]["startLine"] == 2


def test_spreadsheet_errors_point_at_sheet_row_and_column(tmp_path):
    book = Workbook()
    book.active.title = "Data"
    book.active.append(["nip", "nama", "jenis_asn", "tanggal_lahir"])
    book.active.append(["198501012010011001", "Budi", "PNS", "01/01/1985"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    result = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(path), "--sheet", "Data", "-f", "json"])
    assert result.exit_code == 1
    issues = json.loads(result.stdout)["documents"][0]["issues"]
    date = next(i for i in issues if i["pointer"] == "/tanggal_lahir")
    assert (date["location"]["sheet"], date["location"]["row"], date["location"]["column"]) == ("Data", 2, "D")
    assert "1985-01-01" in date["message"]["id"]
    wrong = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(path), "--sheet", "Lain"])
    assert wrong.exit_code == 2 and "Data" in flat(wrong.output)


def test_several_files_make_one_report(good, bad):
    result = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(good), str(bad), "-f", "json"])
    report = json.loads(result.stdout)
    assert report["summary"]["documents"] == 3
    assert [d["location"]["file"] for d in report["documents"]] == [str(good), str(bad), str(bad)]


def test_json_report_streamed_to_a_file_and_to_stdout_is_the_same_report(bad, tmp_path):
    rows = [json.loads(line) for line in bad.read_text().splitlines()] * 700  # several written batches
    many = tmp_path / "banyak.ndjson"
    many.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "laporan.json"
    written = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(many), "-f", "json", "-o", str(out)])
    printed = runner.invoke(app, ["validate", "kepegawaian/pegawai", str(many), "-f", "json"])
    assert written.exit_code == printed.exit_code == 1
    from_file, from_stdout = json.loads(out.read_text(encoding="utf-8")), json.loads(printed.stdout)
    for report in (from_file, from_stdout):
        report.pop("generated_at")
    assert from_file == from_stdout
    assert from_file["summary"]["documents"] == len(from_file["documents"]) == 1400
    first, second = from_file["documents"][:2]
    assert (first["valid"], first["issues"], first["location"]["line"]) == (True, [], 1)
    assert first["location"]["label"]["id"].endswith("baris 1") and second["valid"] is False
