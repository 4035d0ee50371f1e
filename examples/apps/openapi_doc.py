"""The OpenAPI 3 document of an example application: FastAPI's paths plus record schemas, security schemes and
the problem+json shape. Record schemas are inferred from the data (types and nesting), so the document always
matches what the application sends; the canonical schema each resource maps to is named in ``x-simpul-schema``."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from examples.apps.api import schema_name
from examples.apps.dataset import clean
from examples.apps.oauth2 import security_scheme
from examples.apps.state import AppState
from examples.apps.webhooks import WebhookIn

PROBLEM = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "description": "RFC 9457; detail dalam Bahasa Indonesia (Accept-Language: en untuk Inggris)",
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"}, "kode": {"type": "string"},
                   "kesalahan": {"type": "array", "items": {"type": "object", "properties": {
                       "lokasi": {"type": "string"}, "pesan": {"type": "string"}}}}},
}


PROBLEM_422 = {"description": "Isian tidak valid / invalid fields", "content": {
    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def infer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, dict):
        return {"type": "object", "properties": {k: infer(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"type": "array", "items": infer(value[0]) if value else {}}
    return {"type": "string"}


def merge(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Union of two inferred object schemas (a field seen in any sample is documented)."""
    if a.get("type") == b.get("type") == "object":
        props = dict(a["properties"])
        for key, sub in b["properties"].items():
            props[key] = merge(props[key], sub) if key in props else sub
        return {"type": "object", "properties": props}
    if a.get("type") == "integer" and b.get("type") == "number":
        return b
    return a


def install(app: FastAPI, state: AppState) -> None:
    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        comps = doc.setdefault("components", {})
        comps["securitySchemes"] = {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <token>"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
        if state.issuer is not None:  # profile auth: oauth2: the only way in is a client-credentials token
            comps["securitySchemes"] = {"oauth2": security_scheme()}
            for item in doc.get("paths", {}).values():
                for op in item.values():
                    if isinstance(op, dict) and "security" in op:
                        op["security"] = [{"oauth2": ["read"]}]
        schemas = comps.setdefault("schemas", {})
        schemas["Problem"] = PROBLEM
        for res in state.spec.resources.values():
            ds, name = res.dataset, schema_name(res)
            record: dict[str, Any] = {"type": "object", "properties": {}}
            for i in range(min(len(ds), 60)):
                record = merge(record, infer(clean(ds.record(i))))
            schemas[name] = {**record, "title": res.title, "x-simpul-schema": res.schema,
                             "x-id-field": res.id_field}
            ref = {"$ref": f"#/components/schemas/{name}"}
            schemas[f"{name}List"] = {"type": "array", "items": ref}
            schemas[f"{name}Page"] = {"type": "object", "required": ["data", "page", "size", "total"], "properties": {
                "data": {"type": "array", "items": ref}, "page": {"type": "integer"}, "size": {"type": "integer"},
                "total": {"type": "integer"}, "pages": {"type": "integer"},
                "next": {"type": ["string", "null"], "description": "URL halaman berikut / next page"},
                "prev": {"type": ["string", "null"]}}}
            if res.body_model is not None:
                body = res.body_model.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(body.pop("$defs", {}))
                schemas[res.body_model.model_config.get("title", res.body_model.__name__)] = body
        hook = WebhookIn.model_json_schema(ref_template="#/components/schemas/{model}")
        hook["properties"]["resources"] = {"anyOf": [{"type": "array", "items": {
            "type": "string", "enum": list(state.spec.resources)}}, {"type": "null"}]}
        schemas["WebhookInput"] = hook
        for path_item in doc["paths"].values():
            for operation in path_item.values():
                if "422" in operation.get("responses", {}):  # FastAPI's own 422 shape: ours is problem+json
                    operation["responses"]["422"] = PROBLEM_422
        schemas["ChangePage"] = {"type": "object", "properties": {
            "data": {"type": "array", "items": {"type": "object", "properties": {
                "resource": {"type": "string"}, "id": {"type": "string"}, "operasi": {"type": "string"},
                "updated_at": {"type": "string", "format": "date-time"}, "url": {"type": "string"}}}},
            "page": {"type": "integer"}, "size": {"type": "integer"}, "total": {"type": "integer"},
            "next": {"type": ["string", "null"]}}}
        app.openapi_schema = doc
        return doc

    app.openapi = build  # type: ignore[method-assign]
