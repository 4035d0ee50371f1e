"""Errors of the example applications, rendered as the profile says.

``humane`` (every profile but one): RFC 9457 ``application/problem+json`` with ``detail`` in Bahasa Indonesia
(English with ``Accept-Language: en``), a stable ``kode``, and for body errors a ``kesalahan`` list naming every bad
field. Never a stack trace. ``fragile``: bad input ends in HTTP 500 with the Python traceback as text, other errors
in terse English, the way a careless application answers.
"""

from __future__ import annotations

import json
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from examples.apps.config import Profile
from examples.apps.refdata import load

PROBLEM_JSON = "application/problem+json"
TITLES = {
    400: ("Permintaan tidak valid", "Bad request"), 401: ("Tidak terautentikasi", "Unauthorized"),
    404: ("Tidak ditemukan", "Not found"), 405: ("Metode tidak diizinkan", "Method not allowed"),
    409: ("Konflik", "Conflict"), 415: ("Jenis isi tidak didukung", "Unsupported media type"),
    422: ("Isian tidak valid", "Unprocessable content"), 500: ("Kesalahan server", "Internal server error"),
    503: ("Layanan tidak tersedia", "Service unavailable"),
}
TYPE_NAMES = {
    "int": ("bilangan bulat", "an integer"), "float": ("angka", "a number"), "string": ("teks", "text"),
    "list": ("daftar", "a list"), "dict": ("objek", "an object"), "model": ("objek", "an object"),
    "bool": ("benar/salah", "true or false"),
}


def text(key: str, lang: str = "id", **params: Any) -> str:
    entry = load("messages").get(key) or {"id": key, "en": key}
    return entry.get(lang, entry["id"]).format(**params)


def lang_of(request: Request) -> str:
    if request.query_params.get("lang") == "en":
        return "en"
    return "en" if (request.headers.get("accept-language") or "").lower().startswith("en") else "id"


class AppError(Exception):
    """An error a user can act on: ``key`` names the message in ``messages.yaml``, ``params`` fill it."""

    def __init__(self, status: int, key: str, *, bad_input: bool = False, headers: dict[str, str] | None = None,
                 extra: dict[str, Any] | None = None, **params: Any):
        self.status, self.key, self.bad_input, self.params = status, key, bad_input, params
        self.headers, self.extra = headers or {}, extra or {}
        super().__init__(text(key, "en", **params))


def problem(status: int, key: str, lang: str, *, headers: dict[str, str] | None = None,
            extra: dict[str, Any] | None = None, **params: Any) -> JSONResponse:
    title = TITLES.get(status, ("Kesalahan", "Error"))
    body = {"type": "about:blank", "title": title[1] if lang == "en" else title[0], "status": status,
            "detail": text(key, lang, **params), "kode": key, **(extra or {})}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def field_errors(exc: ValidationError, lang: str) -> list[dict[str, str]]:
    """Pydantic's errors as ``[{lokasi: JSON Pointer, pesan}]`` in the user's language."""
    out = []
    for err in exc.errors():
        kind, ctx = err["type"], err.get("ctx") or {}
        base = kind.split("_")[0]
        if kind == "missing":
            key, params = "field_missing", {}
        elif kind.endswith(("_type", "_parsing")) or kind == "int_from_float":
            key, params = "field_type", {"expected": TYPE_NAMES.get(base, (base, base))[lang == "en"]}
        elif kind == "string_pattern_mismatch":
            key, params = "field_pattern", {"pattern": ctx.get("pattern")}
        elif kind in ("greater_than_equal", "greater_than"):
            key, params = "field_min", {"limit": ctx.get("ge", ctx.get("gt"))}
        elif kind in ("less_than_equal", "less_than"):
            key, params = "field_max", {"limit": ctx.get("le", ctx.get("lt"))}
        elif kind in ("too_short", "string_too_short"):
            key, params = "field_too_short", {"limit": ctx.get("min_length")}
        elif kind == "extra_forbidden":
            key, params = "field_extra", {}
        elif kind == "literal_error":
            key, params = "field_choice", {"expected": ctx.get("expected")}
        elif kind == "kode_tidak_sesuai":
            key, params = kind, {"child": ctx.get("child"), "parent": ctx.get("parent")}
        else:
            key, params = "field_invalid", {}
        pointer = "/" + "/".join(str(p) for p in err["loc"])
        out.append({"lokasi": pointer, "pesan": text(key, lang, **params)})
    return out


def invalid_body(exc: ValidationError) -> AppError:
    return AppError(422, "invalid_body", bad_input=True, count=exc.error_count(), validation=exc)


def parse_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except json.JSONDecodeError as err:
        raise AppError(400, "malformed_json", bad_input=True, line=err.lineno, column=err.colno,
                       detail=err.msg) from err
    except UnicodeDecodeError as err:
        raise AppError(400, "malformed_json", bad_input=True, line=1, column=err.start + 1,
                       detail="not UTF-8") from err


def _traceback(exc: BaseException) -> PlainTextResponse:
    return PlainTextResponse("Internal Server Error\n\n" + "".join(traceback.format_exception(exc)), status_code=500)


def install(app: FastAPI, profile: Profile) -> None:
    fragile = profile.errors == "fragile"

    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if fragile:
            if exc.bad_input:
                return _traceback(exc)
            return JSONResponse({"error": text(exc.key, "en", **exc.params)}, exc.status, headers=exc.headers)
        lang = lang_of(request)
        extra = dict(exc.extra)
        params = {k: v for k, v in exc.params.items() if k != "validation"}
        if "validation" in exc.params:
            extra["kesalahan"] = field_errors(exc.params["validation"], lang)
        return problem(exc.status, exc.key, lang, headers=exc.headers, extra=extra, **params)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
        key = {404: "route_not_found", 405: "method_not_allowed"}.get(exc.status_code, "internal")
        params = {"path": request.url.path, "method": request.method}
        headers = dict(exc.headers or {})
        if exc.status_code == 405:  # every method of every route on this path, not just the first route's
            allowed = {m for r in request.app.router.routes if isinstance(r, Route)
                       and r.matches(request.scope)[0] != Match.NONE for m in (r.methods or ())}
            headers["Allow"] = ", ".join(sorted(allowed))
        if fragile:
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)
        return problem(exc.status_code, key, lang_of(request), headers=headers, **params)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if fragile:
            return _traceback(exc)
        lang = lang_of(request)
        errors = [{"lokasi": "/" + "/".join(str(p) for p in e["loc"]), "pesan": text("field_invalid", lang)}
                  for e in exc.errors()]
        return problem(422, "invalid_body", lang, extra={"kesalahan": errors}, count=len(errors))

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        if fragile:
            return _traceback(exc)
        return problem(500, "internal", lang_of(request))
