"""Batches from JSON, NDJSON, CSV and XLSX keep where each document (and each cell) came from."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import Workbook

from hub.errors import BadRequest, MalformedJSON, PayloadTooLarge
from hub.validation import inputs
from hub.validation.service import validate_files
from hub.validation.store import SchemaStore
from hub.validation.validator import validate_documents
from tests.hub.validation.validation_testkit import VALID, write_schemas


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


@pytest.fixture(scope="module")
def schema(store):
    return store.resolved(store.get("uji/pegawai"))


def test_json_object_and_array_remember_the_line_of_each_document():
    docs = inputs.parse_json(b'[\n  {"a": 1},\n\n  {"b": 2}\n]')
    assert [d.data for d in docs] == [{"a": 1}, {"b": 2}]
    assert [d.location.line for d in docs] == [2, 4]
    assert docs[1].location.label.id == "dokumen 2" and docs[1].location.label.en == "document 2"
    assert inputs.parse_json(b'\xef\xbb\xbf{"a": 1}')[0].data == {"a": 1}  # UTF-8 with BOM


@pytest.mark.parametrize(("body", "line", "column"), [
    (b'{"a": 1,\n "b": }', 2, 7),
    (b'[{"a": 1}\n {"b": 2}]', 2, 2),
    (b'[{"a": 1},]', 1, 11),
    (b'{"a": 1} x', 1, 10),
    (b'{"a": NaN}', 1, 7),
    (b'[1e400]', 1, 2),
])
def test_malformed_json_says_line_and_column(body, line, column):
    with pytest.raises(MalformedJSON) as caught:
        inputs.parse_json(body)
    assert (caught.value.extra["line"], caught.value.extra["column"]) == (line, column)
    assert f"baris {line}" in caught.value.message("id") or "NaN" in body.decode() or "1e400" in body.decode()


def test_a_bare_value_is_not_a_document_and_an_empty_body_is_said_to_be_empty():
    with pytest.raises(BadRequest, match="not number"):
        inputs.parse_json(b"5")
    with pytest.raises(BadRequest) as caught:
        inputs.parse_json(b"  ")
    assert "kosong" in caught.value.message("id")
    with pytest.raises(BadRequest, match="empty"):
        inputs.parse_json(b"[ ]")
    with pytest.raises(BadRequest) as caught:
        inputs.parse_json(b'{"a": "\xff"}')
    assert "UTF-8" in caught.value.message("en")


def test_ndjson_errors_name_the_line_of_the_file():
    docs = inputs.parse_ndjson(b'{"a": 1}\n\n{"b": 2}\n')
    assert [d.location.line for d in docs] == [1, 3]
    assert docs[1].location.label.id == "baris 3"
    with pytest.raises(MalformedJSON) as caught:
        inputs.parse_ndjson(b'{"a": 1}\n{"b": }\n')
    assert caught.value.extra["line"] == 2 and caught.value.extra["column"] == 7


def test_batch_limit_is_enforced_while_reading():
    with pytest.raises(PayloadTooLarge) as caught:
        inputs.parse_json(json.dumps([{}] * 4).encode(), limit=3)
    assert "3" in caught.value.message("en")
    with pytest.raises(PayloadTooLarge):
        inputs.parse_ndjson(b"{}\n{}\n", limit=1)


def test_deeply_nested_documents_are_refused_not_crashed_on():
    with pytest.raises(BadRequest, match="nested too deeply"):
        inputs.parse(b"[" * 100 + b"]" * 100, "json")
    with pytest.raises(BadRequest, match="nested too deeply"):
        inputs.parse(b"[" * 100_000 + b"]" * 100_000, "json")


CSV = (
    "nip;nama;jenis_asn;tanggal_lahir;jabatan.nama;jabatan.jenis_jabatan;kode_pemda;gaji;aktif;indikator.0.uraian;"
    "indikator.0.target;tags\n"
    "198501012010011001;Budi;PNS;1985-01-01;Analis;fungsional_umum;35.72;1500000;ya;Laporan;12.5;\"a; b\"\n"
    ";;;;;;;;;;;\n"
    "198501012010011002;Sari;PNS;17-08-1985;Analis;fungsional_umum;35.72;Rp 1.500.000;tidak;;;\n"
)


def test_csv_rows_become_nested_typed_documents(schema):
    docs = inputs.parse_csv(CSV.encode(), schema, file="pegawai.csv")
    assert len(docs) == 2  # the empty row is skipped
    first = docs[0].data
    assert first["jabatan"] == {"nama": "Analis", "jenis_jabatan": "fungsional_umum"}
    assert first["gaji"] == 1500000 and first["aktif"] is True
    assert first["indikator"] == [{"uraian": "Laporan", "target": 12.5}]
    assert first["tags"] == ["a", "b"]
    assert first["nip"] == "198501012010011001"  # declared string: stays text, leading digits intact
    assert "indikator" not in docs[1].data  # empty cells are left out
    assert docs[1].location.row == 4 and docs[1].location.label.id == "pegawai.csv: baris 4"


def test_csv_errors_map_back_to_row_and_column(store, schema):
    docs = inputs.parse_csv(CSV.encode(), schema, file="pegawai.csv")
    report = validate_documents("uji/pegawai", docs, store=store, rules=False)
    assert report.documents[0].valid
    by_pointer = {i.pointer: i for i in report.documents[1].issues}
    assert by_pointer["/tanggal_lahir"].location.model_dump(exclude_none=True) == {
        "file": "pegawai.csv", "row": 4, "column": "D", "field": "tanggal_lahir"}
    assert by_pointer["/gaji"].location.column == "H"
    assert "Rp 1.500.000" in by_pointer["/gaji"].message.id


def test_xlsx_named_sheet_dates_and_cells(store, schema, tmp_path):
    book = Workbook()
    book.active.title = "Catatan"
    sheet = book.create_sheet("Pegawai")
    sheet.append(["nip", "nama", "jenis_asn", "tanggal_lahir", "jabatan.nama", "jabatan.jenis_jabatan",
                  "kode_pemda", "gaji"])
    import datetime as dt

    sheet.append(["198501012010011001", "Budi", "PNS", dt.datetime(1985, 1, 1), "Analis", "fungsional_umum",
                  "35.72", 1500000])
    sheet.append(["198501012010011002", "Sari", "PPPK", "17-08-1985", "Analis", "fungsional_umum", 35.72, "1,5 jt"])
    path = tmp_path / "pegawai.xlsx"
    book.save(path)
    docs = inputs.parse_xlsx(path.read_bytes(), schema, sheet="Pegawai", file="pegawai.xlsx")
    assert docs[0].data["tanggal_lahir"] == "1985-01-01"
    assert docs[1].data["kode_pemda"] == "35.72"  # a number cell where text is declared becomes text
    report = validate_files("uji/pegawai", [path], sheet="Pegawai", store=store, rules=False)
    assert report.summary.documents == 2 and report.summary.invalid == 1
    issue = next(i for i in report.documents[1].issues if i.pointer == "/tanggal_lahir")
    assert issue.location.model_dump(exclude_none=True) == {
        "file": str(path), "sheet": "Pegawai", "row": 3, "column": "D", "field": "tanggal_lahir"}
    assert report.documents[1].location.label.id.endswith("lembar 'Pegawai' baris 3")
    with pytest.raises(BadRequest, match="Pegawai"):
        inputs.parse_xlsx(path.read_bytes(), schema, sheet="Tidak ada")


def test_unreadable_xlsx_is_a_bad_request_not_a_crash():
    with pytest.raises(BadRequest):
        inputs.parse_xlsx(b"PK\x03\x04 not really a zip")


def test_required_field_missing_from_a_row_points_at_the_row(store, schema):
    csv_text = "nip,nama\n198501012010011001,Budi\n"
    docs = inputs.parse_csv(csv_text.encode(), schema)
    report = validate_documents("uji/pegawai", docs, store=store, rules=False)
    missing = next(i for i in report.documents[0].issues if i.pointer == "/jenis_asn")
    assert missing.location.row == 2 and missing.location.column is None


def test_format_detection():
    assert inputs.detect_format("a.JSONL", b"") == "ndjson"
    assert inputs.detect_format(None, b'{"a":1}\n{"b":2}\n') == "ndjson"
    assert inputs.detect_format(None, b' [{"a":1}]') == "json"
    assert inputs.detect_format("data.txt", b"nip,nama\n") == "csv"
    buffer = io.BytesIO()
    Workbook().save(buffer)
    assert inputs.detect_format("upload", buffer.getvalue()) == "xlsx"
    assert inputs.parse_json(json.dumps(VALID).encode())[0].data == VALID
