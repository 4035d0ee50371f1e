"""Small WordprocessingML pieces python-docx has no API for: fields (TOC, SEQ, PAGE, NUMPAGES, PAGEREF),
bookmarks, hyperlinks, a table grid with fixed column widths, cell margins and row flags.

Widths: Word reads ``w:tcW``; LibreOffice reads the table grid (``w:tblGrid/w:gridCol``) and lays a table out by it
only with ``w:tblLayout w:type="fixed"``. :func:`fix_widths` writes all three, plus ``w:tblW``, so both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu
from docx.text.paragraph import Paragraph

TWIPS_PER_CM = 566.93


def twips(cm: float) -> int:
    return round(cm * TWIPS_PER_CM)


def _el(tag: str, **attrs: str) -> Any:
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _run_with(paragraph: Paragraph, child: Any, font_size: Any = None) -> Any:
    run = paragraph.add_run()
    if font_size is not None:
        run.font.size = font_size
    run._r.append(child)
    return run


def field(paragraph: Paragraph, instruction: str, cached: str = "", *, dirty: bool = False,
          font_size: Any = None) -> None:
    """A complex field ``{ instruction }`` showing ``cached`` until the reader's program updates it."""
    begin = _el("w:fldChar", fldCharType="begin")
    if dirty:
        begin.set(qn("w:dirty"), "true")
    _run_with(paragraph, begin, font_size)
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    _run_with(paragraph, instr, font_size)
    _run_with(paragraph, _el("w:fldChar", fldCharType="separate"), font_size)
    if cached:
        run = paragraph.add_run(cached)
        if font_size is not None:
            run.font.size = font_size
    _run_with(paragraph, _el("w:fldChar", fldCharType="end"), font_size)


def field_begin(paragraph: Paragraph, instruction: str) -> None:
    """The first half of a field whose result spans several paragraphs (a table of contents)."""
    _run_with(paragraph, _el("w:fldChar", fldCharType="begin"))
    instr = _el("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    _run_with(paragraph, instr)
    _run_with(paragraph, _el("w:fldChar", fldCharType="separate"))


def field_end(paragraph: Paragraph) -> None:
    _run_with(paragraph, _el("w:fldChar", fldCharType="end"))


def bookmark(paragraph: Paragraph, name: str, number: int) -> None:
    """Bookmark the whole paragraph as ``name`` (the target of a TOC entry's hyperlink and PAGEREF)."""
    start = _el("w:bookmarkStart", id=str(number), name=name)
    end = _el("w:bookmarkEnd", id=str(number))
    p = paragraph._p
    p.insert(1 if p.pPr is not None else 0, start)
    p.append(end)


def hyperlink(paragraph: Paragraph, text: str, *, url: str | None = None, anchor: str | None = None,
              font_size: Any = None, color: str = "1E3A5F", underline: bool = True) -> Any:
    """A hyperlink to ``url`` (external) or to the bookmark ``anchor``; returns the ``w:hyperlink`` element."""
    link = _el("w:hyperlink")
    if url:
        rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
        link.set(qn("r:id"), rid)
    if anchor:
        link.set(qn("w:anchor"), anchor)
        link.set(qn("w:history"), "1")
    run = _el("w:r")
    props = _el("w:rPr")
    if color:
        props.append(_el("w:color", val=color))
    if underline:
        props.append(_el("w:u", val="single"))
    if font_size is not None:
        size = str(round(Emu(font_size).pt * 2))
        props.append(_el("w:sz", val=size))
        props.append(_el("w:szCs", val=size))
    run.append(props)
    node = _el("w:t")
    node.set(qn("xml:space"), "preserve")
    node.text = text
    run.append(node)
    link.append(run)
    paragraph._p.append(link)
    return link


TBL_PR_ORDER = ["tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
                "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"]


def _schema_order(parent: Any, order: list[str]) -> None:
    """Put the children of ``parent`` in the order the schema wants (Word refuses some files otherwise)."""
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    children = list(parent)
    for child in children:
        parent.remove(child)
    for child in sorted(children, key=lambda c: rank.get(c.tag, len(rank))):
        parent.append(child)


def fix_widths(table: Any, widths_cm: Iterable[float]) -> None:
    """Fixed layout, table width, grid columns and every cell's width (Word and LibreOffice both honour them)."""
    widths = [twips(w) for w in widths_cm]
    tbl = table._tbl
    props = tbl.tblPr
    for tag in ("w:tblW", "w:tblLayout", "w:tblInd"):
        for old in props.findall(qn(tag)):
            props.remove(old)
    props.append(_el("w:tblW", w=str(sum(widths)), type="dxa"))
    props.append(_el("w:tblInd", w="0", type="dxa"))
    props.append(_el("w:tblLayout", type="fixed"))
    _schema_order(props, TBL_PR_ORDER)
    grid = tbl.tblGrid
    for old in list(grid):
        grid.remove(old)
    for w in widths:
        grid.append(_el("w:gridCol", w=str(w)))
    for tr in tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, widths, strict=False):
            tc_pr = tc.get_or_add_tcPr()
            for old in tc_pr.findall(qn("w:tcW")):
                tc_pr.remove(old)
            tc_pr.insert(0, _el("w:tcW", w=str(w), type="dxa"))


def cell_margins(table: Any, left_cm: float = 0.1, right_cm: float = 0.1, top_cm: float = 0.03,
                 bottom_cm: float = 0.03) -> None:
    margins = _el("w:tblCellMar")
    for side, cm in (("top", top_cm), ("left", left_cm), ("bottom", bottom_cm), ("right", right_cm)):
        margins.append(_el(f"w:{side}", w=str(twips(cm)), type="dxa"))
    table._tbl.tblPr.append(margins)
    _schema_order(table._tbl.tblPr, TBL_PR_ORDER)


def row_flags(row: Any, *, header: bool = False, cant_split: bool = True) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    if cant_split:
        tr_pr.append(_el("w:cantSplit", val="true"))
    if header:
        tr_pr.append(_el("w:tblHeader", val="true"))


def shade(cell: Any, fill: str) -> None:
    cell._tc.get_or_add_tcPr().append(_el("w:shd", val="clear", color="auto", fill=fill))


def span(cell: Any, columns: int) -> None:
    cell._tc.get_or_add_tcPr().append(_el("w:gridSpan", val=str(columns)))


def tab_stop(paragraph: Paragraph, position_cm: float, *, align: str = "right", leader: str | None = None) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    tabs = p_pr.find(qn("w:tabs"))
    if tabs is None:
        tabs = _el("w:tabs")
        p_pr.append(tabs)
    stop = _el("w:tab", val=align, pos=str(twips(position_cm)))
    if leader:
        stop.set(qn("w:leader"), leader)
    tabs.append(stop)


def update_fields_on_open(document: Any) -> None:
    """Ask Word to update every field (the table of contents, page references) when the document is opened."""
    settings = document.settings.element
    for old in settings.findall(qn("w:updateFields")):
        settings.remove(old)
    settings.append(_el("w:updateFields", val="true"))


__all__ = ["Cm", "bookmark", "cell_margins", "field", "field_begin", "field_end", "fix_widths", "hyperlink",
           "row_flags", "shade", "span", "tab_stop", "twips", "update_fields_on_open"]
