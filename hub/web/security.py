"""Cookies of the web workspace: the signed session cookie, the CSRF tokens, the remembered language, and the
rule for safe redirects.

- ``simpul_session``: the session token, signed with itsdangerous (HMAC-SHA1 over the key of
  ``SIMPUL_WEB_SECRET_KEY`` or the key file). HttpOnly, SameSite=Lax, Secure over https, Path=/. The server keeps
  only the SHA-256 of the token (``web_session``), so signing out or disabling an account ends it at once.
- CSRF: every form carries ``csrf_token``. Signed in, it must equal the session's token (synchronizer token);
  before signing in (the sign-in form itself), it must equal the signed ``simpul_csrf`` cookie (double submit).
  A cross-site Origin header is refused as well.
- ``simpul_lang``: ``id`` or ``en``, a year.
"""

from __future__ import annotations

import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from hub.settings import get_settings

SESSION_COOKIE = "simpul_session"
CSRF_COOKIE = "simpul_csrf"
LANG_COOKIE = "simpul_lang"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _key_material() -> str:
    settings = get_settings()
    if settings.web_secret_key:
        return settings.web_secret_key
    path = Path(settings.web_key_file)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text(encoding="utf-8").strip()


@lru_cache(maxsize=4)
def _serializer(material: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(material, salt=salt)


def serializer(salt: str) -> URLSafeTimedSerializer:
    return _serializer(_key_material(), salt)


def sign(value: str, salt: str) -> str:
    return serializer(salt).dumps(value)


def unsign(signed: str | None, salt: str, max_age: int) -> str | None:
    if not signed or len(signed) > 400:
        return None
    try:
        value = serializer(salt).loads(signed, max_age=max_age)
    except BadSignature:  # SignatureExpired is a BadSignature too
        return None
    return value if isinstance(value, str) else None


def secure_cookies(request: Request) -> bool:
    configured = get_settings().web_cookie_secure
    if configured is not None:
        return configured
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None,
               *, http_only: bool = True) -> None:
    response.set_cookie(name, value, max_age=max_age, path="/", httponly=http_only, samesite="lax",
                        secure=secure_cookies(request))


def session_token(request: Request) -> str | None:
    return unsign(request.cookies.get(SESSION_COOKIE), "session", get_settings().web_session_max_hours * 3600)


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    set_cookie(response, request, SESSION_COOKIE, sign(token, "session"), None)  # a browser-session cookie


def clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure_cookies(request))


def anonymous_csrf(request: Request) -> tuple[str, bool]:
    """The CSRF token of a visitor not signed in: (token, whether the cookie must be (re)set)."""
    token = unsign(request.cookies.get(CSRF_COOKIE), "csrf", 24 * 3600)
    if token:
        return token, False
    return secrets.token_urlsafe(24), True


def csrf_valid(request: Request, submitted: str | None, session_csrf: str | None) -> bool:
    if not submitted or len(submitted) > 200:
        return False
    if not same_origin(request):
        return False
    expected = session_csrf or unsign(request.cookies.get(CSRF_COOKIE), "csrf", 24 * 3600)
    return bool(expected) and hmac.compare_digest(submitted.encode(), str(expected).encode())


def same_origin(request: Request) -> bool:
    """A browser's Origin (or Referer) must name this host; requests without either pass (old browsers,
    curl) — the token decides then."""
    source = request.headers.get("origin") or request.headers.get("referer")
    if not source or source == "null":
        return source != "null"
    parts = urlsplit(source)
    return parts.netloc.lower() == (request.headers.get("host") or request.url.netloc).lower()


def safe_next(value: str | None, default: str = "/") -> str:
    """A redirect target inside this site only: a path starting with one ``/``; anything else → ``default``."""
    if not value or len(value) > 1000:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return default
    if parts.path.startswith(("/masuk", "/keluar")):
        return default
    return value


def request_lang(request: Request) -> str:
    explicit = request.query_params.get("lang")
    if explicit in ("id", "en"):
        return explicit
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in ("id", "en"):
        return remembered
    return get_settings().lang
