"""Which connector types exist: the built-ins, plus third-party ones from the ``simpul.connectors`` entry points.

A third party ships a package whose ``pyproject.toml`` says::

    [project.entry-points."simpul.connectors"]
    simda = "simpul_simda:SimdaConnector"

and ``SimdaConnector`` subclasses :class:`connectors.base.Connector` with ``type_name = "simda"``.
Built-ins win a name clash (a plug-in cannot replace ``rest_json``); a plug-in that fails to load is reported
by :func:`plugin_problems`, never fatal for the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any

from connectors.base import Connector
from connectors.errors import ConfigError, FieldError, NotFoundError, Unsupported
from connectors.http import HttpClient
from connectors.masking import get_logger
from connectors.openapi import OpenApiConnector
from connectors.rest_json import RestJsonConnector
from connectors.spreadsheet import SpreadsheetConnector
from connectors.sql import SqlConnector

ENTRY_POINT_GROUP = "simpul.connectors"
BUILTIN: dict[str, type[Connector]] = {
    cls.type_name: cls for cls in (RestJsonConnector, OpenApiConnector, SpreadsheetConnector, SqlConnector)
}
# Names other parts of Simpul (the registry vocabulary) use for the same connectors.
ALIASES: dict[str, str] = {"csv": "spreadsheet", "xlsx": "spreadsheet", "excel": "spreadsheet",
                           "rest": "rest_json", "json": "rest_json", "database": "sql"}
NO_CONNECTOR = frozenset({"manual"})  # data arrives by hand: there is nothing to connect to
log = get_logger("types")
_problems: dict[str, str] = {}


@lru_cache
def _plugins() -> dict[str, tuple[type[Connector], str]]:
    found: dict[str, tuple[type[Connector], str]] = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        origin = f"{ep.value} ({ep.dist.name if ep.dist else '?'})"
        try:
            cls = ep.load()
        except Exception as exc:  # a broken plug-in must not break the others
            _problems[ep.name] = f"{origin}: {type(exc).__name__}: {exc}"
            log.warning("connector plug-in %s failed to load: %s", ep.name, exc)
            continue
        if not (isinstance(cls, type) and issubclass(cls, Connector)):
            _problems[ep.name] = f"{origin}: not a subclass of connectors.base.Connector"
            continue
        name = cls.type_name or ep.name
        if name in BUILTIN:
            _problems[ep.name] = f"{origin}: '{name}' is a built-in connector type"
            continue
        found[name] = (cls, origin)
    return found


def available() -> dict[str, type[Connector]]:
    """Every connector type by name: built-ins first, then plug-ins."""
    return {**BUILTIN, **{name: cls for name, (cls, _) in _plugins().items()}}


def origin_of(type_name: str) -> str:
    return "built-in" if type_name in BUILTIN else _plugins().get(type_name, (None, "?"))[1]


def plugin_problems() -> dict[str, str]:
    _plugins()
    return dict(_problems)


def refresh() -> None:
    """Forget the plug-ins found so far (after installing a package at run time, and in tests)."""
    _plugins.cache_clear()
    _problems.clear()


def connector_class(type_name: str) -> type[Connector]:
    types = available()
    if type_name in NO_CONNECTOR:
        raise Unsupported("connector.manual", type=type_name)
    type_name = type_name if type_name in types else ALIASES.get(type_name, type_name)
    if type_name not in types:
        import difflib

        close = difflib.get_close_matches(type_name, list(types), n=3, cutoff=0.4)
        raise NotFoundError("connector.unknown_type", type=type_name, known=", ".join(types),
                            suggestions=", ".join(close) or "-")
    return types[type_name]


def build_connector(spec: Mapping[str, Any], *, app: str | None = None, http: HttpClient | None = None) -> Connector:
    """A connector from ``{"connector": {"type", "config"}, "resources": {...}}`` (or the inner ``connector``)."""
    connector = spec.get("connector", spec)
    if not isinstance(connector, Mapping) or not connector.get("type"):
        raise ConfigError([FieldError("connector.type", "config.missing")], what="spec")
    cls = connector_class(str(connector["type"]))
    resources = spec.get("resources") if "connector" in spec else connector.get("resources")
    return cls(connector.get("config") or {}, resources or {}, app=app or spec.get("app") or cls.type_name, http=http)
