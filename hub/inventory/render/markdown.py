"""Markdown: the narrative and every table (GitHub-flavoured pipe tables), links to the assessment reports."""

from __future__ import annotations

from typing import Any

from hub.i18n import t
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render.appendix import appendix_tables
from hub.inventory.render.evidence import Link, RunLink, no_link
from hub.inventory.render.narrative import meta_text, monev_paragraph, paragraphs
from hub.inventory.render.tables import Table, inventory_tables, monev_tables, show


def _escape(text: str) -> str:
    """One table cell: pipes escaped, line breaks as <br>, other whitespace collapsed."""
    return "<br>".join(" ".join(line.split()) for line in text.split("\n")).replace("|", "\\|")


def cell(value: Any, table: Table | None = None, col: int = 0, lang: str = "id") -> str:
    if isinstance(value, list):
        parts = []
        for piece in value:
            if isinstance(piece, Link):
                parts.append(f"[{_escape(piece.text)}]({piece.url})" if piece.url else _escape(piece.text))
            else:
                parts.append(str(piece).replace("|", "\\|").replace("\n", "<br>"))
        return "".join(parts)
    return _escape(show(value, table, col, lang))


def table_md(table: Table, level: int = 2, lang: str = "id") -> str:
    out = [f"{'#' * level} {table.title}", ""]
    if table.note:
        out += [f"_{cell(table.note)}_", ""]
    out.append("| " + " | ".join(cell(x) for x in table.headers) + " |")
    out.append("|" + "|".join("---:" if table.numeric(i) or i in table.money_cols else "---"
                              for i in range(len(table.headers))) + "|")
    for row in table.rows:
        cells = [cell(x, table, i, lang) for i, x in enumerate(row)]
        if table.total_row and row is table.rows[-1]:
            cells = [f"**{c}**" if c else c for c in cells]
        out.append("| " + " | ".join(cells) + " |")
    if not table.rows:
        out.append("| " + " | ".join([t("inventory.value.none", lang)] + [""] * (len(table.headers) - 1)) + " |")
    return "\n".join(out) + "\n"


def render_markdown(inv: Inventory, lang: str, run_link: RunLink = no_link) -> str:
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    out = [f"# {t('inventory.doc.title', lang)} — {pemda}", "", meta_text(inv, lang), ""]
    out += [f"## {t('inventory.doc.summary', lang)}", ""]
    out += [p + "\n" for p in paragraphs(inv, lang)]
    for table in inventory_tables(inv, lang, run_link):
        out.append(table_md(table, lang=lang))
    out += [f"## {t('inventory.doc.appendix', lang)}", ""]
    out += [table_md(tb, level=3, lang=lang) for tb in appendix_tables(lang, inv.roadmap.horizons, inv.plan)]
    return "\n".join(out)


def render_monev_markdown(ws: MonevWorksheet, lang: str, names: dict[str, str] | None = None) -> str:
    out = [f"# {t('inventory.doc.monev_title', lang)}", "", monev_paragraph(ws, lang), ""]
    out += [table_md(tb, lang=lang) for tb in monev_tables(ws, lang, names)]
    return "\n".join(out)
