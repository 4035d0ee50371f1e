"""Records of the ``good`` profile validate against the canonical schemas of schemas/ (docs/canonical-fields.md)."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from examples.apps import create_app
from examples.apps.dataset import clean
from tests.examples.examples_testkit import RESOURCES, SCHEMA_OF


@pytest.mark.parametrize(("app", "res"), RESOURCES)
def test_good_records_validate_against_the_canonical_schema(schema_registry, app, res):
    schema = schema_registry.contents(f"urn:simpul:schema:{SCHEMA_OF[res]}:1")
    validator = Draft202012Validator(schema, registry=schema_registry, format_checker=FormatChecker())
    ds = create_app(app).state.example.spec.resources[res].dataset
    step = max(1, len(ds) // 60)
    problems = []
    for i in range(0, len(ds), step):
        record = clean(ds.record(i))
        problems += [f"{i} {e.json_path}: {e.message}" for e in validator.iter_errors(record)]
    assert not problems, "\n".join(problems[:10])


def test_wrong_codes_records_do_not_all_validate(schema_registry):
    schema = schema_registry.contents(f"urn:simpul:schema:{SCHEMA_OF['rincian-belanja']}:1")
    validator = Draft202012Validator(schema, registry=schema_registry, format_checker=FormatChecker())
    ds = create_app("e-budgeting", "wrong-codes").state.example.spec.resources["rincian-belanja"].dataset
    assert any(not validator.is_valid(clean(ds.record(i))) for i in range(50))
