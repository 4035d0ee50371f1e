"""``rest_json``: any JSON-over-HTTP application, configured in YAML only.

```yaml
connector:
  type: rest_json
  config:
    base_url: https://simpeg.example.go.id/api
    auth: {type: bearer, token: {env: SIMPEG_TOKEN}}
    pagination: {type: page, page_param: page, size_param: per_page, page_size: 100}
    since_param: updated_since
resources:
  pegawai: {path: /pegawai, record_path: data.items, schema: kepegawaian/pegawai, mapping_file: pegawai.yaml}
```
"""

from __future__ import annotations

from collections.abc import AsyncIterable, AsyncIterator, Iterable
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from connectors.auth import AuthConfig, AuthStrategy, NoAuthConfig, build_auth
from connectors.base import Connector
from connectors.config import ResourceConfig, StrictModel
from connectors.errors import AuthError, BadPayload, BudgetExhausted, CircuitOpenError, ConnectorError, Unsupported
from connectors.http import HttpSettings
from connectors.masking import redact_url
from connectors.models import FieldInfo, ResourceInfo, WriteResult
from connectors.pagination import NoPaginationConfig, PaginationConfig, build_paginator
from connectors.paths import get_path

RECORD_KEYS = ("data", "items", "results", "records", "rows", "content", "hasil")
SinceFormat = str  # "iso" | "date" | "epoch" | "epoch_ms" | a strftime pattern such as "%d-%m-%Y"


class WriteConfig(StrictModel):
    method: Literal["POST", "PUT", "PATCH"] = "POST"
    path: str | None = Field(None, description="Defaults to the resource path")
    batch_size: int = Field(1, ge=1, le=10_000, description="1 sends one object per request; more sends arrays")
    batch_key: str | None = Field(None, description="Wrap a batch as {batch_key: [...]}")


class RestJsonConfig(StrictModel):
    base_url: str = Field(..., description="Root of the API, e.g. https://app.example.go.id/api/v1")
    auth: AuthConfig = Field(default_factory=NoAuthConfig)
    pagination: PaginationConfig = Field(default_factory=NoPaginationConfig)
    record_path: str | None = Field(None, description="Where the records are in a response, e.g. data.items")
    headers: dict[str, str] = Field(default_factory=dict)
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    since_param: str | None = Field(None, description="Query parameter for incremental reads, e.g. updated_since")
    since_format: SinceFormat = "iso"
    check_path: str | None = Field(None, description="Path used by check(); the first resource by default")
    discover_sample: bool = Field(True, description="discover() reads one page to list the fields")
    http: HttpSettings = Field(default_factory=HttpSettings)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")


class RestJsonResource(ResourceConfig):
    path: str = Field(..., description="Path under base_url, or an absolute URL")
    params: dict[str, str | int | float | bool] = Field(default_factory=dict)
    record_path: str | None = None
    pagination: PaginationConfig | None = None
    since_param: str | None = None
    fields: list[str] | None = Field(None, description="Field names for discover() when not sampled")
    write: WriteConfig | None = Field(None, description="Present when the application accepts data here")


def format_since(value: datetime, fmt: SinceFormat) -> str | int:
    if fmt == "iso":
        return value.isoformat()
    if fmt == "date":
        return value.date().isoformat()
    if fmt == "epoch":
        return int(value.timestamp())
    if fmt == "epoch_ms":
        return int(value.timestamp() * 1000)
    return value.strftime(fmt)


def extract_records(body: Any, record_path: str | None, url: str = "") -> list[dict[str, Any]]:
    """The list of records inside a response body (``record_path`` or a well-known key)."""
    if record_path:
        found = get_path(body, record_path)
        if not isinstance(found, list):
            keys = sorted(body) if isinstance(body, dict) else type(body).__name__
            raise BadPayload("http.record_path", path=record_path, url=url, keys=keys)
        return found
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for key in RECORD_KEYS:
            value = body.get(key)
            if isinstance(value, list):
                return value
            if isinstance(value, dict):
                for inner in RECORD_KEYS:
                    if isinstance(value.get(inner), list):
                        return value[inner]
        raise BadPayload("http.record_path", path="(auto)", url=url, keys=sorted(body))
    raise BadPayload("http.record_path", path="(auto)", url=url, keys=type(body).__name__)


def infer_fields(records: list[Any], limit: int = 50) -> list[FieldInfo]:
    """Field names (dotted for nested objects) and JSON types seen in sample records."""
    seen: dict[str, set[str]] = {}

    def walk(value: Any, prefix: str) -> None:
        for key, item in value.items():
            name = f"{prefix}{key}"
            if isinstance(item, dict) and item:
                walk(item, name + ".")
                continue
            seen.setdefault(name, set()).add(_json_type(item))

    for record in records[:limit]:
        if isinstance(record, dict):
            walk(record, "")
    return [FieldInfo(name=n, type="|".join(sorted(t - {"null"}) or ["null"])) for n, t in seen.items()]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "string"


