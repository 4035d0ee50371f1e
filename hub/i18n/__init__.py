"""Bilingual messages (Bahasa Indonesia by default, English on request).

Messages are data: every ``catalog/*.yaml`` file in this package maps a stable key to ``{id: ..., en: ...}``
with ``str.format`` placeholders. Keys must be unique across files; a duplicate is a programming error.

Fractional numbers given as message parameters are written the language's way (``55,6`` / ``55.6``); for
percentages, money and dates use the helpers of :mod:`hub.i18n.formats` (re-exported here).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from hub.i18n.formats import fmt_date, fmt_datetime, fmt_money, fmt_number, fmt_param, fmt_percent, fmt_ratio
from hub.settings import Lang

__all__ = ["LANGS", "both", "catalog", "fmt_date", "fmt_datetime", "fmt_money", "fmt_number", "fmt_percent",
           "fmt_ratio", "negotiate", "t"]

CATALOG_DIR = Path(__file__).parent / "catalog"
LANGS: tuple[Lang, ...] = ("id", "en")


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache
def catalog() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(CATALOG_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, texts in data.items():
            if key in merged:
                raise RuntimeError(f"message key {key!r} defined twice (second time in {path.name})")
            missing = [lang for lang in LANGS if lang not in texts]
            if missing:
                raise RuntimeError(f"message key {key!r} in {path.name} lacks {missing}")
            merged[key] = texts
    return merged


def t(key: str, lang: str = "id", /, **params: object) -> str:
    """Translate ``key`` into ``lang`` (``id`` or ``en``), filling ``{placeholders}`` from ``params``."""
    texts = catalog().get(key)
    if texts is None:
        return key
    language = lang if lang in texts else "id"
    return texts[language].format_map(_SafeDict({k: fmt_param(v, language) for k, v in params.items()}))


def both(key: str, /, **params: object) -> dict[str, str]:
    """The message in both languages, e.g. for reports that carry ``message: {id, en}``."""
    return {lang: t(key, lang, **params) for lang in LANGS}


def negotiate(accept_language: str | None, default: str = "id") -> Lang:
    """Pick ``id`` or ``en`` from an Accept-Language header (quality values honoured)."""
    if not accept_language:
        return default  # type: ignore[return-value]
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and (best is None or quality > best[0]):
            best = (quality, primary)
    return best[1] if best else default  # type: ignore[return-value]
