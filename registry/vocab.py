"""Code lists of the registry, loaded from ``registry/data/*.yaml`` (data, not code).

Each list has codes (stored), labels in Bahasa Indonesia and English (shown), and aliases an OPD spreadsheet may
use instead of the code (``"Keuangan Daerah"`` → ``keuangan``). :func:`normalize` maps an alias to its code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Term:
    code: str
    label_id: str
    label_en: str
    aliases: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def label(self, lang: str = "id") -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass(frozen=True)
class Vocabulary:
    name: str
    terms: tuple[Term, ...]
    _table: dict[str, str] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def codes(self) -> list[str]:
        return [t.code for t in self.terms]

    def get(self, code: str) -> Term | None:
        return next((t for t in self.terms if t.code == code), None)

    def label(self, code: str | None, lang: str = "id") -> str:
        term = self.get(code) if code else None
        return term.label(lang) if term else (code or "")

    def normalize(self, value: Any) -> Any:
        """Return the code for ``value`` (a code, a label or an alias, any case); unknown values unchanged."""
        if not isinstance(value, str):
            return value
        lookup = self._table or self._table.update(_lookup(self)) or self._table
        if value in lookup:
            return lookup[value]
        return lookup.get(_key(value), value)


def _lookup(v: Vocabulary) -> dict[str, str]:
    """Code, alias and label (normalised) → code; codes map to themselves verbatim too."""
    table: dict[str, str] = {}
    for term in reversed(v.terms):  # the first term wins on a clash
        for name in (*term.aliases, term.label_en, term.label_id, term.code):
            table[_key(name)] = term.code
    table.update({t.code: t.code for t in v.terms})
    return table


def _key(text: str) -> str:
    return re.sub(r"[\s_\-&]+", " ", text.strip().lower()).strip()


def _load(name: str) -> Any:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def _terms(items: list[dict[str, Any]], code_key: str = "code") -> tuple[Term, ...]:
    out = []
    for item in items:
        rest = {k: v for k, v in item.items() if k not in (code_key, "id", "en", "aliases")}
        out.append(Term(str(item[code_key]), item["id"], item["en"], tuple(item.get("aliases") or ()), rest))
    return tuple(out)


@lru_cache
def vocabularies() -> dict[str, Vocabulary]:
    vocabs = {name: Vocabulary(name, _terms(items)) for name, items in _load("vocabularies.yaml").items()}
    vocabs["area"] = Vocabulary("area", _terms(_load("areas.yaml")))
    vocabs["smart_city_dimension"] = Vocabulary("smart_city_dimension", _terms(_load("smart_city_dimensions.yaml")))
    spbe = [{**i, "code": str(i["number"])} for i in _load("spbe_indicators.yaml")]
    vocabs["spbe_indicator"] = Vocabulary("spbe_indicator", _terms(spbe))
    national = [{"code": a["code"], "id": a["name"], "en": a["name"], **{k: v for k, v in a.items()
                 if k not in ("code", "name")}} for a in _load("national_apps.yaml")]
    vocabs["national_app"] = Vocabulary("national_app", _terms(national))
    return vocabs


def vocab(name: str) -> Vocabulary:
    return vocabularies()[name]


@lru_cache
def roles() -> dict[str, dict[str, Any]]:
    """Role → ``{id, en, actions}`` from ``data/roles.yaml``."""
    return _load("roles.yaml")


def role_allows(role: str, action: str) -> bool:
    return action in (roles().get(role) or {}).get("actions", [])
