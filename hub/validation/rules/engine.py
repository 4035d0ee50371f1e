"""Loads the rule catalog and runs rules and code-list checks on documents.

The catalog (``catalog.yaml``) is data: id, schemas, check, severity, title, message, source, examples. It is
read and checked once per process; an invalid catalog is a programming error and fails loudly at first use.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from hub.i18n import both
from hub.logging import get_logger
from hub.validation.rules import checks as _checks
from hub.validation.rules.codelists import codelists
from hub.validation.rules.codelists_in_schema import CodeListSlot, codelist_slots
from hub.validation.rules.model import SEVERITIES, CheckFn, CodeList, Rule, RuleContext, Violation

log = get_logger("hub.validation.rules")

HERE = Path(__file__).parent
RULE_ID = re.compile(r"^(PEG|REN|ANG|LEG|PLY)-\d{3}$")
URN_PREFIX = "urn:simpul:schema:"
LANGS = ("id", "en")


class _Params(dict):
    """Message parameters for one language: ``{"id", "en"}`` pairs pick the language; unknown names stay."""

    def __init__(self, params: dict[str, Any], lang: str):
        super().__init__({k: (p.get(lang) or p.get("id", "")) if _is_pair(p) else p for k, p in params.items()})

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _is_pair(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"id", "en"} and "id" in value


def render(texts: dict[str, str], params: dict[str, Any]) -> dict[str, str]:
    """Fill ``{placeholders}`` of a bilingual message."""
    return {lang: texts[lang].format_map(_Params(params, lang)) for lang in LANGS}


def schema_key(ref: str) -> str:
    """``urn:simpul:schema:kepegawaian/pegawai:1`` / ``kepegawaian/pegawai:1`` → ``kepegawaian/pegawai``."""
    ref = ref.strip()
    if ref.startswith(URN_PREFIX):
        ref = ref[len(URN_PREFIX):]
    return ref.split(":", 1)[0]


def schema_version(ref: str) -> str | None:
    """``kepegawaian/pegawai:1.1`` → ``1.1``; a key without a version → ``None`` (the rules of the latest)."""
    ref = ref.strip()
    if ref.startswith(URN_PREFIX):
        ref = ref[len(URN_PREFIX):]
    return ref.split(":", 1)[1] if ":" in ref else None


def retired_ids() -> frozenset[str]:
    data = yaml.safe_load((HERE / "retired_ids.yaml").read_text(encoding="utf-8")) or []
    return frozenset(str(item["id"] if isinstance(item, dict) else item) for item in data)


def _texts(raw: Any, rule_id: str, key: str) -> dict[str, str]:
    if not isinstance(raw, dict) or not all(isinstance(raw.get(lang), str) for lang in LANGS):
        raise RuntimeError(f"rule {rule_id}: '{key}' needs an 'id' and an 'en' text")
    return {lang: raw[lang] for lang in LANGS}


def _since(raw: Any) -> dict[str, str]:
    """``since: "1.1"`` (every schema of the rule) or ``since: {<schema key>: "1.1"}``."""
    if raw is None:
        return {}
    if isinstance(raw, dict):
        return {schema_key(str(k)): str(v) for k, v in raw.items()}
    return {"*": str(raw)}


def _rule(raw: dict[str, Any], seen: set[str], retired: frozenset[str]) -> Rule:
    rule_id = str(raw.get("id", ""))
    if not RULE_ID.match(rule_id):
        raise RuntimeError(f"rule id {rule_id!r} is not of the form PEG-001 (PEG, REN, ANG, LEG or PLY)")
    if rule_id in seen:
        raise RuntimeError(f"rule id {rule_id} is used twice")
    if rule_id in retired:
        raise RuntimeError(f"rule id {rule_id} is retired and must not be reused")
    if raw.get("check") not in _checks.CHECKS:
        raise RuntimeError(f"rule {rule_id}: check {raw.get('check')!r} is not registered in checks.py")
    if raw.get("severity") not in SEVERITIES:
        raise RuntimeError(f"rule {rule_id}: severity must be one of {SEVERITIES}")
    schemas = raw.get("schemas")
    if not isinstance(schemas, list) or not schemas:
        raise RuntimeError(f"rule {rule_id}: 'schemas' must list at least one schema key")
    examples = raw.get("examples") or {}
    by_version = {str(k): str(v) for k, v in (raw.get("severity_by_version") or {}).items()}
    if any(v not in SEVERITIES for v in by_version.values()):
        raise RuntimeError(f"rule {rule_id}: severity_by_version values must be one of {SEVERITIES}")
    at = {schema_key(str(k)): str(v) for k, v in (raw.get("at") or {}).items()}
    return Rule(
        id=rule_id, schemas=tuple(schema_key(s) for s in schemas), check=raw["check"], severity=raw["severity"],
        title=_texts(raw.get("title"), rule_id, "title"), message=_texts(raw.get("message"), rule_id, "message"),
        source=str(raw.get("source", "")),
        examples={"good": list(examples.get("good") or []), "bad": list(examples.get("bad") or [])},
        since=_since(raw.get("since")), severity_by_version=by_version, at=at,
    )


@lru_cache(maxsize=1)
def _catalog() -> tuple[Rule, ...]:
    data = yaml.safe_load((HERE / "catalog.yaml").read_text(encoding="utf-8")) or {}
    retired, seen, rules = retired_ids(), set(), []
    for raw in data.get("rules") or []:
        rule = _rule(raw, seen, retired)
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def catalog() -> list[Rule]:
    """Every business rule, in catalog order."""
    return list(_catalog())


@lru_cache(maxsize=64)
def _rules_for(key: str) -> tuple[Rule, ...]:
    return tuple(rule for rule in _catalog() if key in rule.schemas)


def rules_for(schema_key_: str) -> list[Rule]:
    """The rules that apply to a schema (key ``<domain>/<name>``; with a version or URN: that version's rules)."""
    version = schema_version(schema_key_)
    key = schema_key(schema_key_)
    return [rule for rule in _rules_for(key) if rule.applies_to(version, key)]


def _object_at(document: Any, pointer: str) -> Any:
    node = document
    for token in pointer.split("/")[1:]:
        node = node.get(token.replace("~1", "/").replace("~0", "~")) if isinstance(node, dict) else None
    return node


def apply_rule(rule: Rule, document: Any, context: RuleContext, *, key: str | None = None,
               version: str | None = None) -> list[Violation]:
    return _run(rule, _checks.CHECKS[rule.check], document, context, rule.at.get(key or "", ""),
                rule.severity_for(version))


def _run(rule: Rule, check: CheckFn, document: Any, context: RuleContext, prefix: str,
         severity: str) -> list[Violation]:
    if prefix:
        document = _object_at(document, prefix)
    if not isinstance(document, dict):
        return []
    try:
        findings = check(document, context)
    except Exception:  # a fault in a check is Simpul's, never the vendor's: log it and report nothing
        log.exception("rule_check_failed", rule=rule.id, check=rule.check)
        return []
    if not findings:
        return []
    return [
        Violation(rule_id=rule.id, severity=severity, pointer=prefix + pointer, value=value,
                  message=render(rule.message, {"value": value, **params}), title=dict(rule.title))
        for pointer, value, params in findings
    ]


@dataclass(frozen=True, eq=False)
class RulePlan:
    """What runs on every document of one schema version, resolved once: the rules that apply to that version
    with their check functions, where in the document each one looks (``at``) and the severity it has there, and
    the document paths that hold code-list values. Code lists themselves are looked up once per batch (an
    operator's override folder may change between batches)."""

    schema_key: str
    rules: tuple[tuple[Rule, CheckFn, str, str], ...]
    slots: tuple[CodeListSlot, ...]

    def evaluate(self, document: object, context: RuleContext) -> list[Violation]:
        if not isinstance(document, dict):
            return []
        out: list[Violation] = []
        for rule, check, prefix, severity in self.rules:
            found = _run(rule, check, document, context, prefix, severity)
            if found:
                out += found
        if self.slots:
            out += codelist_violations(self.slots, document)
        return out


_plans: dict[tuple[str, int], tuple[Any, RulePlan]] = {}


def plan_for(schema_key_: str, schema: dict[str, Any] | None = None) -> RulePlan:
    """The compiled rules of a (versioned) schema key and the code-list slots of ``schema``, built once."""
    slot = (schema_key_, id(schema))
    found = _plans.get(slot)
    if found is not None and found[0] is schema:
        return found[1]
    key, version = schema_key(schema_key_), schema_version(schema_key_)
    plan = RulePlan(schema_key=key,
                    rules=tuple((r, _checks.CHECKS[r.check], r.at.get(key, ""), r.severity_for(version))
                                for r in _rules_for(key) if r.applies_to(version, key)),
                    slots=codelist_slots(schema) if schema is not None else ())
    if len(_plans) > 256:
        _plans.clear()
    _plans[slot] = (schema, plan)
    return plan


# --- code lists -----------------------------------------------------------------------------------------------------
def _escape(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _values_at(node: Any, path: tuple[str, ...], pointer: str = "") -> Iterator[tuple[str, Any]]:
    if "*" not in path:  # a plain path: one value or none, no recursion
        for head in path:
            if not isinstance(node, dict) or head not in node:
                return
            node = node[head]
            pointer += "/" + _escape(head)
        yield pointer, node
        return
    if not path:
        yield pointer, node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from _values_at(item, rest, f"{pointer}/{i}")
    elif isinstance(node, dict) and head in node:
        yield from _values_at(node[head], rest, f"{pointer}/{_escape(head)}")


def codelist_violations(slots: tuple[CodeListSlot, ...], document: Any) -> list[Violation]:
    if not slots or not isinstance(document, dict):
        return []
    lists = codelists()
    out: list[Violation] = []
    for slot in slots:
        codes = lists.get(slot.codelist)
        if codes is None:
            continue
        for pointer, value in _values_at(document, slot.path):
            if isinstance(value, str) and value not in codes:
                out.append(_codelist_violation(codes, pointer, value))
    return out


def _codelist_violation(codes: CodeList, pointer: str, value: str) -> Violation:
    allowed = list(codes.codes)
    shown = ", ".join(allowed[:15]) + (", …" if len(allowed) > 15 else "")
    close = difflib.get_close_matches(value, allowed, n=3, cutoff=0.6)
    close += [c for c in allowed if c.lower() == value.lower() and c not in close]
    key = "rules.codelist.unknown_suggest" if close else "rules.codelist.unknown"
    message = both(key, value=value, codelist=codes.name, allowed=shown, suggestions=", ".join(close[:3]))
    return Violation(rule_id=f"codelist:{codes.name}", severity=codes.severity, pointer=pointer, value=value,
                     message=message, title=dict(codes.title))


def evaluate(schema_key_: str, document: object, context: RuleContext | None = None,
             schema: dict[str, Any] | None = None) -> list[Violation]:
    """Business rules of ``schema_key_`` and, when ``schema`` is given, its ``x-codelist`` checks."""
    return plan_for(schema_key_, schema).evaluate(document, context if context is not None else RuleContext())
