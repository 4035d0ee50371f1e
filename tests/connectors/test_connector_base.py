"""The base contract: final driving methods, configuration checked before every verb, plug-ins, write()."""

from __future__ import annotations

from collections.abc import AsyncIterator
from importlib.metadata import EntryPoint
from typing import Any

import pytest
import respx

from connectors import (
    ConfigError,
    Connector,
    NotFoundError,
    ResourceConfig,
    StrictModel,
    Unsupported,
    available,
    build_connector,
    connector_class,
    plugin_problems,
)
from connectors import connector_types as types_module

BASE = "https://app.test/api"


class EchoConfig(StrictModel):
    rows: int = 2


class EchoConnector(Connector):
    """A tiny third-party connector: it only implements hooks."""

    type_name = "echo"
    Config = EchoConfig

    async def _check(self) -> dict[str, Any]:
        return {"rows": self.config.rows}

    async def _discover(self) -> list:
        return []

    async def _read_pages(self, name: str, resource: Any, since: Any) -> AsyncIterator[list[dict[str, Any]]]:
        yield [{"n": i} for i in range(self.config.rows)]


def test_a_connector_may_not_override_the_driving_methods() -> None:
    with pytest.raises(TypeError, match="read"):
        class Sneaky(Connector):
            async def read(self, resource: str, since: Any = None):  # type: ignore[override]
                yield {}


def test_spec_is_the_json_schema_of_config_and_resource() -> None:
    spec = connector_class("rest_json").spec()
    assert spec["config"]["required"] == ["base_url"]
    assert "path" in spec["resource"]["properties"]
    assert spec["config"]["$defs"]["BearerConfig"]["properties"]["token"]["x-secret"] is True


def test_every_config_problem_is_reported_at_once() -> None:
    c = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": "ftp://x", "pagination": {"type": "pages"}, "colour": "blue"}},
        "resources": {"a": {}, "b": {"path": "/b", "pagination": {"type": "page", "page_size": 0}}}})
    with pytest.raises(ConfigError) as info:
        c.validate()
    fields = [e.field for e in info.value.errors]
    assert fields == ["config.base_url", "config.pagination", "config.colour", "resources.a.path",
                      "resources.b.pagination.page.page_size"]
    assert info.value.errors[2].message["id"] == "config.colour: kunci 'colour' tidak dikenal (salah ketik?)."


async def test_configuration_is_validated_before_every_verb(monkeypatch) -> None:
    """A secret removed from the environment between two verbs is noticed by the second."""
    monkeypatch.setenv("ECHO_TOKEN", "tok-12345")
    c = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "bearer", "token": {"env": "ECHO_TOKEN"}}}},
        "resources": {"a": {"path": "/a"}}})
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/a").respond(json=[])
        assert [r async for r in c.read("a")] == []
    monkeypatch.delenv("ECHO_TOKEN")
    with pytest.raises(ConfigError, match="ECHO_TOKEN"):
        [r async for r in c.read("a")]
    result = await c.check()  # check never raises: it says what is wrong
    assert result.status == "failed" and "ECHO_TOKEN" in result.message["en"]


async def test_an_unknown_resource_suggests_close_names() -> None:
    c = build_connector({"connector": {"type": "rest_json", "config": {"base_url": BASE}},
                         "resources": {"pegawai": {"path": "/p"}}})
    with pytest.raises(NotFoundError) as info:
        [r async for r in c.read("pegawei")]
    assert "pegawai" in info.value.messages()["id"]


def test_an_unknown_type_suggests_close_names() -> None:
    with pytest.raises(NotFoundError, match="rest_json"):
        build_connector({"connector": {"type": "rest-json"}})


def _entry_points(monkeypatch, *eps: EntryPoint) -> None:
    monkeypatch.setattr(types_module, "entry_points", lambda group: [e for e in eps if e.group == group])
    types_module.refresh()


async def test_third_party_connectors_register_through_entry_points(monkeypatch) -> None:
    _entry_points(monkeypatch, EntryPoint("echo", f"{__name__}:EchoConnector", "simpul.connectors"))
    try:
        assert available()["echo"] is EchoConnector
        assert list(available())[:4] == ["rest_json", "openapi", "spreadsheet", "sql"]
        c = build_connector({"connector": {"type": "echo", "config": {"rows": 3}}, "resources": {"x": {}}})
        assert [r["n"] async for r in c.read("x")] == [0, 1, 2]
        assert (await c.check()).details == {"rows": 3}
    finally:
        types_module.refresh()


def test_broken_or_clashing_plugins_are_reported_not_fatal(monkeypatch) -> None:
    _entry_points(monkeypatch,
                  EntryPoint("broken", "no_such_module_xyz:Thing", "simpul.connectors"),
                  EntryPoint("fake", f"{__name__}:EchoConfig", "simpul.connectors"),
                  EntryPoint("rest_json", f"{__name__}:Clash", "simpul.connectors"))
    try:
        assert set(available()) == {"rest_json", "openapi", "spreadsheet", "sql"}
        problems = plugin_problems()
        assert set(problems) == {"broken", "fake", "rest_json"}
        assert "built-in" in problems["rest_json"]
    finally:
        types_module.refresh()


class Clash(EchoConnector):
    type_name = "rest_json"


async def test_write_posts_records_in_batches(secrets_env) -> None:
    c = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "bearer", "token": {"env": "SIMPEG_TOKEN"}}}},
        "resources": {"pegawai": {"path": "/pegawai", "write": {"batch_size": 2, "batch_key": "data"}}}})
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{BASE}/pegawai")
        route.side_effect = [respx.MockResponse(201), respx.MockResponse(422, json={"error": "nip"})]
        result = await c.write("pegawai", [{"nip": "1"}, {"nip": "2"}, {"nip": "3"}])
    assert (result.written, result.failed) == (2, 1)
    assert route.calls[0].request.content == b'{"data":[{"nip":"1"},{"nip":"2"}]}'
    assert result.errors[0]["key"] == "http.client_error"


async def test_write_is_refused_where_the_application_accepts_no_data(tmp_path) -> None:
    c = build_connector({"connector": {"type": "rest_json", "config": {"base_url": BASE}},
                         "resources": {"pegawai": {"path": "/pegawai"}}})
    with pytest.raises(Unsupported):
        await c.write("pegawai", [{}])
    sheet = build_connector({"connector": {"type": "spreadsheet", "config": {"folder": str(tmp_path)}},
                             "resources": {"x": {"file": "x.csv"}}})
    with pytest.raises(Unsupported):
        await sheet.write("x", [{}])


def test_resource_config_is_shared_by_all_connectors() -> None:
    assert ResourceConfig.model_validate({"schema": "kepegawaian/pegawai"}).schema_key == "kepegawaian/pegawai"
