"""Two engines, one verdict.

The fast path is a compiled jsonschema-rs validator (``is_valid``). Detailed errors come from jsonschema-rs's own
``iter_errors`` (:mod:`hub.validation.rs_errors` describes them for the messages); python-jsonschema
(``Draft202012Validator.iter_errors``), whose error objects also carry the ``context`` of ``oneOf``/``anyOf``, is
asked only for a document with an error Rust's cannot describe, and is the reference the tests compare with.

The two engines do not agree out of the box: python-jsonschema matches ``pattern`` with Python's ``re`` (where
``\\d`` also matches Arabic-Indic or Devanagari digits) while jsonschema-rs follows ECMA-262; their format
checkers differ (python-jsonschema's ``email`` only looks for an ``@``); and float ``multipleOf`` is computed
differently. So the detailed validator asks jsonschema-rs for exactly those keywords: one tiny compiled
validator per pattern, format and divisor, cached. The verdict is then the same on both paths by
construction, which the tests check on every shipped example and on generated documents.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from hub.validation.rs_errors import RsErrors
from hub.validation.store import SchemaEntry, SchemaStore

#: Formats jsonschema-rs checks; every other format name is an annotation only (ignored by both engines).
FORMATS = (
    "date", "date-time", "time", "duration", "email", "idn-email", "hostname", "idn-hostname", "ipv4", "ipv6",
    "uri", "uri-reference", "iri", "iri-reference", "uri-template", "json-pointer", "relative-json-pointer",
    "regex", "uuid",
)


@lru_cache(maxsize=4096)
def _tiny(keyword: str, value: Any) -> Any:
    return jsonschema_rs.Draft202012Validator({keyword: value}, validate_formats=True)


def rs_accepts(keyword: str, value: Any, instance: Any) -> bool:
    """Does jsonschema-rs accept ``instance`` for the single keyword ``{keyword: value}``?"""
    try:
        return bool(_tiny(keyword, value).is_valid(instance))
    except (ValueError, TypeError, jsonschema_rs.ValidationError):
        return True  # an uncompilable pattern is reported by the store, not blamed on the document


def format_checker() -> FormatChecker:
    """A FormatChecker whose every format is decided by jsonschema-rs."""
    checker = FormatChecker(formats=())
    for name in FORMATS:
        checker.checks(name)(lambda instance, _name=name: rs_accepts("format", _name, instance))
    return checker


def _pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not rs_accepts("pattern", pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: dict[str, Any], instance: Any,
                        schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if not rs_accepts("pattern", pattern, key):
                continue
            yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(validator: Any, additional: Any, instance: Any,
                           schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    known = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    extras = [k for k in instance if k not in known and not any(rs_accepts("pattern", p, k) for p in patterns)]
    if validator.is_type(additional, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], additional, path=extra)
    elif not additional and extras:
        listed = ", ".join(repr(e) for e in sorted(extras))
        yield ValidationError(f"Additional properties are not allowed ({listed} unexpected)")


def _multiple_of(validator: Any, divisor: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "number"):
        return
    if (isinstance(instance, float) and not math.isfinite(instance)) or not rs_accepts("multipleOf", divisor, instance):
        yield ValidationError(f"{instance!r} is not a multiple of {divisor}")


SimpulValidator = validators.extend(
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "multipleOf": _multiple_of,
    },
)


def py_validator(store: SchemaStore, entry: SchemaEntry) -> Any:
    """The detailed validator (python-jsonschema), compiled once per schema."""
    return store.memo("py", entry, lambda: SimpulValidator(
        entry.schema, registry=store.py_registry, format_checker=format_checker()))


def fast_verdict(store: SchemaStore, entry: SchemaEntry, document: Any) -> bool | None:
    """jsonschema-rs ``is_valid``; ``None`` when it cannot judge (e.g. a value Rust cannot represent)."""
    try:
        return bool(store.rs_validator(entry).is_valid(document))
    except Exception:
        return None


def detailed_errors(store: SchemaStore, entry: SchemaEntry, document: Any) -> list[ValidationError]:
    """python-jsonschema's errors (the reference the jsonschema-rs path is checked against)."""
    return list(py_validator(store, entry).iter_errors(document))


def rs_described(store: SchemaStore, entry: SchemaEntry) -> RsErrors:
    """jsonschema-rs errors described for the message explainers, compiled once per schema."""
    return store.memo("rs_errors", entry, lambda: RsErrors(
        store.rs_validator(entry), entry.schema, store.py_registry.resolver(base_uri=entry.urn)))



def rs_errors(store: SchemaStore, entry: SchemaEntry, document: Any, limit: int = 20) -> list[Any]:
    """jsonschema-rs errors: the safety net if the engines ever disagree."""
    out = []
    try:
        for err in store.rs_validator(entry).iter_errors(document):
            out.append(err)
            if len(out) >= limit:
                break
    except Exception:
        return out
    return out
