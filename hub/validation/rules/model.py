"""The value types of the business-rule package: context, violation, rule and code list."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

Pointer = str
#: What a check function returns for each problem: (JSON Pointer, offending value, message parameters).
Finding = tuple[Pointer, object, dict[str, Any]]
CheckFn = Callable[[dict[str, Any], "RuleContext"], list[Finding]]

def version_order(version: str) -> tuple[tuple[int, Any], ...]:
    """Natural order of schema versions: ``1`` < ``1.1`` < ``1.10`` < ``2``."""
    return tuple((0, int(p)) if p.isascii() and p.isdigit() else (1, p) for p in re.split(r"[.\-]", version))


PEMDA_LEVELS = ("provinsi", "kabupaten", "kota")
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class RuleContext:
    """What a rule may know beyond the document. ``pemda_level``: ``provinsi`` | ``kabupaten`` | ``kota``."""

    pemda_level: str | None = None


@dataclass(frozen=True)
class Violation:
    """One business-rule or code-list finding. ``message`` and ``title`` are ``{"id": ..., "en": ...}``."""

    rule_id: str
    severity: str
    pointer: str
    value: object
    message: dict[str, str]
    title: dict[str, str]


@dataclass(frozen=True, eq=False)
class Rule:
    """One catalogued rule (``catalog.yaml``); ``check`` names the function in :mod:`.checks`."""

    id: str
    schemas: tuple[str, ...]
    check: str
    severity: str
    title: dict[str, str]
    message: dict[str, str]
    source: str
    examples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    since: dict[str, str] = field(default_factory=dict)
    """Schema key (or ``*``) → first schema version the rule applies to; older versions keep their contract."""
    severity_by_version: dict[str, str] = field(default_factory=dict)
    """Severity for named older versions (a rule made stricter in 1.1 stays a warning for 1)."""
    at: dict[str, str] = field(default_factory=dict)
    """Schema key → JSON Pointer of the object the rule reads there (NIK rules read ``/pemohon`` of permohonan)."""

    def applies_to(self, version: str | None, key: str | None = None) -> bool:
        first = self.since.get(key or "") or self.since.get("*")
        return version is None or first is None or version_order(version) >= version_order(first)

    def severity_for(self, version: str | None) -> str:
        return self.severity_by_version.get(version or "", self.severity)

    def apply(self, document: Any, context: RuleContext | None = None) -> list[Violation]:
        """Run this rule alone on ``document`` (used by tests and the rule documentation)."""
        from hub.validation.rules.engine import apply_rule

        return apply_rule(self, document, context or RuleContext())


@dataclass(frozen=True, eq=False)
class CodeList:
    """A configurable code list (``schemas/codelists/<name>.yaml`` or its override)."""

    name: str
    title: dict[str, str]
    description: dict[str, str]
    source: str
    confidence: str
    severity: str
    values: tuple[Mapping[str, Any], ...]
    path: Path | None = None
    overridden: bool = False

    @cached_property
    def _by_code(self) -> dict[str, Mapping[str, Any]]:
        return {v["code"]: v for v in self.values}

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._by_code)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and code in self._by_code

    def get(self, code: object) -> Mapping[str, Any] | None:
        return self._by_code.get(code) if isinstance(code, str) else None

    def label(self, code: object, lang: str = "id") -> str | None:
        value = self.get(code)
        if value is None:
            return None
        label = value.get("label") or {}
        return label.get(lang) or label.get("id") or str(code)
