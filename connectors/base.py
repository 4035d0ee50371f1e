"""The connector contract.

A connector is configured with a ``config`` mapping and named ``resources``. The base class drives every run;
its driving methods (``spec``, ``validate``, ``check``, ``discover``, ``read``, ``read_pages``, ``write``) are
final — a subclass that overrides one fails at import. Connector authors implement the hooks instead:

=====================  =====================================================================================
``Config``             pydantic model of the connector configuration (its JSON Schema is ``spec()``)
``Resource``           pydantic model of one resource (extends :class:`~connectors.config.ResourceConfig`)
``_check()``           prove the application is reachable and accepts the credentials; return details
``_discover()``        list the resources offered (:class:`~connectors.models.ResourceInfo`)
``_read_pages()``      async-yield pages (lists of records) of one resource, honouring ``since`` if it can
``_write()``           send records to an application that accepts data (``supports_write = True``)
=====================  =====================================================================================

The configuration is validated before every verb, and every problem is reported at once
(:class:`~connectors.errors.ConfigError`): secrets come from the environment, which may change between verbs.
"""

from __future__ import annotations

import difflib
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from datetime import date, datetime
from typing import Any, ClassVar, final

from connectors.config import ResourceConfig, StrictModel, collect
from connectors.errors import ConfigError, ConnectorError, FieldError, NotFoundError, Unsupported
from connectors.http import HttpClient, HttpSettings, http_client_for
from connectors.masking import get_logger
from connectors.messages import message
from connectors.models import CheckResult, ReadStats, ResourceInfo, WriteResult

log = get_logger("base")
_FINAL = frozenset({"spec", "validate", "check", "discover", "read", "read_pages", "write"})


def parse_since(since: datetime | date | str | None) -> datetime | None:
    """``since`` as a datetime: ISO 8601 text (``2024-05-01``, ``2024-05-01T10:00:00+07:00``) or a date."""
    if since is None or since == "":
        return None
    if isinstance(since, datetime):
        return since
    if isinstance(since, date):
        return datetime(since.year, since.month, since.day)
    text = str(since).strip().replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError([FieldError("since", "config.since_format", {"value": since})], what="since") from None


