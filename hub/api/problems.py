"""RFC 9457 problem+json for every error the API returns."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.api.deps import request_lang
from hub.errors import (
    BadRequest,
    MalformedJSON,
    NotFound,
    RequestInvalid,
    SimpulError,
    problem_title,
)
from hub.i18n import catalog, t
from hub.logging import get_logger

PROBLEM_JSON = "application/problem+json"
log = get_logger("hub.api")


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem_response(request: Request, err: SimpulError, headers: dict[str, str] | None = None) -> JSONResponse:
    lang = request_lang(request)
    body = err.problem(lang, instance=str(request.url.path))
    rid = getattr(request.state, "request_id", None)
    if rid:
        body["request_id"] = rid
    return ProblemResponse(body, status_code=err.status, headers=headers)


def field_message(error: dict[str, Any], lang: str) -> str:
    """A request field error in ``lang`` (``request.field.<pydantic type>``); pydantic's own text when unknown."""
    kind = str(error.get("type", ""))
    key = f"request.field.{kind}"
    if key not in catalog():
        return str(error.get("msg", ""))
    params = {k: v for k, v in (error.get("ctx") or {}).items() if isinstance(v, str | int | float)}
    if isinstance(params.get("expected"), str):
        params["expected"] = params["expected"].replace("' or '", "', '")
    if kind == "value_error":
        params["error"] = str(error.get("msg", "")).removeprefix("Value error, ")
    return t(key, lang, **params)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return str(status)


def _pointer(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header") else list(map(str, loc))
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _json_place(body: bytes, position: Any) -> tuple[Any, Any]:
    """Line and column (1-based) of a character position in the request body, as the JSON parser counts them."""
    if not isinstance(position, int) or position < 0:
        return "?", "?"
    text = body.decode("utf-8", errors="replace")[:position]
    return text.count("\n") + 1, position - (text.rfind("\n") + 1) + 1


def _validation_problem(request: Request, exc: RequestValidationError, body: bytes = b"") -> JSONResponse:
    errors = exc.errors()
    for e in errors:
        if e.get("type") == "json_invalid":
            ctx = e.get("ctx") or {}
            position = e.get("loc", ["", None])[-1]
            line, column = _json_place(body, position)
            err = MalformedJSON(
                line=line, column=column, position=position if position is not None else "?",
                detail=ctx.get("error", "JSON"),
                extra={"line": line if line != "?" else None, "column": column if column != "?" else None,
                       "position": position},
            )
            return problem_response(request, err)
    lang = request_lang(request)
    items = [
        {
            "pointer": _pointer(tuple(e.get("loc", ()))),
            "in": str(e.get("loc", ("body",))[0]),
            "field": ".".join(str(p) for p in e.get("loc", ())[1:]),
            "message": field_message(e, lang),
            "type": e.get("type", ""),
        }
        for e in errors
    ]
    return problem_response(request, RequestInvalid(count=len(items), extra={"errors": items}))


def _leaf_routes(routes: Any) -> Any:
    for route in routes:
        inner = getattr(getattr(route, "original_router", None), "routes", None) or getattr(route, "routes", None)
        if inner is not None and not getattr(route, "methods", None):
            yield from _leaf_routes(inner)
        else:
            yield route


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (several routes may share one path)."""
    from starlette.routing import Match

    methods: set[str] = set()
    for route in _leaf_routes(request.app.routes):
        for method in getattr(route, "methods", None) or ():
            if route.matches({**request.scope, "method": method})[0] == Match.FULL:
                methods.add(method)
    return sorted(methods)


FASTAPI_BODY_ERROR = "There was an error parsing the body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(SimpulError)
    async def _simpul(request: Request, exc: SimpulError) -> JSONResponse:
        if exc.status >= 500:
            log.error("request_failed", path=request.url.path, error=str(exc))
        return problem_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        body = b""
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            try:
                body = await request.body()  # already read by the framework, so this is the cached copy
            except RuntimeError:  # the stream was consumed without caching
                body = b""
        return _validation_problem(request, exc, body)

    @app.exception_handler(json.JSONDecodeError)
    async def _json(request: Request, exc: json.JSONDecodeError) -> JSONResponse:
        return problem_response(request, MalformedJSON.from_decode_error(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            err: SimpulError = NotFound("error.route_not_found", path=request.url.path)
        elif exc.status_code == 400 and exc.detail == FASTAPI_BODY_ERROR and isinstance(exc.__cause__, SimpulError):
            err = exc.__cause__  # e.g. the body limit, met while FastAPI read the body
        elif exc.status_code == 400 and exc.detail == FASTAPI_BODY_ERROR:
            # FastAPI's answer when json.loads fails other than by syntax: invalid UTF-8, nesting past Python's
            # recursion limit, an integer of more than 4300 digits
            err = BadRequest("error.body_unparsable")
        elif exc.status_code == 405:
            err = BadRequest("error.method_not_allowed", method=request.method, path=request.url.path)
            lang = request_lang(request)
            body = err.problem(lang, instance=request.url.path)
            body.update(status=405, title=problem_title("method-not-allowed", lang, "Method not allowed"),
                        type="urn:simpul:problem:method-not-allowed")
            return ProblemResponse(body, status_code=405, headers={"Allow": ", ".join(_allowed_methods(request))})
        else:
            lang = request_lang(request)
            phrase = _phrase(exc.status_code)
            title = problem_title(f"http-{exc.status_code}", lang, phrase)
            detail = str(exc.detail)
            body = {
                "type": "about:blank",
                "title": title,
                "status": exc.status_code,
                "detail": title if detail == phrase else detail,
            }
            return ProblemResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))
        return problem_response(request, err)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        rid = getattr(request.state, "request_id", "-")
        log.exception("unhandled_error", path=request.url.path, request_id=rid)
        lang = request_lang(request)
        body = {
            "type": "urn:simpul:problem:internal",
            "title": problem_title("internal", lang, "Internal error"),
            "status": 500,
            "detail": t("error.internal", lang, request_id=rid),
            "request_id": rid,
        }
        return ProblemResponse(body, status_code=500)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting problem+json answers of a route."""
    schema = {"$ref": "#/components/schemas/Problem"}
    return {s: {"description": "Problem (RFC 9457)", "content": {PROBLEM_JSON: {"schema": schema}}} for s in statuses}
