"""Every shipped example gives the verdict it promises, and every error listed in expected.yaml is reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hub.settings import PROJECT_ROOT
from hub.validation.docs import AT_PROPERTY, write_docs
from hub.validation.report import ValidationReport
from hub.validation.store import SchemaEntry, SchemaStore
from hub.validation.validator import rules_evaluate, validate_documents

STORE = SchemaStore(PROJECT_ROOT / "schemas")
VALID = [(e, p) for e in STORE.entries() for p in e.examples_valid]
INVALID = [(e, p) for e in STORE.entries() for p in e.examples_invalid]


def _id(item: tuple[SchemaEntry, Path]) -> str:
    return f"{item[0].key}:{item[1].name}"


def _report(entry: SchemaEntry, path: Path, rules: bool) -> ValidationReport:
    return validate_documents(entry, [json.loads(path.read_text(encoding="utf-8"))], rules=rules, store=STORE)


def _found(report: ValidationReport, expected: dict[str, Any]) -> bool:
    issues = report.documents[0].issues
    pointer = str(expected.get("pointer", ""))
    if "keyword" in expected:
        keyword = expected["keyword"]
        if keyword in AT_PROPERTY and "property" in expected:
            pointer = f"{pointer}/{expected['property']}"
        return any(i.rule == f"schema:{keyword}" and i.pointer == pointer for i in issues)
    return any(i.rule == expected["rule"] and i.pointer == pointer for i in issues)


@pytest.mark.skipif(not VALID, reason="no shipped examples yet")
@pytest.mark.parametrize("item", VALID, ids=[_id(i) for i in VALID])
def test_valid_example_is_valid(item):
    entry, path = item
    report = _report(entry, path, rules=True)
    assert report.valid, [i.message.en for d in report.documents for i in d.issues]


@pytest.mark.skipif(not INVALID, reason="no shipped examples yet")
@pytest.mark.parametrize("item", INVALID, ids=[_id(i) for i in INVALID])
def test_invalid_example_reports_the_expected_errors(item):
    entry, path = item
    expected = entry.expected.get(path.name) or []
    needs_rules = any("rule" in e for e in expected)
    if needs_rules and rules_evaluate() is None:
        pytest.skip("hub.validation.rules is not available yet")
    report = _report(entry, path, rules=True)
    assert not report.valid
    for item_expected in expected:
        assert _found(report, item_expected), (
            item_expected, [(i.rule, i.pointer) for i in report.documents[0].issues])


@pytest.mark.skipif(not INVALID, reason="no shipped examples yet")
@pytest.mark.parametrize("item", INVALID, ids=[_id(i) for i in INVALID])
def test_every_invalid_example_has_a_message_in_both_languages(item):
    entry, path = item
    report = _report(entry, path, rules=True)
    for issue in report.documents[0].issues:
        assert issue.message.id and issue.message.en
        assert issue.message.id != issue.message.en or issue.rule.startswith(("codelist:", "simpul:"))


def test_generated_schema_docs_are_up_to_date(tmp_path):
    """docs/schemas is generated: after changing a schema, run `simpul schemas docs` and commit the result."""
    written = write_docs(STORE, tmp_path)
    stale = [p.relative_to(tmp_path).as_posix() for p in written
             if not (PROJECT_ROOT / "docs/schemas" / p.relative_to(tmp_path)).is_file()
             or (PROJECT_ROOT / "docs/schemas" / p.relative_to(tmp_path)).read_text(encoding="utf-8")
             != p.read_text(encoding="utf-8")]
    assert not stale, f"docs/schemas is out of date for {stale}: run `simpul schemas docs`"
