"""Validation names the real line of the source file, and the JSON parser's complaint in the user's language."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hub.errors import MalformedJSON
from hub.validation.inputs import parse_json
from hub.validation.json_lines import pointer_lines
from hub.validation.service import validate_files

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def _pegawai() -> dict:
    return json.loads(next((SCHEMAS / "kepegawaian/pegawai/examples/valid").glob("*.json")).read_text())


def _line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


def test_pointer_lines_of_a_pretty_printed_document():
    text = json.dumps({"nip": "1", "jabatan": {"nama": "x", "a/b": [1, {"c": None}]}, "e": []}, indent=2)
    lines = pointer_lines(text, 0, len(text), 1)
    assert lines["/nip"] == 2 and lines["/jabatan/nama"] == 4
    assert lines["/jabatan/a~1b/1/c"] == _line_of(text, '"c"')
    assert lines["/e"] == _line_of(text, '"e"')


@pytest.mark.parametrize("as_array", [False, True])
def test_issues_of_a_pretty_printed_file_name_the_line_of_the_field(tmp_path: Path, as_array: bool):
    doc = dict(_pegawai(), nip="1985 0101", tanggal_lahir="17-08-1985")
    text = json.dumps([_pegawai(), doc] if as_array else doc, indent=2)
    path = tmp_path / "pegawai.json"
    path.write_text(text, encoding="utf-8")
    report = validate_files("kepegawaian/pegawai", [path])
    bad = next(d for d in report.documents if d.issues)
    by_pointer = {i.pointer: i.location.line for i in bad.issues}
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if '"tanggal_lahir": "17-08-1985"' in line]
    assert by_pointer["/tanggal_lahir"] == lines[0]
    assert by_pointer["/tanggal_lahir"] > 2  # not the line the document starts on


def test_parsing_keeps_nothing_extra_for_documents_without_issues():
    [doc] = parse_json(json.dumps(_pegawai(), indent=2))
    assert doc.line_of("/nip") == 2


@pytest.mark.parametrize(("body", "id_text", "en_text"), [
    ('{"nip": ', "seharusnya ada nilai", "expecting a value"),
    ('{"nip": "1" "x"}', "seharusnya ada tanda koma", "expecting a ',' delimiter"),
    ('{"nip": "1"}\n x', "ada data lain setelah akhir dokumen", "extra data after the end"),
    ('{nip: 1}', "nama isian dalam tanda kutip ganda", "field name in double quotes"),
])
def test_json_errors_speak_the_users_language(body: str, id_text: str, en_text: str):
    with pytest.raises(MalformedJSON) as caught:
        parse_json(body)
    assert id_text in caught.value.message("id") and "Expecting" not in caught.value.message("id")
    assert en_text in caught.value.message("en")
