"""Webhooks out (registration and delivery of change events) and a webhook inbox (e-budgeting).

Out: ``POST /api/v1/webhooks {"url", "resources"?, "secret"?}`` registers a subscriber; every write to a resource
then POSTs ``{"event", "resource", "id", "updated_at", "data"}`` to it. With a secret, the body is signed:
``X-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>``. Deliveries are best effort (one attempt, recorded on
the registration: ``deliveries``, ``last_status``, ``last_error``).

In: ``POST /api/v1/inbox`` accepts any body without a token (signatures are checked by whoever reads the inbox) and
stores body and headers; ``GET /api/v1/inbox`` (token) lists what arrived, ``DELETE /api/v1/inbox`` empties it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from examples.apps.errors import AppError, invalid_body, parse_json
from examples.apps.refdata import WIB, iso

if TYPE_CHECKING:
    from examples.apps.state import AppState


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", title="WebhookInput")
    url: str = Field(pattern=r"^https?://\S+$", max_length=2000, examples=["http://127.0.0.1:8102/api/v1/inbox"])
    resources: list[str] | None = Field(default=None, description="Resources to follow; all when absent")
    secret: str | None = Field(default=None, min_length=8, max_length=200,
                               description="Signs each delivery: X-Signature-256: sha256=<hex HMAC-SHA256>")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookHub:
    def __init__(self, app_key: str, timeout: float = 5.0):
        self.app_key, self.timeout = app_key, timeout
        self.hooks: dict[str, dict[str, Any]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def register(self, hook: WebhookIn) -> dict[str, Any]:
        hook_id = uuid.uuid4().hex[:12]
        self.hooks[hook_id] = {"id": hook_id, "url": hook.url, "resources": hook.resources,
                               "signed": bool(hook.secret), "created_at": iso(datetime.now(WIB)),
                               "deliveries": 0, "last_status": None, "last_error": None, "_secret": hook.secret}
        return self.public(hook_id)

    def public(self, hook_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.hooks[hook_id].items() if not k.startswith("_")}

    def publish(self, resource: str, record_id: str, record: dict[str, Any], created: bool) -> None:
        event = {"event": f"{resource}.{'created' if created else 'updated'}", "aplikasi": self.app_key,
                 "resource": resource, "id": record_id, "updated_at": record.get("updated_at"), "data": record}
        for hook in self.hooks.values():
            if hook["resources"] is None or resource in hook["resources"]:
                task = asyncio.get_running_loop().create_task(self._deliver(hook, event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _deliver(self, hook: dict[str, Any], event: dict[str, Any]) -> None:
        body = json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "X-Simpul-Event": event["event"],
                   "X-Webhook-Id": hook["id"], "X-Delivery-Id": uuid.uuid4().hex}
        if hook["_secret"]:
            headers["X-Signature-256"] = signature(hook["_secret"], body)
        hook["deliveries"] += 1
        try:
            async with httpx.AsyncClient(timeout=self.timeout, trust_env=False) as client:
                response = await client.post(hook["url"], content=body, headers=headers)
            hook["last_status"], hook["last_error"] = response.status_code, None
        except httpx.HTTPError as err:
            hook["last_status"], hook["last_error"] = None, f"{type(err).__name__}: {err}"


def add_webhook_routes(app: FastAPI, state: AppState, auth: Any, extra: dict[str, Any]) -> None:
    known = set(state.spec.resources)

    async def register(request: Request) -> JSONResponse:
        try:
            hook = WebhookIn.model_validate(parse_json(await request.body()))
        except ValidationError as err:
            raise invalid_body(err) from err
        unknown = sorted(set(hook.resources or ()) - known)
        if unknown:
            raise AppError(400, "unknown_resource", bad_input=True, name=unknown[0], allowed=", ".join(sorted(known)))
        created = state.hooks.register(hook)
        return JSONResponse(created, 201, headers={"Location": f"/api/v1/webhooks/{created['id']}"})

    async def listing() -> dict[str, Any]:
        return {"data": [state.hooks.public(h) for h in state.hooks.hooks], "total": len(state.hooks.hooks)}

    async def remove(hook_id: str) -> Response:
        if state.hooks.hooks.pop(hook_id, None) is None:
            raise AppError(404, "not_found", resource="webhook", id=hook_id)
        return Response(status_code=204)

    deps = [Depends(auth)]
    body = {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/WebhookInput"}}}}}
    problems = extra.get("responses", {})
    invalid = {"422": {**problems.get("400", {}), "description": "Isian tidak valid / invalid fields"}}
    app.add_api_route("/api/v1/webhooks", register, methods=["POST"], dependencies=deps, tags=["webhook"],
                      status_code=201, summary="Daftarkan webhook / register a webhook",
                      openapi_extra={**extra, **body, "responses": {**problems, **invalid}})
    app.add_api_route("/api/v1/webhooks", listing, methods=["GET"], dependencies=deps, tags=["webhook"],
                      summary="Daftar webhook / list webhooks", openapi_extra=extra)
    app.add_api_route("/api/v1/webhooks/{hook_id}", remove, methods=["DELETE"], dependencies=deps,
                      tags=["webhook"], status_code=204, summary="Hapus webhook / delete a webhook",
                      openapi_extra=extra)


def add_inbox_routes(app: FastAPI, state: AppState, auth: Any, extra: dict[str, Any]) -> None:
    async def receive(request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            parsed = json.loads(raw) if raw else None
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = None
        state.inbox_count += 1
        state.inbox.append({"id": state.inbox_count, "received_at": iso(datetime.now(WIB)),
                            "headers": dict(request.headers), "body": raw.decode("utf-8", "replace"),
                            "json": parsed})
        return JSONResponse({"diterima": True, "id": state.inbox_count}, 202)

    async def listing() -> dict[str, Any]:
        return {"data": list(state.inbox), "total": len(state.inbox)}

    async def clear() -> Response:
        state.inbox.clear()
        return Response(status_code=204)

    deps = [Depends(auth)]
    app.add_api_route("/api/v1/inbox", receive, methods=["POST"], tags=["webhook"], status_code=202,
                      summary="Penerima webhook (tanpa token) / webhook receiver (no token)")
    app.add_api_route("/api/v1/inbox", listing, methods=["GET"], dependencies=deps, tags=["webhook"],
                      summary="Isi kotak masuk / what the inbox received", openapi_extra=extra)
    app.add_api_route("/api/v1/inbox", clear, methods=["DELETE"], dependencies=deps, tags=["webhook"],
                      status_code=204, summary="Kosongkan kotak masuk / empty the inbox", openapi_extra=extra)
