"""XLSX for planners (openpyxl): a summary sheet, then one sheet per table — styled header, frozen header row,
autofilter, column widths, wrapped text; scores as a red-yellow-green colour scale (conditional formatting),
gap counts white to red, the ✓ of baik / sedang / buruk in its colour."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.formatting.rule import ColorScaleRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hub.i18n import t
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render.appendix import appendix_tables
from hub.inventory.render.evidence import Link, RunLink, no_link, plain
from hub.inventory.render.narrative import meta_text, monev_paragraph, paragraphs
from hub.inventory.render.svg import HIGH, LOW, MID
from hub.inventory.render.tables import CHECK, OUTCOME_FILL, Table, inventory_tables, monev_tables
from registry.io.spreadsheets import protect_workbook

HEAD_FILL = PatternFill("solid", fgColor="1E3A5F")
HEAD_FONT = Font(bold=True, color="FFFFFF")
THIN = Side(style="thin", color="D1D5DB")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
MONEY = '"Rp"#,##0'  # Excel shows the grouping of the reader's locale: Rp2.320.000 in Indonesian
LINK_FONT = Font(color="1E3A5F", underline="single")


def _value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return plain(value)
    return value


def _link(value: object) -> str | None:
    if isinstance(value, list):
        return next((p.url for p in value if isinstance(p, Link) and p.url), None)
    return None


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def write_table(ws: Worksheet, table: Table) -> None:
    ws.append(table.headers)
    for cell in ws[1]:
        cell.fill, cell.font, cell.border = HEAD_FILL, HEAD_FONT, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table.rows:
        ws.append([_value(v) for v in row])
    last = len(table.rows) + 1
    for r, row in enumerate(ws.iter_rows(min_row=2, max_row=last)):
        source = table.rows[r]
        for cell in row:
            cell.alignment, cell.border = WRAP, BORDER
            col = cell.column - 1
            if col in table.outcome_cols and cell.value == CHECK:
                cell.fill = PatternFill("solid", fgColor=OUTCOME_FILL[table.outcome_cols[col]])
            if col in table.mark_cols:
                cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
            if col in table.fill_cols and cell.value not in ("", None):
                cell.fill = PatternFill("solid", fgColor=table.fill_cols[col])
            if col in table.money_cols and isinstance(cell.value, int | float):
                cell.number_format = MONEY
            url = _link(source[col])
            if url:
                cell.hyperlink, cell.font = url, LINK_FONT
            if table.total_row and r == len(table.rows) - 1:
                cell.font = Font(bold=True)
    for idx, width in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(idx)].width = width
    ws.row_dimensions[1].height = 32
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(table.headers))}{last - (1 if table.total_row else 0)}"
    if len(table.rows):
        for col in table.heat_cols:
            letter = get_column_letter(col + 1)
            ws.conditional_formatting.add(f"{letter}2:{letter}{last}", ColorScaleRule(
                start_type="num", start_value=0, start_color=LOW, mid_type="num", mid_value=50, mid_color=MID,
                end_type="num", end_value=100, end_color=HIGH))
        for col in table.count_cols:
            letter = get_column_letter(col + 1)
            ws.conditional_formatting.add(f"{letter}2:{letter}{last}", ColorScaleRule(
                start_type="min", start_color="FFFFFF", end_type="max", end_color=LOW))
    if table.note:
        ws.cell(row=last + 2, column=1, value=table.note).font = Font(italic=True, color="6B7280")


def _summary(ws: Worksheet, title: str, meta: str, paras: list[str], facts: list[tuple[str, object]],
             money: set[str] | None = None) -> None:
    money = money or set()
    ws["A1"] = title
    ws["A1"].font = Font(bold=True, size=14, color="1E3A5F")
    ws["A2"] = meta
    ws["A2"].font = Font(italic=True, color="6B7280")
    row = 4
    for p in paras:
        ws.cell(row=row, column=1, value=p).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        ws.row_dimensions[row].height = max(30, 15 * (len(p) // 110 + 1))
        row += 1
    row += 1
    for label, value in facts:
        ws.cell(row=row, column=1, value=label).font = Font(bold=True)
        target = ws.cell(row=row, column=2, value=value)
        if label in money:
            target.number_format = MONEY
        target.alignment = Alignment(horizontal="left")
        row += 1
    ws.column_dimensions["A"].width = 48
    for col in "BCD":
        ws.column_dimensions[col].width = 40


def _book(lang: str, title: str, meta: str, paras: list[str], facts: list[tuple[str, object]],
          tables: list[Table], money: set[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    used: set[str] = set()
    ws.title = _sheet_name(t("inventory.doc.summary", lang), used)
    _summary(ws, title, meta, paras, facts, money)
    for table in tables:
        write_table(wb.create_sheet(_sheet_name(t(f"inventory.sheet.{table.key}", lang), used)), table)
    protect_workbook(wb)  # names and notes come from OPDs and vendors: never a formula
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_xlsx(inv: Inventory, lang: str, run_link: RunLink = no_link) -> bytes:
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    tot = inv.totals
    facts: list[tuple[str, object]] = [
        (t("inventory.col.registered", lang), tot.registered), (t("inventory.col.production", lang), tot.production),
        (t("inventory.col.assessed", lang), tot.assessed), (t("inventory.col.interoperable", lang), tot.interoperable),
        (t("inventory.col.gaps", lang), tot.gaps), (t("inventory.col.programs", lang), len(inv.roadmap.items)),
        (t("inventory.col.quick_win", lang), tot.quick_wins),
        (t("inventory.col.formula", lang), inv.roadmap.formula.get(lang))]
    money: set[str] = set()
    if inv.plan is not None:
        label = t("inventory.col.cost_total", lang, first=inv.plan.years[0], last=inv.plan.years[-1])
        facts.append((label, inv.plan.total))
        money.add(label)
    tables = [*inventory_tables(inv, lang, run_link), *appendix_tables(lang, inv.roadmap.horizons, inv.plan)]
    return _book(lang, f"{t('inventory.doc.title', lang)} — {pemda}", meta_text(inv, lang),
                 paragraphs(inv, lang), facts, tables, money)


def render_monev_xlsx(ws: MonevWorksheet, lang: str, names: dict[str, str] | None = None) -> bytes:
    return _book(lang, t("inventory.doc.monev_title", lang), f"{ws.label_a} → {ws.label_b}",
                 [monev_paragraph(ws, lang)], [], monev_tables(ws, lang, names))
