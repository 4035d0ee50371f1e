"""Skema: the canonical schemas as readable pages — fields, types, required, constraints, code lists, business
rules and examples (the same content as docs/schemas/, from the same helpers)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.validation.docs import _business_rules, codelist_values, fields
from hub.validation.service import list_schemas
from hub.validation.store import get_store
from hub.web import backend
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/skema")
async def schema_list(web: WebDep) -> Response:
    web.principal  # noqa: B018 - sign-in required (the schemas themselves are public through the API)
    schemas = await run_in_threadpool(list_schemas)
    return web.page("schemas/list.html", title=web.t("web.nav.schemas"), schemas=schemas)


def _detail(key: str, lang: str) -> dict[str, Any]:
    store = get_store()
    entry = store.get(key)
    resolved = store.resolved(entry)
    docs = fields(resolved)
    lists = list(dict.fromkeys(str(f.node["x-codelist"]) for f in docs if f.node.get("x-codelist")))
    examples = [(p.name, p.read_text(encoding="utf-8").strip()) for p in entry.examples_valid[:2]]
    return {"entry": entry, "fields": docs, "rules": _business_rules(entry.key),
            "codelists": [(name, codelist_values(store.root, name, lang)) for name in lists],
            "examples": examples, "invalid": [p.name for p in entry.examples_invalid],
            "versions": backend.schema_versions(entry.versioned_key)}


@router.get("/skema/{key:path}")
async def schema_page(web: WebDep, key: str) -> Response:
    web.principal  # noqa: B018
    data = await run_in_threadpool(_detail, key[:200], web.lang)
    entry = data["entry"]
    return web.page("schemas/detail.html", title=entry.title[web.lang], **data)
