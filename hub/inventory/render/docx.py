"""DOCX (python-docx): Buku II chapter IV.c "Rencana Pengembangan Aplikasi dan Perangkat Lunak Pendukung Smart
City" — headings, a narrative generated from the data, the tables (readiness in the Tabel II.1 form, Tabel II.11,
the roadmap per horizon, quick wins) and the colour-shaded score and OPD tables. A4 landscape."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from hub.i18n import t
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render.narrative import monev_paragraph, paragraphs
from hub.inventory.render.tables import (
    Table,
    coverage_table,
    fills,
    gaps_table,
    heatmap_table,
    monev_tables,
    opd_table,
    readiness_table,
    roadmap_table,
    rules_tables,
)

USABLE_CM = 25.7  # A4 landscape minus margins
ROADMAP_COLS = [0, 2, 3, 4, 9, 10, 11, 12, 13]


def _shade(cell: Any, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _repeat_header(row: Any) -> None:
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _new_row(grid: Any) -> list[_Cell]:
    """The cells of a new row, read from the row itself: ``row.cells`` re-reads every cell of the table, which
    makes large tables quadratic."""
    return [_Cell(tc, grid) for tc in grid.add_row()._tr.tc_lst]


def _show(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def add_table(doc: DocumentType, table: Table, cols: list[int] | None = None, rows: list[int] | None = None,
              font: float = 7.5) -> None:
    cols = cols if cols is not None else list(range(len(table.headers)))
    picked = rows if rows is not None else list(range(len(table.rows)))
    colours = fills(table)
    total = sum(table.widths[c] for c in cols) or 1
    widths = [Cm(USABLE_CM * table.widths[c] / total) for c in cols]
    grid = doc.add_table(rows=1, cols=len(cols))
    grid.style = "Table Grid"
    head = grid.rows[0]
    _repeat_header(head)
    for j, c in enumerate(cols):
        cell = head.cells[j]
        cell.width = widths[j]
        run = cell.paragraphs[0].add_run(table.headers[c])
        run.bold, run.font.size = True, Pt(font)
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, "1E3A5F")
    for i in picked:
        cells = _new_row(grid)
        for j, c in enumerate(cols):
            cells[j].width = widths[j]
            run = cells[j].paragraphs[0].add_run(_show(table.rows[i][c]))
            run.font.size = Pt(font)
            if c in table.ref_cols:
                run.font.name = "Consolas"
            if colours[i][c]:
                _shade(cells[j], colours[i][c])  # type: ignore[arg-type]
    if not picked:
        cells = _new_row(grid)
        cells[0].paragraphs[0].add_run(t("inventory.value.none", "id")).font.size = Pt(font)
    if table.note:
        note = doc.add_paragraph()
        run = note.add_run(table.note)
        run.italic, run.font.size = True, Pt(8)


def _new_document() -> DocumentType:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    doc.styles["Normal"].font.name = "Calibri"
    doc.styles["Normal"].font.size = Pt(10)
    return doc


def _heading(doc: DocumentType, key: str, lang: str, level: int, **params: Any) -> None:
    doc.add_heading(t(f"inventory.docx.{key}", lang, **params), level=level)


def _to_bytes(doc: DocumentType) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_docx(inv: Inventory, lang: str) -> bytes:
    doc = _new_document()
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    doc.add_heading(t("inventory.docx.book", lang, pemda=pemda), level=0)
    doc.add_heading(f"IV.c {t('inventory.doc.chapter', lang)}", level=1)
    meta = doc.add_paragraph()
    meta.add_run(t("inventory.doc.meta", lang, as_of=inv.as_of.isoformat(), rules=inv.rules_version)).italic = True
    _heading(doc, "overview", lang, 2)
    for p in paragraphs(inv, lang):
        doc.add_paragraph(p)
    _heading(doc, "readiness", lang, 2)
    add_table(doc, readiness_table(inv, lang))
    _heading(doc, "coverage", lang, 2)
    add_table(doc, coverage_table(inv, lang))
    _heading(doc, "gaps", lang, 2)
    add_table(doc, gaps_table(inv, lang), font=7)
    _heading(doc, "roadmap", lang, 2)
    roadmap = roadmap_table(inv, lang)
    doc.add_paragraph(roadmap.note)
    for horizon in ("short", "medium", "long"):
        _heading(doc, "horizon", lang, 3, name=t(f"inventory.horizon.{horizon}", lang,
                                                 years=inv.roadmap.horizons.get(horizon, 1)))
        rows = [i for i, item in enumerate(inv.roadmap.items) if item.horizon == horizon]
        add_table(doc, _without_note(roadmap), cols=ROADMAP_COLS, rows=rows)
    _heading(doc, "quick_wins", lang, 3)
    if inv.roadmap.quick_wins:
        for item in inv.roadmap.quick_wins:
            doc.add_paragraph(f"{item.program.get(lang)} — {item.responsible.label}: {item.kpi.what.get(lang)} "
                              f"({item.kpi.when.get(lang)}); {item.priority.formula}", style="List Bullet")
    else:
        doc.add_paragraph(t("inventory.narrative.no_quick_wins", lang))
    _heading(doc, "heatmap", lang, 2)
    add_table(doc, heatmap_table(inv, lang))
    _heading(doc, "opd", lang, 2)
    add_table(doc, opd_table(inv, lang))
    if inv.monev is not None:
        _monev_section(doc, inv.monev, lang)
    _heading(doc, "appendix", lang, 2)
    for table in rules_tables(lang, inv.roadmap.horizons):
        doc.add_heading(table.title, level=3)
        add_table(doc, table)
    return _to_bytes(doc)


def _without_note(table: Table) -> Table:
    return Table(table.key, table.title, table.headers, table.rows, table.widths, "", table.heat_cols,
                 table.outcome_cols, table.count_cols, table.ref_cols)


def _monev_section(doc: DocumentType, ws: MonevWorksheet, lang: str) -> None:
    _heading(doc, "monev", lang, 2)
    doc.add_paragraph(monev_paragraph(ws, lang))
    for table in monev_tables(ws, lang):
        doc.add_heading(table.title, level=3)
        add_table(doc, table)


def render_monev_docx(ws: MonevWorksheet, lang: str) -> bytes:
    doc = _new_document()
    doc.add_heading(t("inventory.doc.monev_title", lang), level=0)
    _monev_section(doc, ws, lang)
    return _to_bytes(doc)
