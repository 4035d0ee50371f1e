"""Fixtures for the canonical-schema tests: every schema file, a registry of all of them, validators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS_DIR = Path(__file__).resolve().parents[2] / "schemas"


def latest_version(key: str) -> str:
    """The newest version of a record schema (the shipped examples describe it)."""
    versions = [p.stem for p in (SCHEMAS_DIR / key).glob("*.json")]
    return max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


def load_all() -> dict[str, dict[str, Any]]:
    return {json.loads(p.read_text(encoding="utf-8"))["$id"]: json.loads(p.read_text(encoding="utf-8"))
            for p in sorted(SCHEMAS_DIR.glob("*/*/*.json"))}


@pytest.fixture(scope="session")
def all_schemas() -> dict[str, dict[str, Any]]:
    return load_all()


@pytest.fixture(scope="session")
def registry(all_schemas: dict[str, dict[str, Any]]) -> Registry:
    return Registry().with_resources((urn, Resource.from_contents(s)) for urn, s in all_schemas.items())


@pytest.fixture(scope="session")
def validator_for(all_schemas: dict[str, dict[str, Any]], registry: Registry):
    cache: dict[str, Draft202012Validator] = {}

    def get(key: str) -> Draft202012Validator:
        if key not in cache:
            schema = all_schemas[f"urn:simpul:schema:{key}:{latest_version(key)}"]
            cache[key] = Draft202012Validator(schema, registry=registry,
                                              format_checker=Draft202012Validator.FORMAT_CHECKER)
        return cache[key]

    return get
