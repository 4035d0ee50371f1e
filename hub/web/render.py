"""Jinja2 pages of the web workspace: one environment, every label through the message catalog."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from hub.i18n import t
from hub.inventory import fmt

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# (path, label key, action needed or None) — the order of the main navigation
NAV: tuple[tuple[str, str, str | None], ...] = (
    ("/", "web.nav.home", None),
    ("/aplikasi", "web.nav.applications", "registry:read"),
    ("/penilaian", "web.nav.assessments", "assessment:read"),
    ("/kesenjangan", "web.nav.inventory", "inventory:read"),
    ("/provinsi", "web.nav.federation", "inventory:read"),
    ("/validator", "web.nav.validator", "validate:run"),
    ("/skema", "web.nav.schemas", None),
    ("/pertukaran", "web.nav.exchange", "exchange:manage"),
    ("/audit", "web.nav.audit", "audit:read"),
)


def _when(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") + (" UTC" if value.utcoffset() is not None else "")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _score(value: Any) -> str:
    if value is None:
        return "–"
    try:
        return f"{float(value):.0f}"
    except (TypeError, ValueError):
        return str(value)


def _text(value: Any, lang: str) -> str:
    """A bilingual value ({id, en} dict, Text/Message model, or plain) in ``lang``."""
    if value is None:
        return ""
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("id") or "")
    return str(value)


@lru_cache
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    env.filters["when"] = _when
    env.filters["score"] = _score
    env.filters["money"] = lambda value, lang: fmt.money(value, lang) if isinstance(value, int | float) else value
    env.filters["num"] = lambda value, lang: fmt.number(value, lang) if isinstance(value, float) else value
    return env


def render_page(template: str, lang: str, context: dict[str, Any]) -> str:
    def label(key: str, **params: Any) -> str:
        return t(key, lang, **params)

    def text(value: Any) -> str:
        return _text(value, lang)

    return environment().get_template(template).render(_=label, tx=text, lang=lang, **context)
