"""``openapi``: resources discovered from an OpenAPI 3 document, read through ``rest_json``.

A resource is a ``GET`` operation without path parameters whose 200 response is an array, or an object holding
one (``data``, ``items``, ``data.items``...). Query parameters reveal the pagination (``page``+``size``/
``per_page``/``limit`` → page; ``offset``+``limit`` → offset; ``cursor``/``page_token``/``after`` → cursor) and
the incremental parameter (``updated_since``, ``since``, ``modified_since``...). The canonical schema is the
operation's ``x-simpul-schema``, the resource's ``schema`` in the spec, or a guess from the resource name.
Declared resources override what was discovered, field by field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from pydantic import Field, model_validator

from connectors.canonical import guess_schema
from connectors.errors import BadPayload, NotFoundError
from connectors.masking import redact_url
from connectors.models import FieldInfo, ResourceInfo
from connectors.pagination import (
    CursorPaginationConfig,
    NoPaginationConfig,
    OffsetPaginationConfig,
    PagePaginationConfig,
)
from connectors.rest_json import RECORD_KEYS, RestJsonConfig, RestJsonConnector, RestJsonResource

SIZE_NAMES = ("size", "per_page", "page_size", "pageSize", "perPage", "limit")
CURSOR_NAMES = ("cursor", "page_token", "pageToken", "after", "next_token", "continuation")
SINCE_NAMES = ("updated_since", "updatedSince", "since", "modified_since", "updated_after", "changed_since")
NEXT_CURSOR_NAMES = ("next_cursor", "nextCursor", "next_page_token", "nextPageToken", "cursor", "next")
TOTAL_PAGES_NAMES = ("total_pages", "totalPages", "last_page", "page_count")
CONTAINERS = ("meta", "pagination", "paging", "page_info", "pageInfo")


class OpenApiConfig(RestJsonConfig):
    base_url: str | None = Field(None, description="Defaults to the document's servers[0].url")  # type: ignore[assignment]
    openapi_url: str | None = Field(None, description="URL of the document (absolute, or under base_url)")
    openapi_file: str | None = Field(None, description="Local path of the document (JSON or YAML)")
    include: list[str] | None = Field(None, description="Only these resource names")

    @model_validator(mode="after")
    def _source(self) -> OpenApiConfig:
        if not (self.openapi_url or self.openapi_file):
            raise ValueError("give openapi_url or openapi_file")
        if not self.base_url and self.openapi_url and not self.openapi_url.startswith(("http://", "https://")):
            raise ValueError("a relative openapi_url needs base_url")
        return self


class OpenApiResource(RestJsonResource):
    path: str | None = None  # type: ignore[assignment]


class OpenApiConnector(RestJsonConnector):
    type_name = "openapi"
    title: ClassVar[dict[str, str]] = {
        "id": "API dengan dokumen OpenAPI 3", "en": "API described by an OpenAPI 3 document"}
    Config = OpenApiConfig
    Resource = OpenApiResource

    _doc: dict[str, Any] | None = None
    _doc_source: str | None = None
    _found: dict[str, tuple[RestJsonResource, list[FieldInfo], str | None]] | None = None

    def url(self, path: str) -> str:
        if path.startswith(("http://", "https://")):
            return path
        return f"{self._base_url()}/{path.lstrip('/')}"

    def _base_url(self) -> str:
        if self.config.base_url:
            return self.config.base_url.rstrip("/")
        servers = (self._doc or {}).get("servers") or [{}]
        server = str(servers[0].get("url") or "").rstrip("/")
        if server.startswith(("http://", "https://")):
            return server
        origin = re.match(r"^https?://[^/]+", self.config.openapi_url or "")
        if origin is None:
            raise BadPayload("openapi.no_server")
        return origin.group(0) + ("/" + server.lstrip("/") if server else "")

    # -- the document ----------------------------------------------------------------------------------------
    async def document(self) -> dict[str, Any]:
        source = self.config.openapi_file or self.config.openapi_url
        if self._doc is not None and self._doc_source == source:
            return self._doc
        if self.config.openapi_file:
            text = Path(self.config.openapi_file).read_text(encoding="utf-8")
        else:
            url = self.config.openapi_url
            url = url if url.startswith(("http://", "https://")) else f"{self.config.base_url}/{url.lstrip('/')}"
            text = (await self._get(url)).text
        try:
            doc = json.loads(text) if text.lstrip().startswith("{") else yaml.safe_load(text)
        except (ValueError, yaml.YAMLError) as exc:
            raise BadPayload("openapi.unreadable", detail=str(exc)[:120]) from None
        if not isinstance(doc, dict) or not str(doc.get("openapi", "")).startswith("3"):
            raise BadPayload("openapi.not_v3")
        self._doc, self._doc_source, self._found = doc, source, None
        return doc

    async def operations(self) -> dict[str, tuple[RestJsonResource, list[FieldInfo], str | None]]:
        doc = await self.document()
        if self._found is None:
            self._found = discover_operations(doc, self.config.include)
        return self._found

    # -- hooks -----------------------------------------------------------------------------------------------
    async def _resource(self, name: str) -> Any:
        found = await self.operations()
        declared = self.resources.get(name)
        if name in found:
            resource = found[name][0]
            if declared is not None:
                resource = resource.model_copy(update={k: getattr(declared, k) for k in declared.model_fields_set})
            return resource
        if declared is not None and declared.path:
            return declared
        known = sorted(set(found) | set(self.resources))
        raise NotFoundError("resource.unknown", resource=name, known=", ".join(known) or "-", suggestions="-")

    async def _check(self) -> dict[str, Any]:
        found = await self.operations()
        doc = self._doc or {}
        names = list(self.resources) or list(found)
        path = self.config.check_path or (
            (await self._resource(names[0])).path if names else "/")
        response = await self._get(self.url(path), dict(self.config.params))
        return {"url": redact_url(response.url), "status": response.status_code, "auth": self._auth.describe(),
                "openapi": {"title": (doc.get("info") or {}).get("title"), "resources": len(found)},
                "latency_ms": response.elapsed_ms}

    async def _discover(self) -> list[ResourceInfo]:
        found = await self.operations()
        infos = []
        for name in list(found) + [n for n in self.resources if n not in found]:
            resource = await self._resource(name)
            fields = found[name][1] if name in found else [FieldInfo(name=f) for f in resource.fields or []]
            info = self._info(name, resource, fields)
            info.description = info.description or (found[name][2] if name in found else None)
            infos.append(info)
        return infos


# -- reading an OpenAPI document ---------------------------------------------------------------------------------
def _deref(doc: dict[str, Any], node: Any, depth: int = 0) -> Any:
    while isinstance(node, dict) and "$ref" in node and depth < 20:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        target: Any = doc
        for part in ref[2:].split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~"), {}) if isinstance(target, dict) else {}
        node, depth = target, depth + 1
    return node


def _response_schema(doc: dict[str, Any], op: dict[str, Any]) -> Any:
    responses = op.get("responses") or {}
    response = _deref(doc, responses.get("200") or responses.get("2XX") or responses.get("default") or {})
    for media, body in (response.get("content") or {}).items():
        if "json" in media:
            return _deref(doc, body.get("schema") or {})
    return None


def _array_in(doc: dict[str, Any], schema: Any, prefix: str = "", depth: int = 0) -> tuple[str, Any] | None:
    """(record path, item schema) of the records inside a response schema."""
    schema = _deref(doc, schema)
    if not isinstance(schema, dict) or depth > 2:
        return None
    if schema.get("type") == "array":
        return prefix.rstrip("."), _deref(doc, schema.get("items") or {})
    props = schema.get("properties") or {}
    ordered = [k for k in RECORD_KEYS if k in props] + [k for k in props if k not in RECORD_KEYS]
    for key in ordered:
        found = _array_in(doc, props[key], f"{prefix}{key}.", depth + 1)
        if found is not None:
            return found
    return None


def _fields(doc: dict[str, Any], schema: Any, prefix: str = "", depth: int = 0) -> list[FieldInfo]:
    schema = _deref(doc, schema)
    out: list[FieldInfo] = []
    required = set(schema.get("required") or []) if isinstance(schema, dict) else set()
    for name, prop in ((schema or {}).get("properties") or {}).items():
        prop = _deref(doc, prop)
        if prop.get("type") == "object" and prop.get("properties") and depth < 3:
            out.extend(_fields(doc, prop, f"{prefix}{name}.", depth + 1))
            continue
        kind = prop.get("type")
        out.append(FieldInfo(name=f"{prefix}{name}", type="|".join(kind) if isinstance(kind, list) else kind,
                             required=name in required, description=prop.get("description")))
    return out


def _find_property(doc: dict[str, Any], schema: Any, names: tuple[str, ...]) -> str | None:
    props = (_deref(doc, schema) or {}).get("properties") or {}
    for name in names:
        if name in props:
            return name
    for container in CONTAINERS:
        inner = (_deref(doc, props.get(container)) or {}).get("properties") or {}
        for name in names:
            if name in inner:
                return f"{container}.{name}"
    return None


def _pagination(doc: dict[str, Any], params: dict[str, Any], schema: Any) -> Any:
    names = set(params)
    size = next((n for n in SIZE_NAMES if n in names), None)

    def page_size(name: str | None) -> int:
        spec = (params.get(name) or {}).get("schema") or {} if name else {}
        maximum = spec.get("maximum")
        return int(min(100, maximum)) if maximum else 100

    if "page" in names and size:
        return PagePaginationConfig(type="page", page_param="page", size_param=size, page_size=page_size(size),
                                    total_pages_path=_find_property(doc, schema, TOTAL_PAGES_NAMES))
    if "offset" in names and "limit" in names:
        return OffsetPaginationConfig(type="offset", limit=page_size("limit"))
    cursor = next((n for n in CURSOR_NAMES if n in names), None)
    if cursor:
        return CursorPaginationConfig(type="cursor", cursor_param=cursor,
                                      cursor_path=_find_property(doc, schema, NEXT_CURSOR_NAMES) or "next_cursor",
                                      size_param=size, page_size=page_size(size) if size else None)
    return NoPaginationConfig()


def _resource_name(path: str, op: dict[str, Any]) -> str:
    if op.get("x-simpul-resource"):
        return str(op["x-simpul-resource"])
    parts = [p for p in path.strip("/").split("/") if p and not re.fullmatch(r"(api|v\d+(\.\d+)?)", p)]
    return re.sub(r"[^a-z0-9_]+", "_", (parts[-1] if parts else "root").lower()).strip("_") or "root"


def discover_operations(
    doc: dict[str, Any], include: list[str] | None = None
) -> dict[str, tuple[RestJsonResource, list[FieldInfo], str | None]]:
    """Resource name → (resource config for rest_json, fields, description) of every list operation."""
    found: dict[str, tuple[RestJsonResource, list[FieldInfo], str | None]] = {}
    for path, item in (doc.get("paths") or {}).items():
        op = (item or {}).get("get")
        if not isinstance(op, dict) or "{" in path:
            continue
        schema = _response_schema(doc, op)
        located = _array_in(doc, schema) if schema is not None else None
        if located is None:
            continue
        record_path, item_schema = located
        params = {}
        for p in [*(item.get("parameters") or []), *(op.get("parameters") or [])]:
            p = _deref(doc, p)
            if p.get("in") == "query" and p.get("name"):
                params[p["name"]] = p
        name = _resource_name(path, op)
        if name in found:
            name = re.sub(r"[^a-z0-9_]+", "_", str(op.get("operationId") or path).lower()).strip("_")
        if include and name not in include:
            continue
        resource = OpenApiResource(
            path=path, record_path=record_path, pagination=_pagination(doc, params, schema),
            since_param=next((n for n in SINCE_NAMES if n in params), None),
            schema=op.get("x-simpul-schema") or guess_schema(name), description=op.get("summary"),
        )
        found[name] = (resource, _fields(doc, item_schema), op.get("summary") or op.get("description"))
    return found
