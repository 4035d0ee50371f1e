"""Every shipped example: valid ones pass the schema and every rule; invalid ones fail as expected.yaml says."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml

from hub.validation.rules import evaluate
from tests.schemas.conftest import latest_version

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"
RECORD_DIRS = sorted(p.parent for p in SCHEMAS_DIR.glob("*/*/1.json") if p.parent.parent.name != "common")
VALID = [p for d in RECORD_DIRS for p in sorted((d / "examples" / "valid").glob("*.json"))]
INVALID = [p for d in RECORD_DIRS for p in sorted((d / "examples" / "invalid").glob("*.json"))]


def key_of(example: Path) -> str:
    record_dir = example.parents[2]
    return f"{record_dir.parent.name}/{record_dir.name}"


def example_id(example: Path) -> str:
    return f"{key_of(example)}:{example.stem}"


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def expected_for(example: Path) -> list[dict[str, str]]:
    data = yaml.safe_load((example.parents[1] / "expected.yaml").read_text(encoding="utf-8")) or {}
    return data[example.name]


def pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def problems(example: Path, validator_for, all_schemas) -> tuple[list[Any], list[Any]]:
    document = load(example)
    key = key_of(example)
    schema_errors = list(validator_for(key).iter_errors(document))
    urn = f"urn:simpul:schema:{key}:{latest_version(key)}"
    violations = evaluate(urn, document, schema=all_schemas[urn])
    return schema_errors, violations


@pytest.mark.parametrize("record_dir", RECORD_DIRS, ids=lambda d: f"{d.parent.name}/{d.name}")
def test_each_record_schema_has_enough_examples_and_a_complete_expected_yaml(record_dir: Path):
    valid = sorted((record_dir / "examples" / "valid").glob("*.json"))
    invalid = sorted((record_dir / "examples" / "invalid").glob("*.json"))
    assert len(valid) >= 2 and len(invalid) >= 3
    expected = yaml.safe_load((record_dir / "examples" / "expected.yaml").read_text(encoding="utf-8"))
    assert set(expected) == {p.name for p in invalid}
    for name, errors in expected.items():
        assert errors, f"{name}: lists no error"
        for error in errors:
            assert "pointer" in error and ("keyword" in error) != ("rule" in error), (name, error)


@pytest.mark.parametrize("example", VALID, ids=example_id)
def test_valid_example_passes_the_schema_and_every_rule(example: Path, validator_for, all_schemas):
    schema_errors, violations = problems(example, validator_for, all_schemas)
    assert [f"{pointer(e.absolute_path)}: {e.message}" for e in schema_errors] == []
    assert [(v.rule_id, v.pointer, v.message["en"]) for v in violations] == []


@pytest.mark.parametrize("example", VALID, ids=example_id)
def test_valid_example_passes_the_fast_engine_too(example: Path, all_schemas):
    key = key_of(example)
    urn = f"urn:simpul:schema:{key}:{latest_version(key)}"
    registry = jsonschema_rs.Registry(list(all_schemas.items()))
    validator = jsonschema_rs.Draft202012Validator(all_schemas[urn], registry=registry, validate_formats=True,
                                                   base_uri=urn)
    assert validator.is_valid(load(example))


@pytest.mark.parametrize("example", INVALID, ids=example_id)
def test_invalid_example_fails_with_the_expected_errors(example: Path, validator_for, all_schemas):
    schema_errors, violations = problems(example, validator_for, all_schemas)
    found_schema = [(pointer(e.absolute_path), e.validator, e.message) for e in schema_errors]
    found_rules = [(v.pointer, v.rule_id) for v in violations]
    for want in expected_for(example):
        if "keyword" in want:
            hits = [m for p, k, m in found_schema if p == want["pointer"] and k == want["keyword"]]
            assert hits, f"expected schema error {want}, got {[(p, k) for p, k, _ in found_schema]}"
            if "property" in want:
                assert any(f"'{want['property']}'" in m for m in hits), (want, hits)
        else:
            assert (want["pointer"], want["rule"]) in found_rules, f"expected {want}, got {found_rules}"
    errors = [v for v in violations if v.severity == "error"]
    assert schema_errors or errors, "an invalid example must have at least one error (warnings do not count)"
