"""The standard tests every built-in connector passes, generated from the scenario files.

Each test method below runs once per scenario that has what it needs (``@needs("read")``...), like one test class
applied to every connector. Adding a connector means adding scenario files, not tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from connectors import BUILTIN, AuthError, connector_class
from connectors.canonical import AGREED_KEYS, base_key
from hub.services.connections import record_validator
from tests.connectors.contract.scenario_harness import Scenario, Sleeps, load_scenarios

SCENARIOS = load_scenarios()
HTTP_CONNECTORS = {"rest_json", "openapi", "spreadsheet"}


def needs(*keys: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def mark(test: Callable[..., Any]) -> Callable[..., Any]:
        test.needs = keys  # type: ignore[attr-defined]
        return test

    return mark


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scenario" in metafunc.fixturenames:
        keys = getattr(metafunc.function, "needs", ())
        chosen = [s for s in SCENARIOS if all(s.has(k) for k in keys)]
        metafunc.parametrize("scenario", chosen, ids=[s.name for s in chosen])


def canonical_keys() -> set[str]:
    try:
        from hub.validation.store import get_store

        keys = set(get_store().keys())
    except Exception:
        keys = set()
    return keys or set(AGREED_KEYS)


class TestConnectorContract:
    # -- spec ------------------------------------------------------------------------------------------------
    def test_spec_is_valid_json_schema_and_accepts_the_scenario(self, scenario: Scenario, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        cls = connector_class(scenario.connector_type)
        described = cls.spec()
        Draft202012Validator.check_schema(described["config"])
        Draft202012Validator.check_schema(described["resource"])
        Draft202012Validator(described["config"]).validate(spec["connector"]["config"])
        for resource in (spec.get("resources") or {}).values():
            Draft202012Validator(described["resource"]).validate(resource)
        scenario.build(spec).validate()  # pydantic agrees with the JSON Schema

    # -- check -----------------------------------------------------------------------------------------------
    @needs("check")
    async def test_check_succeeds_or_fails_as_expected(self, scenario: Scenario, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        expected = scenario["check"]
        connector = scenario.build(spec)
        with scenario.http("check"):
            result = await connector.check()
        await connector.aclose()
        assert result.status == expected["expect"], result.message["en"]
        assert result.message["id"] and result.message["en"] and result.message["id"] != result.message["en"]
        if result.ok:
            assert result.latency_ms is not None and result.latency_ms >= 0
        if "message_contains" in expected:
            assert expected["message_contains"] in result.message["en"]

    # -- discover --------------------------------------------------------------------------------------------
    @needs("discover")
    async def test_discover_names_only_existing_canonical_schemas(self, scenario: Scenario, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        connector = scenario.build(spec)
        with scenario.http("discover"):
            infos = await connector.discover()
        await connector.aclose()
        found = {i.name: i for i in infos}
        known = canonical_keys()
        for info in infos:
            assert info.schema_key is None or base_key(info.schema_key) in known, info.schema_key
        for name, schema in scenario["discover"]["schemas"].items():
            assert found[name].schema_key == schema
            assert found[name].fields, f"{name} lists no fields"
        for name, kind in (scenario["discover"].get("pagination") or {}).items():
            assert found[name].pagination == kind

    # -- read ------------------------------------------------------------------------------------------------
    @needs("read")
    async def test_read_records_validate_after_mapping(self, scenario: Scenario, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        expected = scenario["read"]
        resource = expected["resource"]
        connector = scenario.build(spec)
        mapper = scenario.mapper(spec, resource)
        assert mapper is not None, "every read scenario maps to a canonical schema"
        check = record_validator(mapper.schema_key)
        counts = {"records": 0, "mapped": 0, "unmapped": 0, "valid": 0}
        problems: list[Any] = []
        with scenario.http("read"):
            async for record in connector.read(resource):
                counts["records"] += 1
                result = mapper.map(record)
                if not result.ok:
                    counts["unmapped"] += 1
                    problems.extend(result.errors)
                    continue
                counts["mapped"] += 1
                report = check(result.document)
                assert report.valid, [(i.pointer, i.message.en) for i in report.issues]
                counts["valid"] += 1
        await connector.aclose()
        assert counts == {k: expected.get(k, 0) for k in counts}, [p.message["en"] for p in problems]
        if "mapping_error" in expected:
            wanted = expected["mapping_error"]
            assert any(p.target == wanted["target"] and p.source == wanted["source"] for p in problems)
            assert all(p.message["id"] and p.message["en"] for p in problems)

    @needs("since")
    async def test_since_reaches_the_application(self, scenario: Scenario, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        connector = scenario.build(spec)
        with scenario.http("since"):
            records = [r async for r in connector.read(scenario["read"]["resource"], since=scenario["since"]["value"])]
        await connector.aclose()
        assert connector.last_read.since_applied
        assert len(records) == scenario["since"].get("records", 0)

    # -- faults (connectors that speak HTTP) -----------------------------------------------------------------
    @needs("faults", "read")
    async def test_503_is_retried(self, scenario: Scenario, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        sleeps = Sleeps()
        connector = scenario.build(spec, sleeps)
        with scenario.http("read", fault="503") as routes:
            records = [r async for r in connector.read(scenario["read"]["resource"])]
        assert len(records) == scenario["read"]["records"]
        assert routes[scenario["faults"]["route"]].call_count == 2
        assert len(sleeps) == 1

    @needs("faults", "read")
    async def test_429_is_retried_honouring_retry_after(self, scenario: Scenario, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        sleeps = Sleeps()
        connector = scenario.build(spec, sleeps)
        with scenario.http("read", fault="429") as routes:
            records = [r async for r in connector.read(scenario["read"]["resource"])]
        assert len(records) == scenario["read"]["records"]
        assert routes[scenario["faults"]["route"]].call_count == 2
        assert sleeps == [2.0]  # Retry-After: 2 (the test never really sleeps)

    @needs("faults", "read")
    async def test_401_stops_at_once(self, scenario: Scenario, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
        spec = scenario.prepare(tmp_path, monkeypatch)
        sleeps = Sleeps()
        connector = scenario.build(spec, sleeps)
        with scenario.http("read", fault="401") as routes, pytest.raises(AuthError) as info:
            [r async for r in connector.read(scenario["read"]["resource"])]
        assert routes[scenario["faults"]["route"]].call_count == 1
        assert sleeps == []
        assert "401" in info.value.messages()["id"]


def test_every_builtin_connector_has_scenarios() -> None:
    by_type: dict[str, set[str]] = {}
    for s in SCENARIOS:
        by_type.setdefault(s.connector_type, set()).update(k for k in ("check", "discover", "read", "faults")
                                                            if s.has(k))
    for name in BUILTIN:
        assert {"check", "discover", "read"} <= by_type.get(name, set()), name
        if name in HTTP_CONNECTORS:
            assert "faults" in by_type[name], f"{name} speaks HTTP: it needs a faults scenario"
    assert any(s.has("check") and s["check"]["expect"] == "failed" for s in SCENARIOS)
