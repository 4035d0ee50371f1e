"""DOCX (python-docx) for Buku II chapter IV.c "Rencana Pengembangan Aplikasi dan Perangkat Lunak Pendukung Smart
City", ready to paste into the masterplan: A4 landscape, header (Pemda, chapter, date) and footer ("Halaman x dari
y"), a table of contents and a list of tables, numbered captions ("Tabel IV.1 …", real Word captions with SEQ
fields), and tables whose column widths hold in Word and in LibreOffice (fixed layout, grid and cell widths).

The table of contents and the list of tables are real TOC fields, pre-filled with their entries so they read well
before any program updates them; Word updates them (and their page numbers) when the file is opened.
:func:`render_docx` takes the page numbers to pre-fill (``toc_pages``): :mod:`hub.inventory.pdf` finds them with
LibreOffice and writes a PDF whose contents show the right pages.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render import ooxml
from hub.inventory.render.appendix import appendix_tables
from hub.inventory.render.evidence import Link, RunLink, no_link
from hub.inventory.render.narrative import meta_text, monev_paragraph, paragraphs, plan_paragraph
from hub.inventory.render.plan_tables import plan_tables
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
    show,
)

PAGE_W, PAGE_H, MARGIN = 29.7, 21.0, 2.0
USABLE_CM = PAGE_W - 2 * MARGIN
FONT = "Arial"  # Liberation Sans in LibreOffice: the same metrics, so pages break the same
NAVY = RGBColor(0x1E, 0x3A, 0x5F)
CHAPTER = "IV"  # Buku II: IV. Rencana Aksi Smart City Daerah, c. Rencana Pengembangan Aplikasi …
PROBE = "SIMPUL-PAGE"  # marker of the page-number probe (hub.inventory.pdf)


@dataclass
class Entry:
    level: int  # 1-3 headings; 0 = a table caption
    text: str
    bookmark: str


@dataclass
class Builder:
    """Writes the document in order and remembers its headings and captions for the contents."""

    doc: DocumentType
    lang: str
    toc_pages: dict[str, int] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)
    tables_made: int = 0
    marks: int = 0

    def _mark(self, paragraph: Paragraph, entry_level: int, text: str) -> None:
        self.marks += 1
        name = f"_Toc{self.marks:05d}"
        ooxml.bookmark(paragraph, name, self.marks)
        self.entries.append(Entry(entry_level, text, name))

    def heading(self, text: str, level: int) -> Paragraph:
        paragraph = self.doc.add_heading(text, level=level)
        if 1 <= level <= 3:
            self._mark(paragraph, level, text)
        return paragraph

    def caption(self, title: str) -> None:
        self.tables_made += 1
        paragraph = self.doc.add_paragraph(style="Caption")
        paragraph.paragraph_format.keep_with_next = True
        label = t("inventory.docx.table_label", self.lang)
        paragraph.add_run(f"{label} {CHAPTER}.")
        ooxml.field(paragraph, "SEQ Tabel \\* ARABIC", str(self.tables_made))
        paragraph.add_run(f" {title}")
        self._mark(paragraph, 0, f"{label} {CHAPTER}.{self.tables_made} {title}")

    def paragraph(self, text: str, *, italic: bool = False, size: float | None = None,
                  style: str | None = None) -> Paragraph:
        paragraph = self.doc.add_paragraph(style=style)
        run = paragraph.add_run(text)
        run.italic = italic
        if size:
            run.font.size = Pt(size)
        return paragraph

    def table(self, table: Table, font: float = 7.5, caption: str | None = None) -> None:
        self.caption(caption or table.title)
        add_table(self.doc, table, self.lang, font)
        if table.note:
            note = self.paragraph(table.note, italic=True, size=7.5)
            note.paragraph_format.space_after = Pt(10)


def _write(paragraph: Paragraph, value: Any, table: Table, col: int, lang: str, size: Pt) -> None:
    """A cell's content: text with its line breaks, hyperlinks for links."""
    pieces = value if isinstance(value, list) else [show(value, table, col, lang)]
    for piece in pieces:
        if isinstance(piece, Link):
            if piece.url:
                ooxml.hyperlink(paragraph, piece.text, url=piece.url, font_size=size)
            else:
                paragraph.add_run(piece.text).font.size = size
            continue
        lines = str(piece).split("\n")
        for i, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.font.size = size
            if i < len(lines) - 1:
                run.add_break(WD_BREAK.LINE)


