"""Signing in and out, and the language switch.

A successful sign-in always opens a *new* session (new token, new CSRF token) and ends the one the browser had:
a session id planted before sign-in is worthless after it (session fixation). ``next`` is followed only when it
is a path of this site (:func:`hub.web.security.safe_next`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from hub.errors import SimpulError
from hub.services.users import sign_in, sign_out
from hub.web import security
from hub.web.context import WebDep, WebRoute

router = APIRouter(route_class=WebRoute, include_in_schema=False)


@router.get("/masuk")
def sign_in_page(web: WebDep, next: str = "/") -> Response:
    if web.session is not None:
        return web.redirect(security.safe_next(next))
    return web.page("sign_in.html", title=web.t("web.sign_in.title"), next=security.safe_next(next), username="",
                    errors=[])


@router.post("/masuk")
async def sign_in_submit(web: WebDep, request: Request) -> Response:
    form = await request.form()
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    target = security.safe_next(str(form.get("next") or "/"))
    errors = []
    if not username.strip():
        errors.append({"field": "username", "label": web.t("web.sign_in.username"),
                       "message": web.t("web.form.missing")})
    if not password:
        errors.append({"field": "password", "label": web.t("web.sign_in.password"),
                       "message": web.t("web.form.missing")})
    if not errors:
        try:
            signed = await run_in_threadpool(sign_in, web.db, username, password,
                                             user_agent=request.headers.get("user-agent"),
                                             replaces=security.session_token(request))
        except SimpulError as err:
            errors.append({"field": "password", "label": web.t("web.sign_in.password"),
                           "message": err.message(web.lang)})
        else:
            response = web.redirect(target)
            security.set_session_cookie(response, request, signed.token)
            response.delete_cookie(security.CSRF_COOKIE, path="/")
            return response
    return web.page("sign_in.html", status=401 if username and password else 422, title=web.t("web.sign_in.title"),
                    next=target, username=username, errors=errors)


@router.post("/keluar")
async def sign_out_submit(web: WebDep, request: Request) -> Response:
    await run_in_threadpool(sign_out, web.db, security.session_token(request))
    web.session = None
    response = web.redirect("/masuk", flash="web.signed_out")
    security.clear_session_cookie(response, request)
    return response


@router.post("/bahasa")
async def switch_language(web: WebDep, request: Request) -> Response:
    form = await request.form()
    lang = str(form.get("lang") or "")
    if lang not in ("id", "en"):
        lang = "id"
    web.cookies.append((security.LANG_COOKIE, lang, 365 * 24 * 3600))
    return web.redirect(security.safe_next(str(form.get("next") or "/")))
