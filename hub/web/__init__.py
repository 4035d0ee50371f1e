"""The web workspace: server-rendered pages under ``/`` inside ``simpul serve`` (the API stays under ``/v1``).

Pages call the same services as the API and the CLI (``hub/web/backend.py`` is the one place that does); every
asset is served by Simpul itself (no CDN, no external font or script), so the workspace works on a network
without internet. ``install(app)`` mounts the static files, the page routes (``hub/web/routes/*``, discovered by
module like the API routers) and the offline ``/docs`` and ``/redoc``.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.web.render import STATIC

VENDOR = Path(importlib.import_module("fastapi_offline").__file__ or "").parent / "static"


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/v1", "/static", "/health", "/metrics", "/openapi")):
        return False
    return "text/html" in request.headers.get("accept", "")


def install(app: FastAPI) -> None:
    from hub.web import routes

    app.mount("/static/vendor", StaticFiles(directory=VENDOR), name="vendor")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for info in sorted(pkgutil.iter_modules(routes.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{routes.__name__}.{info.name}")
        router = getattr(module, "router", None)
        if router is not None:
            app.include_router(router)

    problem_404 = app.exception_handlers.get(StarletteHTTPException)

    async def _not_found(request: Request, exc: StarletteHTTPException):  # type: ignore[no-untyped-def]
        """A browser that opens an unknown page gets a page; API clients keep problem+json."""
        if exc.status_code == 404 and _wants_html(request):
            from hub.errors import NotFound
            from hub.web.context import error_page

            return error_page(request, NotFound("error.route_not_found", path=request.url.path))
        if problem_404 is None:  # the API always registers one; never reached in a Simpul app
            raise exc
        return await problem_404(request, exc)

    app.add_exception_handler(StarletteHTTPException, _not_found)
