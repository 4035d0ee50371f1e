"""Exports: each opens in the tool a planner would use, and every gap row carries its evidence reference."""

from __future__ import annotations

import io
import json

import pytest
from docx import Document
from openpyxl import load_workbook

from hub.errors import BadRequest
from hub.inventory import build_inventory, render_inventory, render_monev
from hub.inventory.render.svg import score_color

from .factories import AS_OF, OPDS, PEMDA, app, run

APPS = [app("e-planning", integration={}, contact=None),
        app("e-pajak", area="keuangan", owner="bpkad", hosting={"type": "vendor_hosted"},
            supplier={"developer": "vendor", "vendor": "PT Pajak", "source_code_held": False}),
        app("simpeg", area="kepegawaian", owner="bkpsdm")]
BEFORE = {"e-planning": run("e-planning", {"interoperable": 40}, checks={"INT-001": "fail"}, run_id="tw1")}
RUNS = {"e-planning": run("e-planning", {"interoperable": 50, "reliable": 30}, checks={"REL-001": "fail"},
                          run_id="tw2"),
        "simpeg": run("simpeg", {"interoperable": 95, "integrateable": 90}, run_id="tw2-simpeg")}
EVIDENCE = "kode sumber dipegang Pemda: tidak"  # the lock-in gap of e-pajak, in words
FAILED = "pemeriksaan REL-001 gagal"            # the standard gap of e-planning
INTERNAL = ("GAP-006/e-pajak", "supplier.source_code_held", "tw2", "PRG-006")  # ids: JSON only


@pytest.fixture(scope="module")
def inv():
    return build_inventory(PEMDA, OPDS, APPS, RUNS, as_of=AS_OF, runs_before=BEFORE)


def test_json_parses_back_into_the_model(inv):
    data = json.loads(render_inventory(inv, "json"))
    assert data["pemda"]["kode"] == "35.72" and data["readiness"][0]["item"] == 8
    gap = next(g for g in data["gaps"] if g["id"] == "GAP-006/e-pajak")
    assert gap["evidence"][0]["fields"]["supplier.source_code_held"] is False
    assert data["monev"]["label_a"] == "A"


def test_markdown_has_every_table_and_the_evidence(inv):
    md = render_inventory(inv, "md")
    for heading in ("Kesiapan aplikasi", "Analisis kesenjangan (Tabel II.11)", "Peta jalan", "Ringkasan per OPD",
                    "Yang sudah berjalan baik", "Lampiran"):
        assert heading in md
    assert "Kondisi masa depan (to be) | Kondisi saat ini (as is) | Strategi, program kerja dan langkah aksi" in md
    assert EVIDENCE in md and FAILED in md
    assert not [x for x in INTERNAL if x in md]
    assert "laporan penilaian 30 Jun 2025" in md  # no address known: the report is named, not linked
    linked = render_inventory(inv, "md", run_link="../assessment/{app_id}.html")
    assert "([laporan penilaian 30 Jun 2025](../assessment/e-planning.html))" in linked
    assert "Gap analysis" in render_inventory(inv, "md", "en")


def test_html_contains_the_tables_the_svg_charts_and_print_styles(inv):
    html = render_inventory(inv, "html")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="id">' in html
    for cls in ("kesiapan", "cakupan", "kesenjangan", "peta_jalan", "skor", "opd", "works"):
        assert f'<table class="{cls}">' in html
    assert html.count("<svg") == 2 and 'class="chart heatmap"' in html and 'class="chart opd"' in html
    assert f"#{score_color(50)}" in html  # e-planning interoperable 50 in the heatmap
    assert "@media print" in html and "@page" in html and "<link" not in html and "<script" not in html
    assert EVIDENCE in html and FAILED in html
    assert not [x for x in INTERNAL if x in html]
    assert '<html lang="en">' in render_inventory(inv, "html", "en")


def test_xlsx_one_styled_sheet_per_table(inv):
    wb = load_workbook(io.BytesIO(render_inventory(inv, "xlsx")))
    assert wb.sheetnames[0] == "Ringkasan"
    gaps = next(ws for ws in wb.worksheets if ws.title == "Kesenjangan (Tabel II.11)")
    assert gaps.freeze_panes == "A2" and gaps.auto_filter.ref.startswith("A1:G")
    assert gaps["A1"].font.bold and gaps["A1"].fill.fgColor.rgb.endswith("1E3A5F")
    assert gaps.column_dimensions["E"].width >= 40
    headers = [c.value for c in gaps[1]]
    assert headers[2:5] == ["Kondisi masa depan (to be)", "Kondisi saat ini (as is)",
                            "Strategi, program kerja dan langkah aksi"]
    evidence = [row[6] for row in gaps.iter_rows(min_row=2, values_only=True)]
    assert any(EVIDENCE in (e or "") for e in evidence) and any(FAILED in (e or "") for e in evidence)
    heat = next(ws for ws in wb.worksheets if ws.title == "Skor")
    assert heat.conditional_formatting, "scores are colour-scaled"
    readiness = next(ws for ws in wb.worksheets if ws.title == "Kesiapan")
    marks = [c for row in readiness.iter_rows(min_row=2) for c in row if c.value == "✓"]
    assert marks and all(c.fill.fgColor.rgb.endswith(("63BE7B", "FFEB84", "F8696B")) for c in marks)
    assert "Summary" in load_workbook(io.BytesIO(render_inventory(inv, "xlsx", "en"))).sheetnames


def test_docx_is_the_iv_c_chapter_with_shaded_tables(inv):
    doc = Document(io.BytesIO(render_inventory(inv, "docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert "IV.c Rencana Pengembangan Aplikasi dan Perangkat Lunak Pendukung Smart City" in headings
    assert any(h.startswith("4. Analisis kesenjangan") for h in headings)
    assert any("Jangka pendek" in h for h in headings) and "Program quick win" in headings
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "Kota Uji mencatat 3 sistem informasi" in body
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    assert any(EVIDENCE in c for c in cells) and any(FAILED in c for c in cells)
    xml = doc.element.xml
    assert f'w:fill="{score_color(30)}"' in xml  # reliable 30 shaded in the score table
    assert doc.sections[0].page_width > doc.sections[0].page_height  # landscape
    en = Document(io.BytesIO(render_inventory(inv, "docx", "en")))
    assert any("Gap analysis" in p.text for p in en.paragraphs)


@pytest.mark.parametrize("fmt", ["md", "html", "xlsx", "docx", "json"])
def test_the_monev_worksheet_renders_alone(inv, fmt):
    out = render_monev(inv.monev, fmt)
    assert out
    if fmt == "xlsx":
        assert len(load_workbook(io.BytesIO(out)).sheetnames) == 6
    if fmt == "md":
        assert "Yang belum berjalan baik" in out and "tw" not in out.split("\n")[0]


def test_unknown_format_is_a_clear_error(inv):
    with pytest.raises(BadRequest) as err:
        render_inventory(inv, "odt")
    assert "odt" in err.value.message("en") and "docx" in err.value.message("en")


def test_colour_scale():
    assert score_color(0) == "F8696B" and score_color(50) == "FFEB84" and score_color(100) == "63BE7B"
    assert score_color(None) == "E5E7EB"
