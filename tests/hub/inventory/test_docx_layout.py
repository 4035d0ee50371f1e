"""The DOCX as Word and LibreOffice read it: fixed column widths in the grid and every cell, numbered captions
(SEQ fields), the contents and list of tables (TOC fields, pre-filled), header, footer and page numbers."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn

from hub.inventory import render_inventory
from hub.inventory.render.docx import USABLE_CM, render_docx
from hub.inventory.render.evidence import link_template
from hub.inventory.render.ooxml import twips

from .factories import example_inventory

W = qn("w:w")


@pytest.fixture(scope="module")
def inv():  # type: ignore[no-untyped-def]
    return example_inventory()


@pytest.fixture(scope="module")
def doc(inv):  # type: ignore[no-untyped-def]
    return Document(io.BytesIO(render_inventory(inv, "docx", run_link="https://simpul.blitarkota.example/r/{run_id}")))


def instructions(element) -> list[str]:  # type: ignore[no-untyped-def]
    return [" ".join((i.text or "").split()) for i in element.iter(qn("w:instrText"))]


def test_every_table_has_a_fixed_layout_grid_and_cell_widths(doc):  # type: ignore[no-untyped-def]
    assert len(doc.tables) >= 15
    for table in doc.tables:
        props = table._tbl.tblPr
        assert props.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(c.get(W)) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        assert len(grid) == len(table.columns)
        assert sum(grid) <= twips(USABLE_CM) + 5, "no table is wider than the page"
        assert int(props.find(qn("w:tblW")).get(W)) == sum(grid)
        for row in table._tbl.tr_lst:
            cells = row.tc_lst
            if len(cells) == len(grid):  # (the "(tidak ada)" row of an empty table spans them all)
                assert [int(tc.tcPr.find(qn("w:tcW")).get(W)) for tc in cells] == grid


def test_column_widths_follow_the_content(doc):  # type: ignore[no-untyped-def]
    gaps = next(t for t in doc.tables if t.rows[0].cells[1].text == "Kesenjangan")
    grid = [int(c.get(W)) for c in gaps._tbl.tblGrid.findall(qn("w:gridCol"))]
    headers = [c.text for c in gaps.rows[0].cells]
    width = dict(zip(headers, grid, strict=True))
    assert width["No"] < twips(1.0) < width["Kesenjangan"] < width["Strategi, program kerja dan langkah aksi"]
    assert len(set(grid)) > 3, "columns are not all the same width"


def test_tables_have_numbered_word_captions(doc):  # type: ignore[no-untyped-def]
    captions = [p for p in doc.paragraphs if p.style.name == "Caption"]
    assert len(captions) == len(doc.tables)
    numbers = []
    for n, caption in enumerate(captions, start=1):
        assert instructions(caption._p) == ["SEQ Tabel \\* ARABIC"]
        assert caption.text.startswith(f"Tabel IV.{n} ")
        numbers.append(n)
    assert captions[2].text == "Tabel IV.3 Analisis kesenjangan (Tabel II.11)"
    # a caption stays with its table and the table comes right after it
    for caption in captions:
        assert caption.paragraph_format.keep_with_next
        assert caption._p.getnext().tag == qn("w:tbl")


def test_contents_and_list_of_tables_are_toc_fields_with_their_entries(doc):  # type: ignore[no-untyped-def]
    body = doc.element.body
    fields = instructions(body)
    assert 'TOC \\o "1-3" \\h \\z \\u' in fields and 'TOC \\h \\z \\c "Tabel"' in fields
    toc = [p for p in doc.paragraphs if p.style.name.startswith("toc ")]
    figures = [p for p in doc.paragraphs if p.style.name == "table of figures"]
    headings = [p for p in doc.paragraphs if p.style.name in ("Heading 1", "Heading 2", "Heading 3")]
    assert [p.text.split("\t")[0] for p in toc] == [h.text for h in headings]
    assert len(figures) == len(doc.tables)
    marks = {b.get(qn("w:name")) for b in body.iter(qn("w:bookmarkStart"))}
    for entry in toc + figures:  # each entry links to its heading or caption and asks for its page
        anchor = entry._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
        assert anchor in marks
        assert f"PAGEREF {anchor} \\h" in instructions(entry._p)
    assert doc.settings.element.find(qn("w:updateFields")).get(qn("w:val")) == "true"
    # the contents come before the first section
    order = [p.text for p in doc.paragraphs]
    assert order.index("Daftar Isi") < order.index("Daftar Tabel") < order.index("1. Gambaran umum")


def test_header_names_the_pemda_and_date_and_the_footer_numbers_the_pages(doc):  # type: ignore[no-untyped-def]
    section = doc.sections[0]
    assert section.page_width > section.page_height  # A4 landscape
    header = section.header.paragraphs[0].text
    assert header.startswith("Masterplan Smart City Kota Blitar — Buku II, IV.c") and "1 Juli 2025" in header
    footer = section.footer.paragraphs[0]
    assert instructions(footer._p) == ["PAGE", "NUMPAGES"]
    assert footer.text.startswith("Halaman ")


def test_evidence_links_are_hyperlinks_to_the_run(doc):  # type: ignore[no-untyped-def]
    targets = {r.target_ref for r in doc.part.rels.values() if r.is_external}
    assert "https://simpul.blitarkota.example/r/simpeg-1" in targets


def test_known_page_numbers_are_prefilled_and_the_probe_lists_every_entry(inv):  # type: ignore[no-untyped-def]
    plain = Document(io.BytesIO(render_docx(inv, "id", link_template(None))))
    first = next(p for p in plain.paragraphs if p.style.name == "toc 2")
    anchor = first._p.find(qn("w:hyperlink")).get(qn("w:anchor"))
    filled = Document(io.BytesIO(render_docx(inv, "id", link_template(None), toc_pages={anchor: 7})))
    entry = next(p for p in filled.paragraphs if p.style.name == "toc 2")
    assert entry.text.endswith("\t7")
    probed = Document(io.BytesIO(render_docx(inv, "id", link_template(None), probe=True)))
    probes = [p.text for p in probed.paragraphs if p.text.startswith("SIMPUL-PAGE")]
    marks = [b.get(qn("w:name")) for b in probed.element.body.iter(qn("w:bookmarkStart"))]
    assert [re.split(r"\s+", p)[1] for p in probes] == marks
    assert not [p for p in plain.paragraphs if p.text.startswith("SIMPUL-PAGE")]


def test_english_document():  # type: ignore[no-untyped-def]
    doc = Document(io.BytesIO(render_inventory(example_inventory(), "docx", "en")))
    assert any(p.text.startswith("Table IV.1 ") for p in doc.paragraphs)
    assert "Contents" in [p.text for p in doc.paragraphs]
    assert doc.sections[0].footer.paragraphs[0].text.startswith("Page ")