def widths_cm(table: Table, cols: int) -> list[float]:
    """The table's document widths scaled to the page (or its XLSX widths, each at least 1.1 cm)."""
    raw = table.doc_widths or [max(float(w), 6.0) for w in table.widths]
    raw = raw[:cols]
    total = sum(raw) or 1.0
    scale = min(1.0, USABLE_CM / total) if table.doc_widths else USABLE_CM / total
    return [round(w * scale, 3) for w in raw]


def add_table(doc: DocumentType, table: Table, lang: str, font: float = 7.5) -> None:
    size = Pt(font)
    colours = fills(table)
    n = len(table.headers)
    grid = doc.add_table(rows=1, cols=n)
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    head = grid.rows[0]
    ooxml.row_flags(head, header=True)
    for j, text in enumerate(table.headers):
        cell = head.cells[j]
        run = cell.paragraphs[0].add_run(text)
        run.bold, run.font.size = True, size
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        ooxml.shade(cell, "1E3A5F")
        if j in table.mark_cols or j in table.money_cols:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    last = len(table.rows) - 1
    for i, row in enumerate(table.rows):
        tr = grid.add_row()
        ooxml.row_flags(tr)
        cells = [_Cell(tc, grid) for tc in tr._tr.tc_lst]  # row.cells re-reads the whole table: quadratic
        for j, value in enumerate(row):
            paragraph = cells[j].paragraphs[0]
            _write(paragraph, value, table, j, lang, size)
            if j in table.mark_cols:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            elif j in table.money_cols or (isinstance(value, int | float) and not isinstance(value, bool)):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if table.total_row and i == last:
                for run in paragraph.runs:
                    run.bold = True
            if colours[i][j]:
                ooxml.shade(cells[j], colours[i][j])  # type: ignore[arg-type]
    if not table.rows:
        tr = grid.add_row()
        cell = _Cell(tr._tr.tc_lst[0], grid)
        cell.paragraphs[0].add_run(t("inventory.value.none", lang)).font.size = size
        for extra in tr._tr.tc_lst[1:]:
            tr._tr.remove(extra)
        ooxml.span(cell, n)
    ooxml.cell_margins(grid)
    ooxml.fix_widths(grid, widths_cm(table, n))
    for paragraph in (p for row in grid.rows for c in row.cells for p in c.paragraphs):
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.space_before = Pt(0)
        paragraph.paragraph_format.line_spacing = 1.0
    doc.add_paragraph().paragraph_format.space_after = Pt(2)


# --- the document ----------------------------------------------------------------------------------------------

