"""Connections to OPD applications: build a connector from a spec, then check, discover or pull.

A *spec* says which connector reaches an application and which resources to read with which mapping::

    app: simpeg
    connector: {type: rest_json, config: {base_url: ..., auth: {type: bearer, token: {env: SIMPEG_TOKEN}}}}
    resources:
      pegawai: {path: /pegawai, record_path: data, mapping_file: mappings/pegawai.yaml}

It comes from a YAML file (:func:`load_spec`) or, later, from an application in the registry
(:func:`spec_from_application`). ``pull`` = read → map → validate each record, yielding :class:`Pulled`.
Connector errors become :class:`ConnectorProblem` (a :class:`~hub.errors.SimpulError`) so the API and the CLI
show them in the user's language.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import aclosing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from connectors import (
    CheckResult,
    ConfigError,
    Connector,
    ConnectorError,
    FieldError,
    Mapper,
    MappingError,
    ResourceInfo,
    build_connector,
    close_all,
)
from hub.errors import BadRequest, SimpulError
from hub.i18n import t

PATH_KEYS = ("folder", "openapi_file")  # config keys holding paths, resolved against the spec file's folder
MAX_PROBLEMS = 10
USAGE_KEYS = {
    "resource.unknown": (404, "connector-resource-unknown", "Unknown resource"),
    "connector.unknown_type": (404, "connector-type-unknown", "Unknown connector type"),
    "connector.manual": (400, "connector-manual", "No connector for manual upload"),
    "error.write_unsupported": (400, "connector-read-only", "Connector is read-only"),
    "resource.no_write": (400, "connector-resource-read-only", "Resource accepts no data"),
}


class ConnectorProblem(SimpulError):
    """A connector error, carrying its own bilingual message (``connectors/messages.yaml``)."""

    status, code, title, message_key = 502, "connector-failed", "Connector failed", "connectors.problem"

    def __init__(self, error: ConnectorError) -> None:
        self.error = error
        super().__init__(detail=error.messages()["en"], extra=error.to_dict())
        if isinstance(error, ConfigError):
            self.status, self.code, self.title = 422, "connector-config", "Connector configuration invalid"
        elif error.key in USAGE_KEYS:  # the caller asked for something the spec does not have
            self.status, self.code, self.title = USAGE_KEYS[error.key]

    def message(self, lang: str = "id") -> str:
        texts = self.error.messages()
        return t("connectors.problem", lang, detail=texts.get(lang) or texts["id"])

    def messages(self) -> dict[str, str]:
        return {lang: self.message(lang) for lang in ("id", "en")}


@dataclass
class ConnectionSpec:
    """What is needed to reach one application: its connector and resources (with their mappings)."""

    name: str
    connector: dict[str, Any]
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    base_dir: Path | None = None
    source: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.name, "connector": self.connector, "resources": self.resources}


class Pulled(NamedTuple):
    """One record of a pull: the mapped canonical document (``None`` when it could not be mapped)."""

    record: dict[str, Any] | None
    mapping_errors: list[MappingError]
    validation: Any  # hub.validation report-like object with ``valid`` and ``issues``; None without schema
    raw: dict[str, Any]


@dataclass
class RecordValidation:
    schema: str
    valid: bool
    issues: list[Any]


@dataclass
class PullStats:
    resource: str
    schema: str | None = None
    read: int = 0
    mapped: int = 0
    unmapped: int = 0
    valid: int = 0
    invalid: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)
    warnings: int = 0  # warning findings (ADR 0008): the record stays valid and is kept, the finding is shown
    warned: int = 0  # records with at least one warning
    warning_notes: list[dict[str, Any]] = field(default_factory=list)  # the first ones, apart from the errors

    def note(self, index: int, kind: str, message: dict[str, str], where: str = "") -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append({"record": index + 1, "kind": kind, "where": where, "message": message})

    def warn(self, index: int, rule: str, message: dict[str, str], where: str = "") -> None:
        self.warnings += 1
        if len(self.warning_notes) < MAX_PROBLEMS:
            self.warning_notes.append({"record": index + 1, "kind": "warning", "rule": rule, "where": where,
                                       "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("resource", "schema", "read", "mapped", "unmapped", "valid",
                                              "invalid", "warnings", "warned", "problems", "warning_notes")}


# -- where a spec comes from ---------------------------------------------------------------------------------
def spec_from_dict(data: Mapping[str, Any], *, name: str = "", base_dir: Path | None = None,
                   source: str = "") -> ConnectionSpec:
    connector = data.get("connector")
    if not isinstance(connector, Mapping) or not connector.get("type"):
        raise ConnectorProblem(ConfigError([FieldError("connector.type", "config.missing")], what="spec"))
    config = dict(connector.get("config") or {})
    resources = dict(data.get("resources") or config.pop("resources", None) or {})
    if base_dir is not None:
        for key in PATH_KEYS:
            if isinstance(config.get(key), str) and not Path(config[key]).is_absolute():
                config[key] = str((base_dir / config[key]).resolve())
    spec = ConnectionSpec(
        name=str(data.get("app") or name or connector["type"]),
        connector={"type": str(connector["type"]), "config": config},
        resources={str(k): dict(v or {}) for k, v in resources.items()},
        base_dir=base_dir, source=source,
    )
    for res in spec.resources.values():
        mapping_file = res.get("mapping_file")
        if isinstance(mapping_file, str) and base_dir is not None and not Path(mapping_file).is_absolute():
            res["mapping_file"] = str((base_dir / mapping_file).resolve())
    return spec


def load_spec(path: str | Path) -> ConnectionSpec:
    path = Path(path)
    if not path.is_file():
        raise BadRequest("error.file_not_found", path=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise BadRequest("error.file_unreadable", path=str(path), detail=str(exc).splitlines()[0][:200]) from None
    if not isinstance(data, Mapping):
        raise BadRequest("error.file_unreadable", path=str(path), detail="not a YAML mapping")
    return spec_from_dict(data, name=path.stem, base_dir=path.parent.resolve(), source=str(path))


def spec_from_application(app: Any) -> ConnectionSpec:
    """The spec of a registry application (``integration.connector: {type, config}``).

    Until the registry has its own field for resources, they are read from ``config.resources`` (each with its
    ``path``/``file``/``query`` and ``mapping`` or ``mapping_file``).
    """
    data = app.model_dump(mode="json") if hasattr(app, "model_dump") else dict(app)
    connector = (data.get("integration") or {}).get("connector")
    app_id = str(data.get("id") or "")
    if not connector:
        raise BadRequest("connectors.no_connector", app=app_id)
    return spec_from_dict({"app": app_id, "connector": connector}, name=app_id, source=f"registry:{app_id}")


def _registry_lookup(app_id: str) -> Any:
    from hub.services.registry import find_application

    return find_application(app_id)


# App id → registry application, or None. Tests may replace it.
application_lookup: Callable[[str], Any] | None = _registry_lookup


def resolve(app_or_spec: str) -> ConnectionSpec:
    """A spec file path, or the id of an application in the registry."""
    path = Path(app_or_spec)
    if path.suffix.lower() in {".yaml", ".yml", ".json"} or path.exists():
        return load_spec(path)
    if application_lookup is not None:
        app = application_lookup(app_or_spec)
        if app is not None:
            return spec_from_application(app)
    raise BadRequest("connectors.unknown_target", target=app_or_spec)


# -- building ------------------------------------------------------------------------------------------------
def build(spec: ConnectionSpec, *, http: Any = None) -> Connector:
    try:
        resources = {name: _with_schema(res) for name, res in spec.resources.items()}
        return build_connector({"connector": spec.connector, "resources": resources}, app=spec.name, http=http)
    except ConnectorError as exc:
        raise ConnectorProblem(exc) from None


def _with_schema(res: dict[str, Any]) -> dict[str, Any]:
    """A resource that has a mapping but no ``schema`` maps to the mapping's schema."""
    if res.get("schema") or not (res.get("mapping") or res.get("mapping_file")):
        return res
    try:
        return {**res, "schema": mapper_of(res).schema_key}
    except ConnectorError:
        return res  # reported when the mapping is used


