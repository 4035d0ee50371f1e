"""Loads the scenario files of ``tests/connectors/scenarios`` and prepares what each contract test needs.

A scenario names a connector spec (``spec``), what its verbs must do (``check``, ``discover``, ``read``,
``since``) and, for connectors that speak HTTP, the mocked exchanges of each verb (``http``: method, url, exact
``params``, ``status``, ``json``/``text``/``headers``) and which of them receives the faults (``faults.route``).
``{tmp}`` in the spec is the test's temporary folder; ``files`` and ``database`` are created there first.
Keys starting with ``_`` hold YAML anchors only.
"""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import respx
import yaml

from connectors import Connector, Mapper, build_connector
from connectors.http import HttpClient, HttpSettings

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"


class Sleeps(list):
    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _fill(value: Any, tmp: str) -> Any:
    if isinstance(value, str):
        return value.replace("{tmp}", tmp)
    if isinstance(value, dict):
        return {k: _fill(v, tmp) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, tmp) for v in value]
    return value


@dataclass
class Scenario:
    name: str
    data: dict[str, Any]

    @property
    def connector_type(self) -> str:
        return self.data["connector"]

    def has(self, key: str) -> bool:
        return key in self.data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    # -- preparing the world ---------------------------------------------------------------------------------
    def prepare(self, tmp_path: Path, monkeypatch: Any) -> dict[str, Any]:
        for name, value in (self.data.get("env") or {}).items():
            monkeypatch.setenv(name, value)
        for name, content in (self.data.get("files") or {}).items():
            target = tmp_path / name
            if "csv" in content:
                target.write_text(content["csv"], encoding=content.get("encoding", "utf-8"))
            else:
                book = openpyxl.Workbook()
                sheet = book.active
                sheet.title = content.get("sheet", "Sheet1")
                for row in content["rows"]:
                    sheet.append(row)
                book.save(target)
        if self.data.get("database"):
            url = self.data["spec"]["connector"]["config"]["url"]
            path = _fill(url, str(tmp_path)).removeprefix("sqlite:///")
            with sqlite3.connect(path) as db:
                for statement in self.data["database"]:
                    db.execute(statement)
        return _fill(copy.deepcopy(self.data["spec"]), str(tmp_path))

    def build(self, spec: dict[str, Any], sleeps: Sleeps | None = None) -> Connector:
        config = spec["connector"].get("config") or {}
        http = HttpClient(spec.get("app", self.name), HttpSettings(**config.get("http", {})),
                          sleep=sleeps if sleeps is not None else Sleeps())
        return build_connector(spec, http=http)

    @staticmethod
    def mapper(spec: dict[str, Any], resource: str) -> Mapper | None:
        mapping = (spec.get("resources") or {}).get(resource, {}).get("mapping")
        return Mapper(mapping) if mapping else None

    # -- mocked HTTP -----------------------------------------------------------------------------------------
    @staticmethod
    def response(route: dict[str, Any]) -> httpx.Response:
        kwargs: dict[str, Any] = {"headers": route.get("headers") or {}}
        if "json" in route:
            kwargs["json"] = route["json"]
        elif "text" in route:
            kwargs["text"] = route["text"]
        return httpx.Response(route.get("status", 200), **kwargs)

    @staticmethod
    def route(mock: respx.MockRouter, route: dict[str, Any]) -> respx.Route:
        pattern: dict[str, Any] = {"method": route.get("method", "GET"), "url": route["url"]}
        if "params" in route:
            pattern["params__eq"] = {k: str(v) for k, v in route["params"].items()}
        return mock.route(**pattern)

    @contextmanager
    def http(self, phase: str, fault: str | None = None) -> Iterator[dict[int, respx.Route]]:
        """Mocks of ``phase``; with ``fault`` (503, 429, 401) the fault route answers that first.

        Every registered mock must be called (``assert_all_called``): after a 401 nothing else is registered.
        """
        routes = (self.data.get(phase) or {}).get("http") or []
        target = (self.data.get("faults") or {}).get("route", 0)
        registered: dict[int, respx.Route] = {}
        with respx.mock(assert_all_called=True) as mock:
            for index, spec in enumerate(routes):
                if fault == "401" and index > target:
                    break
                route = registered[index] = self.route(mock, spec)
                normal = self.response(spec)
                if fault is None or index != target:
                    route.mock(return_value=normal)
                elif fault == "401":
                    route.mock(return_value=httpx.Response(401, json={"error": "token expired"}))
                elif fault == "429":
                    route.mock(side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), normal])
                else:
                    route.mock(side_effect=[httpx.Response(int(fault)), normal])
            yield registered


def load_scenarios() -> list[Scenario]:
    paths = sorted(SCENARIO_DIR.glob("*.yaml"))
    return [Scenario(p.stem, yaml.safe_load(p.read_text(encoding="utf-8"))) for p in paths]
