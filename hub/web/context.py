"""What every page handler gets: the request, the database, the language, the signed-in account (if any), its
CSRF token; and the route class that turns errors into pages (never problem JSON, never a stack trace)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute

from hub.errors import BadRequest, Forbidden, SimpulError
from hub.i18n import t
from hub.logging import get_logger, mask_text
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from hub.services.users import SessionInfo, session_of
from hub.settings import get_settings
from hub.web import security
from hub.web.render import NAV, render_page
from registry.db import Database

log = get_logger("hub.web")
FLASH_COOKIE = "simpul_flash"


class SignInRequired(SimpulError):
    status, code, title, message_key = 401, "sign-in-required", "Sign-in required", "web.sign_in.required"

    def __init__(self, next_url: str = "/") -> None:
        super().__init__()
        self.next_url = next_url


class CsrfRefused(Forbidden):
    code, message_key = "csrf", "web.csrf.refused"


def database_of(request: Request) -> Database:
    """The database the API would use (tests override ``get_database``; the web follows the override)."""
    factory = request.app.dependency_overrides.get(get_database, get_database)
    return factory()


def load_session(request: Request, db: Database) -> SessionInfo | None:
    if not hasattr(request.state, "web_session"):
        request.state.web_session = session_of(db, security.session_token(request))
    return request.state.web_session


@dataclass
class Web:
    request: Request
    db: Database
    lang: str
    session: SessionInfo | None
    csrf: str
    new_csrf_cookie: bool = False
    cookies: list[tuple[str, str, int | None]] = field(default_factory=list)

    # -- who ------------------------------------------------------------------------------------------------
    @property
    def principal(self) -> Principal:
        if self.session is None:
            raise SignInRequired(security.safe_next(self.request.url.path + (
                f"?{self.request.url.query}" if self.request.url.query else "")))
        return self.session.principal

    def can(self, action: str) -> bool:
        return self.session is not None and self.session.principal.can(action)

    def require(self, action: str) -> Principal:
        principal = self.principal
        principal.require(action)
        return principal

    # -- answers --------------------------------------------------------------------------------------------
    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    def page(self, template: str, *, status: int = 200, title: str = "", **context: Any) -> HTMLResponse:
        nav = [(href, self.t(key)) for href, key, action in NAV
               if self.session is not None and (action is None or self.can(action))]
        path = self.request.url.path
        current = next((href for href, _ in sorted(nav, key=lambda n: -len(n[0]))
                        if path == href or (href != "/" and path.startswith(href + "/"))), "/" if path == "/" else "")
        flash = security.unsign(self.request.cookies.get(FLASH_COOKIE), "flash", 300)
        html = render_page(template, self.lang, {
            "web": self, "user": self.session.user if self.session else None, "nav": nav, "current": current,
            "csrf": self.csrf, "title": title, "path": path, "here": security.safe_next(
                path + (f"?{self.request.url.query}" if self.request.url.query else "")),
            "flash": self.t(flash) if flash else None, **context})
        response = HTMLResponse(html, status_code=status)
        if flash:
            response.delete_cookie(FLASH_COOKIE, path="/")
        return self.finish(response)

    def redirect(self, url: str, flash: str | None = None) -> RedirectResponse:
        internal = url.startswith("/") and not url.startswith(("//", "/\\"))
        response = RedirectResponse(url if internal else "/", status_code=303)
        if flash:
            security.set_cookie(response, self.request, FLASH_COOKIE, security.sign(flash, "flash"), 300)
        return self.finish(response)

    def finish(self, response: Response) -> Response:
        if self.new_csrf_cookie and self.session is None:
            security.set_cookie(response, self.request, security.CSRF_COOKIE, security.sign(self.csrf, "csrf"),
                                24 * 3600)
        for name, value, max_age in self.cookies:
            security.set_cookie(response, self.request, name, value, max_age)
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def build(request: Request, db: Database) -> Web:
    session = load_session(request, db)
    lang = security.request_lang(request)
    if session is not None:
        return Web(request, db, lang, session, session.csrf_token)
    token, fresh = security.anonymous_csrf(request)
    return Web(request, db, lang, None, token, new_csrf_cookie=fresh)


def web_context(request: Request, db: Annotated[Database, Depends(get_database)]) -> Web:
    return build(request, db)


WebDep = Annotated[Web, Depends(web_context)]


def error_page(request: Request, err: SimpulError) -> Response:
    if isinstance(err, SignInRequired):
        return RedirectResponse(f"/masuk?next={quote(err.next_url, safe='/')}", status_code=303)
    try:
        web = build(request, database_of(request))
    except SimpulError:  # the database itself is down: a page without a session
        web = Web(request, None, security.request_lang(request), None, "")  # type: ignore[arg-type]
    if err.status >= 500:
        log.error("web_request_failed", path=request.url.path, error=str(err))
    return web.page("error.html", status=err.status, title=web.t("web.error.title", status=err.status),
                    error=err, message=mask_text(err.message(web.lang)), items=(err.extra or {}).get("errors") or [])


async def check_csrf(request: Request) -> None:
    db = database_of(request)
    session = load_session(request, db)
    form = await request.form(max_part_size=get_settings().max_body_bytes)
    submitted = form.get(security.CSRF_FIELD)
    if not security.csrf_valid(request, submitted if isinstance(submitted, str) else None,
                               session.csrf_token if session else None):
        raise CsrfRefused()


class WebRoute(APIRoute):
    """A page route: CSRF checked on every unsafe method before the handler runs; errors rendered as pages."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                if request.method not in security.SAFE_METHODS:
                    await check_csrf(request)
                return await original(request)
            except SimpulError as err:
                return error_page(request, err)
            except RequestValidationError:
                return error_page(request, BadRequest("web.error.bad_request"))

        return handler