class RestJsonConnector(Connector):
    type_name = "rest_json"
    title: ClassVar[dict[str, str]] = {"id": "API REST/JSON", "en": "REST/JSON API"}
    Config = RestJsonConfig
    Resource = RestJsonResource
    supports_write = True
    supports_since = True

    _auth: AuthStrategy | None = None
    _auth_config: Any = None

    def _configured(self) -> None:
        if self._auth is None or self._auth_config != self.config.auth:  # keep a cached OAuth2 token
            self._auth, self._auth_config = build_auth(self.config.auth), self.config.auth

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.config.base_url}/{path.lstrip('/')}"

    async def _get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        try:
            return await self.http(self.config.http).get(
                url, params=params, headers=self.config.headers, auth=self._auth
            )
        except AuthError:
            if hasattr(self._auth, "invalidate"):
                self._auth.invalidate()  # type: ignore[union-attr]
            raise

    async def _check(self) -> dict[str, Any]:
        path = self.config.check_path or next((r.path for r in self.resources.values()), "/")
        params = {**self.config.params}
        if not self.config.check_path:
            params.update(next((r.params for r in self.resources.values()), {}))
        response = await self._get(self.url(path), params)
        return {"url": redact_url(response.url), "status": response.status_code, "auth": self._auth.describe(),
                "latency_ms": response.elapsed_ms}

    async def _discover(self) -> list[ResourceInfo]:
        infos = []
        for name, res in self.resources.items():
            fields = [FieldInfo(name=f) for f in res.fields or []]
            if not fields and self.config.discover_sample:
                async for page in self._pages(res, None, max_pages=1):
                    fields = infer_fields(page)
                    break
            infos.append(self._info(name, res, fields))
        return infos

    def _info(self, name: str, res: Any, fields: list[FieldInfo]) -> ResourceInfo:
        pagination = res.pagination or self.config.pagination
        return ResourceInfo(
            name=name, schema=res.schema_key, fields=fields, supports_since=self._applies_since(res),
            supports_write=res.write is not None, pagination=pagination.type, location=res.path,
            description=res.description,
        )

    def _applies_since(self, resource: Any) -> bool:
        return bool(resource.since_param or self.config.since_param)

    def _read_pages(self, name: str, resource: Any, since: datetime | None) -> AsyncIterator[list[dict[str, Any]]]:
        return self._pages(resource, since)

    async def _pages(self, res: Any, since: datetime | None, max_pages: int | None = None
                     ) -> AsyncIterator[list[dict[str, Any]]]:
        paginator = build_paginator(res.pagination or self.config.pagination)
        record_path = res.record_path if res.record_path is not None else self.config.record_path
        base_params: dict[str, Any] = {**self.config.params, **res.params}
        since_param = res.since_param or self.config.since_param
        if since is not None and since_param:
            base_params[since_param] = format_since(since, self.config.since_format)
        request = paginator.start()
        pages = 0
        while request is not None:
            if request.url:
                url, params = self.url(request.url), {}
            else:
                url, params = self.url(res.path), {**base_params, **request.params}
            response = await self._get(url, params)
            body = response.json()
            records = extract_records(body, record_path, redact_url(response.url))
            yield records
            pages += 1
            if max_pages is not None and pages >= max_pages:
                return
            request = paginator.next(body, response.headers, records)

    async def _write(self, name: str, resource: Any,
                     records: Iterable[dict[str, Any]] | AsyncIterable[dict[str, Any]]) -> WriteResult:
        spec: WriteConfig | None = resource.write
        if spec is None:
            raise Unsupported("resource.no_write", resource=name)
        url = self.url(spec.path or resource.path)
        result = WriteResult(resource=name)
        batch: list[dict[str, Any]] = []

        async def flush() -> None:
            if not batch:
                return
            body: Any = batch[0] if spec.batch_size == 1 else (
                {spec.batch_key: list(batch)} if spec.batch_key else list(batch))
            try:
                await self.http(self.config.http).request(
                    spec.method, url, json=body, headers=self.config.headers, auth=self._auth)
                result.written += len(batch)
            except (AuthError, CircuitOpenError, BudgetExhausted):
                raise
            except ConnectorError as exc:
                result.failed += len(batch)
                result.errors.append({"records": len(batch), **exc.to_dict()})
            batch.clear()

        async for record in _aiter(records):
            batch.append(record)
            if len(batch) >= spec.batch_size:
                await flush()
        await flush()
        return result


async def _aiter(items: Iterable[Any] | AsyncIterable[Any]) -> AsyncIterator[Any]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
