"""Markdown: the narrative and every table (GitHub-flavoured pipe tables)."""

from __future__ import annotations

from typing import Any

from hub.i18n import t
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render.narrative import monev_paragraph, paragraphs
from hub.inventory.render.tables import Table, inventory_tables, monev_tables, rules_tables


def _cell(value: Any) -> str:
    text = "" if value is None else (f"{value:g}" if isinstance(value, float) else str(value))
    return " ".join(text.split()).replace("|", "\\|")


def table_md(table: Table, level: int = 2) -> str:
    out = [f"{'#' * level} {table.title}", ""]
    if table.note:
        out += [f"_{_cell(table.note)}_", ""]
    out.append("| " + " | ".join(_cell(x) for x in table.headers) + " |")
    out.append("|" + "|".join("---:" if _numeric(table, i) else "---" for i in range(len(table.headers))) + "|")
    out += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in table.rows]
    if not table.rows:
        out.append("| " + " | ".join([t("inventory.value.none", "id")] + [""] * (len(table.headers) - 1)) + " |")
    return "\n".join(out) + "\n"


def _numeric(table: Table, col: int) -> bool:
    values = [row[col] for row in table.rows if row[col] not in ("", "-")]
    return bool(values) and all(isinstance(v, int | float) for v in values)


def render_markdown(inv: Inventory, lang: str) -> str:
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    out = [f"# {t('inventory.doc.title', lang)} — {pemda}", "",
           t("inventory.doc.meta", lang, as_of=inv.as_of.isoformat(), rules=inv.rules_version), ""]
    out += [f"## {t('inventory.doc.summary', lang)}", ""]
    out += [p + "\n" for p in paragraphs(inv, lang)]
    for table in inventory_tables(inv, lang):
        out.append(table_md(table))
    out += [f"## {t('inventory.doc.appendix', lang)}", ""]
    out += [table_md(tb, level=3) for tb in rules_tables(lang, inv.roadmap.horizons)]
    return "\n".join(out)


def render_monev_markdown(ws: MonevWorksheet, lang: str) -> str:
    out = [f"# {t('inventory.doc.monev_title', lang)}", "", monev_paragraph(ws, lang), ""]
    out += [table_md(tb) for tb in monev_tables(ws, lang)]
    return "\n".join(out)
