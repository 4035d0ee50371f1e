"""Bilingual messages of the connectors, as data (``messages.yaml``).

``connectors`` never imports ``hub``, so it cannot use ``hub.i18n``; it carries its messages as ``{id, en}``
dictionaries instead, and the hub shows the language the user asked for.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yaml")
LANGS = ("id", "en")


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@lru_cache
def catalog() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8")) or {}
    for key, texts in data.items():
        missing = [lang for lang in LANGS if lang not in (texts or {})]
        if missing:
            raise RuntimeError(f"connector message {key!r} lacks {missing}")
    return data


def message(key: str, /, **params: object) -> dict[str, str]:
    """The message ``key`` in both languages, placeholders filled from ``params``."""
    texts = catalog().get(key)
    if texts is None:
        return dict.fromkeys(LANGS, key)
    values = _Keep({k: _text(v) for k, v in params.items()})
    return {lang: texts[lang].format_map(values) for lang in LANGS}


def _text(value: object) -> str:
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    return str(value)
