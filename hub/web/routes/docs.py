"""``/docs`` (Swagger UI) and ``/redoc`` served from files bundled with Simpul (the fastapi-offline package), so
the API reference works on a network without internet. No inline script: the page starts Swagger UI from
``/static/docs.js``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

SWAGGER = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simpul API – Swagger UI</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui.css"><link rel="icon" href="/static/favicon.svg">
</head><body><main><h1 class="visually-hidden">Simpul API</h1><div id="swagger-ui" data-openapi="{openapi}"></div>
</main><script src="/static/vendor/swagger-ui-bundle.js"></script><script src="/static/docs.js"></script>
</body></html>"""

REDOC = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Simpul API – ReDoc</title><link rel="icon" href="/static/favicon.svg">
</head><body><redoc spec-url="{openapi}"></redoc><script src="/static/vendor/redoc.standalone.js"></script>
</body></html>"""


def _openapi(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}{request.app.openapi_url}"


@router.get("/docs")
def swagger(request: Request) -> HTMLResponse:
    return HTMLResponse(SWAGGER.replace("{openapi}", _openapi(request)))


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return HTMLResponse(REDOC.replace("{openapi}", _openapi(request)))