def mapper_of(res: Mapping[str, Any], base_dir: Path | None = None) -> Mapper:
    """The resource's mapping; an inline one finds its conversion-table files next to the spec (``base_dir``)."""
    if res.get("mapping") is not None:
        return Mapper(res["mapping"], origin="mapping", base_dir=base_dir)
    return Mapper.from_file(res["mapping_file"])


def mapper_for(spec: ConnectionSpec, resource: str) -> Mapper | None:
    res = spec.resources.get(resource) or {}
    if not (res.get("mapping") is not None or res.get("mapping_file")):
        return None
    try:
        return mapper_of(res, spec.base_dir)
    except ConnectorError as exc:
        raise ConnectorProblem(exc) from None


# -- verbs ---------------------------------------------------------------------------------------------------
async def check(spec: ConnectionSpec) -> CheckResult:
    connector = build(spec)
    try:
        return await connector.check()
    finally:
        await _close(connector)


async def discover(spec: ConnectionSpec) -> list[ResourceInfo]:
    connector = build(spec)
    try:
        return await connector.discover()
    except ConnectorError as exc:
        raise ConnectorProblem(exc) from None
    finally:
        await _close(connector)


def record_validator(schema_key: str | None) -> Callable[[dict[str, Any]], RecordValidation] | None:
    """A function validating one document against ``schema_key`` with hub.validation (None if unavailable)."""
    if not schema_key:
        return None
    try:
        from hub.validation.store import get_store
        from hub.validation.validator import DocumentValidator
    except ImportError:  # the validator is not installed: records are mapped but not validated
        return None
    store = get_store()
    entry = store.get(schema_key)  # NotFound with suggestions for an unknown schema
    checker = DocumentValidator(entry, store)

    def validate(document: dict[str, Any]) -> RecordValidation:
        valid, issues, _ = checker.check(document)
        return RecordValidation(schema=entry.key, valid=valid, issues=issues)

    return validate