class Connector:
    type_name: ClassVar[str] = ""
    title: ClassVar[dict[str, str]] = {"id": "", "en": ""}
    Config: ClassVar[type[StrictModel]] = StrictModel
    Resource: ClassVar[type[ResourceConfig]] = ResourceConfig
    supports_write: ClassVar[bool] = False
    supports_since: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = sorted(_FINAL & set(cls.__dict__))
        if overridden:
            raise TypeError(f"{cls.__name__} overrides final method(s) {overridden}; implement the _hooks instead")

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        resources: Mapping[str, Mapping[str, Any] | None] | None = None,
        *,
        app: str | None = None,
        http: HttpClient | None = None,
    ) -> None:
        self.raw_config = dict(config or {})
        self.raw_resources = {str(k): dict(v or {}) for k, v in (resources or {}).items()}
        self.app = app or self.type_name
        self._http = http
        self.config: Any = None
        self.resources: dict[str, Any] = {}
        self.last_read: ReadStats | None = None
        self._new_run = False

    # -- driving methods (final) -----------------------------------------------------------------------------
    @final
    @classmethod
    def spec(cls) -> dict[str, Any]:
        """The configuration this connector accepts, as JSON Schema (``config`` and one ``resource``)."""
        return {
            "type": cls.type_name,
            "title": cls.title,
            "supports_write": cls.supports_write,
            "supports_since": cls.supports_since,
            "config": cls.Config.model_json_schema(by_alias=True),
            "resource": cls.Resource.model_json_schema(by_alias=True),
        }

    @final
    def validate(self) -> None:
        """Validate config and resources; raise one :class:`ConfigError` listing every problem."""
        errors: list[FieldError] = []
        config = collect(self.Config, self.raw_config, "config", errors)
        resources: dict[str, Any] = {}
        for name, raw in self.raw_resources.items():
            resource = collect(self.Resource, raw, f"resources.{name}", errors)
            if resource is not None:
                resources[name] = resource
        if config is not None:
            errors.extend(self._validate_more(config, resources))
        if errors:
            raise ConfigError(errors)
        self.config, self.resources = config, resources
        self._new_run = True  # the request budget counts per verb run
        self._configured()

    @final
    async def check(self) -> CheckResult:
        """Reachable? Authenticated? How fast? Never raises: a failure is a ``failed`` result that says why."""
        start = time.perf_counter()
        base = {"connector": self.type_name, "app": self.app}
        try:
            self.validate()
            details = await self._check() or {}
        except ConfigError as exc:
            return CheckResult(status="failed", message=exc.messages(), details=exc.to_dict(), **base)
        except ConnectorError as exc:
            return CheckResult(status="failed", latency_ms=_ms(start), message=exc.messages(),
                               details=exc.to_dict(), **base)
        latency = details.pop("latency_ms", None) or _ms(start)
        return CheckResult(status="ok", latency_ms=latency, details=details,
                           message=message("check.ok", app=self.app, latency=round(latency)), **base)

    @final
    async def discover(self) -> list[ResourceInfo]:
        self.validate()
        return await self._discover()

    @final
    async def read_pages(
        self, resource: str, since: datetime | date | str | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Pages of records, one request (or chunk) at a time; nothing is loaded whole."""
        self.validate()
        when = parse_since(since)
        cfg = await self._resource(resource)
        stats = self.last_read = ReadStats(resource=resource, since=when.isoformat() if when else None,
                                           since_applied=bool(when) and self._applies_since(cfg))
        if when is not None and not stats.since_applied:
            log.warning("app %s: resource %s cannot filter by 'since'; reading everything", self.app, resource)
        pages = self._read_pages(resource, cfg, when)
        try:
            async for page in pages:
                if page:
                    stats.pages += 1
                    stats.records += len(page)
                    yield page
        finally:
            await _aclose(pages)

    @final
    async def read(self, resource: str, since: datetime | date | str | None = None) -> AsyncIterator[dict[str, Any]]:
        """Records of ``resource`` (changed after ``since`` when the application can say), streamed."""
        pages = self.read_pages(resource, since)
        try:
            async for page in pages:
                for record in page:
                    yield record
        finally:
            await _aclose(pages)

    @final
    async def write(
        self, resource: str, records: Iterable[dict[str, Any]] | AsyncIterable[dict[str, Any]]
    ) -> WriteResult:
        self.validate()
        if not self.supports_write:
            raise Unsupported("error.write_unsupported", connector=self.type_name)
        cfg = await self._resource(resource)
        return await self._write(resource, cfg, records)

    async def aclose(self) -> None:
        if self._http is not None and getattr(self, "_owns_http", False):
            await self._http.aclose()

    async def __aenter__(self) -> Connector:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- helpers for connectors ------------------------------------------------------------------------------
    def http(self, settings: HttpSettings | None = None) -> HttpClient:
        """The HTTP client of this application (shared in the process unless one was given)."""
        if self._http is None:
            self._http = http_client_for(self.app, settings)
        if self._new_run:
            self._http.reset_budget()
            self._new_run = False
        return self._http

    async def _resource(self, name: str) -> Any:
        if name in self.resources:
            return self.resources[name]
        found = await self._undeclared_resource(name)
        if found is None:
            names = list(self.resources)
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
            raise NotFoundError("resource.unknown", resource=name, known=", ".join(names) or "-",
                                suggestions=", ".join(close) or "-")
        return found

    # -- hooks -----------------------------------------------------------------------------------------------
    def _validate_more(self, config: Any, resources: dict[str, Any]) -> list[FieldError]:
        """Cross-field rules that a model alone cannot express."""
        return []

    def _configured(self) -> None:
        """Called after each successful validation (build auth, paginators...)."""

    async def _check(self) -> dict[str, Any]:
        raise NotImplementedError

    async def _discover(self) -> list[ResourceInfo]:
        raise NotImplementedError

    async def _undeclared_resource(self, name: str) -> Any:
        """A resource not in the spec but offered by the application (e.g. from its OpenAPI document)."""
        return None

    def _applies_since(self, resource: Any) -> bool:
        return False

    def _read_pages(self, name: str, resource: Any, since: datetime | None) -> AsyncIterator[list[dict[str, Any]]]:
        raise NotImplementedError

    async def _write(
        self, name: str, resource: Any, records: Iterable[dict[str, Any]] | AsyncIterable[dict[str, Any]]
    ) -> WriteResult:
        raise Unsupported("error.write_unsupported", connector=self.type_name)


async def _aclose(iterator: Any) -> None:
    """Close an abandoned async generator now (a cursor, a thread, a connection), not at garbage collection."""
    close = getattr(iterator, "aclose", None)
    if close is not None:
        await close()


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)
