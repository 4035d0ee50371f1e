"""Printable HTML: one self-contained page (Jinja2, inline CSS with print styles, inline SVG charts)."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from hub.i18n import t
from hub.inventory.models import Inventory, MonevWorksheet
from hub.inventory.render.appendix import appendix_tables
from hub.inventory.render.evidence import Link, RunLink, no_link
from hub.inventory.render.narrative import meta_text, monev_paragraph, paragraphs
from hub.inventory.render.svg import heatmap_svg, opd_svg
from hub.inventory.render.tables import CHECK, Table, fills, inventory_tables, monev_tables, show

TEMPLATES = Path(__file__).parent / "templates"


def _text(text: str) -> str:
    return escape(text).replace("\n", "<br>")


def cell_html(value: Any, table: Table, col: int, lang: str) -> Markup:
    if isinstance(value, list):
        parts = []
        for piece in value:
            if isinstance(piece, Link):
                parts.append(f'<a href="{escape(piece.url)}">{escape(piece.text)}</a>' if piece.url
                             else escape(piece.text))
            else:
                parts.append(_text(piece))
        return Markup("".join(parts))  # noqa: S704 - every piece escaped above
    return Markup(_text(show(value, table, col, lang)))  # noqa: S704 - escaped


def _cls(value: Any, table: Table, col: int) -> str:
    if value == CHECK or col in table.mark_cols:
        return "mark"
    if col in table.money_cols or (isinstance(value, int | float) and not isinstance(value, bool)):
        return "num"
    return ""


def col_widths(table: Table) -> list[float]:
    """Column widths in per cent of the page (from the document widths)."""
    widths = table.doc_widths or [float(w) for w in table.widths]
    total = sum(widths) or 1.0
    return [round(100 * w / total, 1) for w in widths]


@lru_cache
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cls"] = _cls
    env.globals["cell_html"] = cell_html
    env.globals["col_widths"] = col_widths
    return env


def _page(lang: str, title: str, meta: str, paras: list[str], tables: list[Table], appendix: list[Table],
          svgs: list[str]) -> str:
    return _env().get_template("inventory.html").render(
        lang=lang, title=title, chapter=t("inventory.doc.chapter", lang), meta=meta, paragraphs=paras,
        tables=tables, appendix=appendix, svgs=svgs,
        table_fills={tb.key: fills(tb) for tb in [*tables, *appendix]},
        summary_title=t("inventory.doc.summary", lang), charts_title=t("inventory.doc.charts", lang),
        appendix_title=t("inventory.doc.appendix", lang), none_text=t("inventory.value.none", lang))


def render_html(inv: Inventory, lang: str, run_link: RunLink = no_link) -> str:
    pemda = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    return _page(lang, f"{t('inventory.doc.title', lang)} — {pemda}", meta_text(inv, lang),
                 paragraphs(inv, lang), inventory_tables(inv, lang, run_link),
                 appendix_tables(lang, inv.roadmap.horizons, inv.plan),
                 [heatmap_svg(inv.heatmap, lang), opd_svg(inv.opd_summary, lang)])


def render_monev_html(ws: MonevWorksheet, lang: str, names: dict[str, str] | None = None) -> str:
    return _page(lang, t("inventory.doc.monev_title", lang), f"{ws.label_a} → {ws.label_b}",
                 [monev_paragraph(ws, lang)], monev_tables(ws, lang, names), [], [])