async def pull(
    spec: ConnectionSpec, resource: str, *, since: str | None = None, limit: int | None = None,
    validate: bool = True, stats: PullStats | None = None, connector: Connector | None = None,
) -> AsyncIterator[Pulled]:
    """Read → map → validate, one record at a time. ``stats`` (if given) is kept up to date as records pass."""
    own = connector is None
    connector = connector or build(spec)
    mapper = mapper_for(spec, resource)
    schema = mapper.schema_key if mapper else (spec.resources.get(resource) or {}).get("schema")
    # A resource with a schema but no mapping already speaks the canonical schema: its records are validated as-is.
    check_one = record_validator(schema) if validate and schema else None
    stats = stats if stats is not None else PullStats(resource=resource)
    stats.resource, stats.schema = resource, schema
    if limit is not None and limit <= 0:
        return
    try:
        async with aclosing(connector.read_pages(resource, since=since)) as pages:
            async for page in pages:
                for raw in page:
                    yield _one(raw, stats, mapper, check_one)
                    if limit is not None and stats.read >= limit:
                        return
    except ConnectorError as exc:
        raise ConnectorProblem(exc) from None
    finally:
        if own:
            await _close(connector)


def _one(raw: dict[str, Any], stats: PullStats, mapper: Mapper | None,
         check_one: Callable[[dict[str, Any]], RecordValidation] | None) -> Pulled:
    index = stats.read
    stats.read += 1
    if mapper is None and check_one is None:
        return Pulled(raw, [], None, raw)
    if mapper is not None:
        result = mapper.map(raw)
        if not result.ok:
            stats.unmapped += 1
            for err in result.errors[:3]:
                stats.note(index, "mapping", err.message, err.target)
            return Pulled(None, result.errors, None, raw)
        document = result.document
    else:
        document = raw
    stats.mapped += 1
    report = check_one(document) if check_one else None
    if report is not None:
        if report.valid:
            stats.valid += 1
        else:
            stats.invalid += 1
            for issue in [i for i in report.issues if i.severity == "error"][:3]:
                stats.note(index, "validation", _texts(issue.message), issue.pointer)
        warnings = [i for i in report.issues if i.severity == "warning"]
        stats.warned += 1 if warnings else 0
        for issue in warnings:
            stats.warn(index, str(getattr(issue, "rule", "") or ""), _texts(issue.message), issue.pointer)
    return Pulled(document, [], report, raw)


def _texts(message: Any) -> dict[str, str]:
    if hasattr(message, "model_dump"):
        return message.model_dump()
    return dict(message) if isinstance(message, Mapping) else {"id": str(message), "en": str(message)}


async def _close(connector: Connector) -> None:
    await connector.aclose()


async def shutdown() -> None:
    """Close the shared HTTP clients (end of a CLI command, API shutdown)."""
    await close_all()