def _styles(doc: DocumentType) -> None:
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for name, size in (("Title", 20), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        style = doc.styles[name]
        style.font.name, style.font.size, style.font.color.rgb = FONT, Pt(size), NAVY
        fonts = style.element.rPr.rFonts  # the template's theme fonts would win over the name
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
    caption = doc.styles["Caption"]
    caption.font.name, caption.font.size, caption.font.bold, caption.font.italic = FONT, Pt(9), True, False
    caption.font.color.rgb = NAVY
    caption.paragraph_format.space_before, caption.paragraph_format.space_after = Pt(6), Pt(3)
    for level in (1, 2, 3):
        _toc_style(doc, f"toc {level}", f"TOC{level}", indent=0.6 * (level - 1), bold=level == 1)
    _toc_style(doc, "table of figures", "TableofFigures", indent=0, bold=False)


def _toc_style(doc: DocumentType, name: str, style_id: str, *, indent: float, bold: bool) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.set(qn("w:styleId"), style_id)
    style.base_style = doc.styles["Normal"]
    style.font.size, style.font.bold = Pt(10), bold
    style.paragraph_format.left_indent = Cm(indent)
    style.paragraph_format.space_after = Pt(2)
    tabs = style.paragraph_format.tab_stops
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER

    tabs.add_tab_stop(Cm(USABLE_CM), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)


def _page_setup(doc: DocumentType, header_left: str, header_right: str, lang: str) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(PAGE_W), Cm(PAGE_H)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN))
    section.header_distance = section.footer_distance = Cm(1.0)
    head = section.header.paragraphs[0]
    head.style = doc.styles["Normal"]  # the template's Header style has portrait tab stops
    ooxml.tab_stop(head, USABLE_CM, align="right")
    run = head.add_run(f"{header_left}\t{header_right}")
    run.font.size, run.font.color.rgb = Pt(8), RGBColor(0x6B, 0x72, 0x80)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    small = Pt(8)
    foot.add_run(t("inventory.docx.page", lang) + " ").font.size = small
    ooxml.field(foot, "PAGE", "1", font_size=small)
    foot.add_run(" " + t("inventory.docx.of", lang) + " ").font.size = small
    ooxml.field(foot, "NUMPAGES", "1", font_size=small)


def _contents(b: Builder, at: Paragraph) -> None:
    """The table of contents and the list of tables (TOC fields, entries pre-filled), moved before ``at``."""
    start = len(b.doc.paragraphs)
    lists = ((t("inventory.docx.toc", b.lang), 'TOC \\o "1-3" \\h \\z \\u', [e for e in b.entries if e.level]),
             (t("inventory.docx.list_of_tables", b.lang), 'TOC \\h \\z \\c "Tabel"',
              [e for e in b.entries if not e.level]))
    for title, instruction, entries in lists:
        b.paragraph(title, style="TOC Heading")
        for i, entry in enumerate(entries):
            style = f"toc {entry.level}" if entry.level else "table of figures"
            paragraph = b.doc.add_paragraph(style=style)
            if i == 0:
                ooxml.field_begin(paragraph, instruction)
            ooxml.hyperlink(paragraph, entry.text, anchor=entry.bookmark, color="", underline=False)
            paragraph.add_run("\t")
            page = b.toc_pages.get(entry.bookmark)
            ooxml.field(paragraph, f"PAGEREF {entry.bookmark} \\h", str(page) if page else "")
            if i == len(entries) - 1:
                ooxml.field_end(paragraph)
    b.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for paragraph in b.doc.paragraphs[start:]:
        at._p.addprevious(paragraph._p)


def _probe(b: Builder) -> None:
    """A page-number probe after the last page: one line per bookmark with a PAGEREF field, which LibreOffice
    computes when it lays the document out (hub.inventory.pdf reads them, then renders without the probe)."""
    b.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    for entry in b.entries:
        paragraph = b.doc.add_paragraph()
        paragraph.add_run(f"{PROBE} {entry.bookmark} ")
        ooxml.field(paragraph, f"PAGEREF {entry.bookmark} \\h", "0")


def _to_bytes(doc: DocumentType) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _new(lang: str, header_left: str, header_right: str, toc_pages: dict[str, int] | None) -> Builder:
    doc = Document()
    _styles(doc)
    _page_setup(doc, header_left, header_right, lang)
    ooxml.update_fields_on_open(doc)
    return Builder(doc, lang, dict(toc_pages or {}))


