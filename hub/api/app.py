"""The FastAPI application: ``create_app()`` with lifespan, request ids, body limit and problem+json."""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from starlette.datastructures import Headers

import hub
from hub.api import routers as routers_pkg
from hub.api.problems import PROBLEM_JSON, install_problem_handlers, problem_response
from hub.errors import PayloadTooLarge
from hub.logging import configure_logging, get_logger
from hub.settings import get_settings

log = get_logger("hub.api")

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details. `title` and `detail` are in Bahasa Indonesia unless Accept-Language "
                   "asks for en; `type` never changes with the language.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "description": "Stable problem type, urn:simpul:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "request_id": {"type": "string"},
    },
    "additionalProperties": True,
}

DESCRIPTION = """Simpul connects the Smart e-Gov applications of a Pemda: a registry of OPD applications,
canonical JSON Schemas with a validator, connectors, assessment against the five standards, data exchange and the
application gap inventory. Errors are RFC 9457 `application/problem+json`, in Bahasa Indonesia by default and in
English with `Accept-Language: en`."""


def _include_routers(app: FastAPI) -> None:
    """Every module in ``hub.api.routers`` that defines ``router`` is mounted, in name order."""
    for info in sorted(pkgutil.iter_modules(routers_pkg.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routers_pkg.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)


def _openapi(app: FastAPI) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {
        "description": "Problem (RFC 9457)",
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for path_item in schema.get("paths", {}).values():
        for op in path_item.values():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            # FastAPI documents its own 422 shape; ours is problem+json.
            if "422" in responses:
                responses["422"] = problem
            responses.setdefault("default", problem)
    app.openapi_schema = schema
    return schema


class BodyLimit:
    """Counts the bytes of every request body as it is read, so a body without ``Content-Length`` (chunked) is
    held to ``SIMPUL_MAX_BODY_BYTES`` as well: past the limit, reading raises :class:`PayloadTooLarge` (413)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise PayloadTooLarge(limit=self.limit, extra={"limit": self.limit})
            return message

        await self.app(scope, counted, send)


class RequestContext:
    """Request id (``X-Request-ID``, taken from the caller or made), the early 413 on a declared
    ``Content-Length`` over the limit, the request id bound to every log line, and one ``request`` log line per
    answer. A plain ASGI middleware: the endpoint runs in the same task, so no extra task per request (Starlette's
    ``BaseHTTPMiddleware`` costs one, and its streaming hop, on every call)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rid = headers.get("x-request-id") or uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = rid
        length = headers.get("content-length")
        if length and length.isdigit() and int(length) > self.limit:
            response = problem_response(Request(scope, receive),
                                        PayloadTooLarge(limit=self.limit, extra={"limit": self.limit}))
            response.headers["X-Request-ID"] = rid
            await response(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", []), (b"x-request-id", rid.encode())]}
            await send(message)

        structlog.contextvars.bind_contextvars(request_id=rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.unbind_contextvars("request_id")
            log.info("request", method=scope["method"], path=scope["path"], status=status,
                     ms=round((time.perf_counter() - started) * 1000, 1), request_id=rid)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    hooks = getattr(app.state, "startup_hooks", [])
    for hook in hooks:
        await hook(app)
    yield
    for hook in getattr(app.state, "shutdown_hooks", []):
        await hook(app)
    from hub.exchange import audit

    await asyncio.to_thread(audit.close_buffers)  # buffered read entries reach the chain on a clean shutdown


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        title="Simpul",
        version=hub.__version__,
        description=DESCRIPTION,
        lifespan=_lifespan,
        docs_url=None,  # /docs and /redoc are served by the web workspace from bundled files (offline)
        redoc_url=None,
    )
    app.state.startup_hooks = []
    app.state.shutdown_hooks = []
    install_problem_handlers(app)
    from hub.services import network

    network.install()  # outgoing connections: loopback + SIMPUL_PROBE_ALLOW + the registry's probe_allow

    # added before _context so it runs inside it: reading raises straight into the endpoint, whose handlers answer
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    app.add_middleware(RequestContext, limit=settings.max_body_bytes)

    _include_routers(app)
    from hub.web import install as install_web  # the web workspace under / (pages, static files, /docs, /redoc)

    install_web(app)
    from hub.exchange.workers import install_workers  # delivery and sync workers (SIMPUL_EXCHANGE_WORKERS)

    install_workers(app)
    from hub.api.security_headers import install as install_security  # headers on every answer, CORS

    install_security(app, settings)
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app
