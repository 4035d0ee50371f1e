"""Printable HTML: one self-contained page (Jinja2, inline CSS with print styles, inline SVG charts)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.i18n import t
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render.narrative import monev_paragraph, paragraphs
from hub.inventory.render.svg import heatmap_svg, opd_svg
from hub.inventory.render.tables import CHECK, Table, fills, inventory_tables, monev_tables, rules_tables

TEMPLATES = Path(__file__).parent / "templates"


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _cls(value: Any, table: Table, col: int) -> str:
    if col in table.ref_cols:
        return "ref"
    if value == CHECK:
        return "mark"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "num"
    return ""


@lru_cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["show"] = _show
    env.filters["cls"] = _cls
    return env


def _page(lang: str, title: str, meta: str, paras: list[str], tables: list[Table], appendix: list[Table],
          svgs: list[str]) -> str:
    return _env().get_template("inventory.html").render(
        lang=lang, title=title, chapter=t("inventory.doc.chapter", lang), meta=meta, paragraphs=paras,
        tables=tables, appendix=appendix, svgs=svgs,
        table_fills={tb.key: fills(tb) for tb in [*tables, *appendix]},
        summary_title=t("inventory.doc.summary", lang), charts_title=t("inventory.doc.charts", lang),
        appendix_title=t("inventory.doc.appendix", lang), none_text=t("inventory.value.none", lang))


def render_html(inv: Inventory, lang: str) -> str:
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    return _page(lang, f"{t('inventory.doc.title', lang)} — {pemda}",
                 t("inventory.doc.meta", lang, as_of=inv.as_of.isoformat(), rules=inv.rules_version),
                 paragraphs(inv, lang), inventory_tables(inv, lang), rules_tables(lang, inv.roadmap.horizons),
                 [heatmap_svg(inv.heatmap, lang), opd_svg(inv.opd_summary, lang)])


def render_monev_html(ws: MonevWorksheet, lang: str) -> str:
    return _page(lang, t("inventory.doc.monev_title", lang), f"{ws.label_a} → {ws.label_b}",
                 [monev_paragraph(ws, lang)], monev_tables(ws, lang), [], [])