def render_docx(inv: Inventory, lang: str, run_link: RunLink = no_link, *, toc_pages: dict[str, int] | None = None,
                probe: bool = False) -> bytes:
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    chapter = t("inventory.doc.chapter", lang)
    b = _new(lang, t("inventory.docx.header", lang, pemda=pemda, chapter=chapter),
             t("inventory.docx.header_date", lang, date=fmt.day(inv.as_of, lang)), toc_pages)
    b.doc.add_heading(t("inventory.docx.book", lang, pemda=pemda), level=0)
    b.heading(f"{CHAPTER}.c {chapter}", 1)
    b.paragraph(meta_text(inv, lang), italic=True, size=9)
    contents_at = b.doc.add_paragraph()
    sections = _sections(b, inv, lang, run_link)
    for number, (key, write) in enumerate(sections, start=1):
        b.heading(f"{number}. {t(f'inventory.docx.{key}', lang)}", 2)
        write()
    b.heading(t("inventory.docx.appendix", lang), 2)
    for table in appendix_tables(lang, inv.roadmap.horizons, inv.plan):
        b.table(table)
    _contents(b, contents_at)
    contents_at._p.getparent().remove(contents_at._p)
    if probe:
        _probe(b)
    return _to_bytes(b.doc)


def _sections(b: Builder, inv: Inventory, lang: str, run_link: RunLink) -> list[tuple[str, Any]]:
    def overview() -> None:
        for text in paragraphs(inv, lang):
            b.paragraph(text)

    def roadmap() -> None:
        b.paragraph(f"{inv.roadmap.formula.get(lang)} {inv.roadmap.quick_win_rule.get(lang)}")
        for horizon in ("short", "medium", "long"):
            table = roadmap_table(inv, lang, horizon)
            b.heading(table.title, 3)
            b.table(table, caption=t("inventory.docx.roadmap_caption", lang, horizon=table.title))
        b.heading(t("inventory.docx.quick_wins", lang), 3)
        names = {a.app_id: a.name for a in inv.applications}
        for item in inv.roadmap.quick_wins:
            apps = ", ".join(names.get(a, a) for a in item.app_ids)
            b.paragraph(f"{item.program.get(lang)} — {item.responsible.label} ({apps}): {item.kpi.what.get(lang)} "
                        f"({item.kpi.when.get(lang)})", style="List Bullet")
        if not inv.roadmap.quick_wins:
            b.paragraph(t("inventory.narrative.no_quick_wins", lang))

    def plan() -> None:
        b.paragraph(plan_paragraph(inv, lang))
        for table in plan_tables(inv, lang):
            b.table(table, font=7 if table.key in ("jadwal", "biaya_opd") else 7.5)

    def monev() -> None:
        if inv.monev is None:  # the section list only names Monev for an inventory that has one
            return
        _monev(b, inv.monev, lang, {a.app_id: a.name for a in inv.applications})

    out: list[tuple[str, Any]] = [
        ("overview", overview),
        ("readiness", lambda: b.table(readiness_table(inv, lang))),
        ("coverage", lambda: b.table(coverage_table(inv, lang))),
        ("gaps", lambda: b.table(gaps_table(inv, lang, run_link), font=7)),
        ("roadmap", roadmap),
    ]
    if inv.plan is not None:
        out.append(("plan", plan))
    out += [("heatmap", lambda: b.table(heatmap_table(inv, lang))), ("opd", lambda: b.table(opd_table(inv, lang)))]
    if inv.monev is not None:
        out.append(("monev", monev))
    return out


def _monev(b: Builder, ws: MonevWorksheet, lang: str, names: dict[str, str] | None = None) -> None:
    b.paragraph(monev_paragraph(ws, lang))
    for table in monev_tables(ws, lang, names):
        b.table(table)


def render_monev_docx(ws: MonevWorksheet, lang: str, names: dict[str, str] | None = None) -> bytes:
    b = _new(lang, t("inventory.doc.monev_title", lang), f"{ws.label_a} → {ws.label_b}", None)
    b.doc.add_heading(t("inventory.doc.monev_title", lang), level=0)
    b.heading(t("inventory.docx.monev", lang), 1)
    _monev(b, ws, lang, names)
    return _to_bytes(b.doc)
