"""Security headers, CORS and the request body limit of every API (and web workspace) response.

Every response gets, unless its route set its own:

* ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` (and ``frame-ancestors 'none'`` in the CSP),
  ``Referrer-Policy: same-origin`` (no address leaves for another site; web forms keep their Origin header
  for the CSRF check: ``no-referrer`` would make browsers send ``Origin: null``),
  ``Permissions-Policy`` (no camera, microphone, geolocation, payment),
  ``Cross-Origin-Opener-Policy: same-origin``;
* ``Content-Security-Policy``: for JSON and other non-HTML answers ``default-src 'none'`` (an API answer is never
  a document); for HTML pages ``SIMPUL_CSP_HTML`` — scripts, styles and images from Simpul itself only, no inline
  script. A route prefix may have its own policy (:func:`route_csp`); the OpenAPI pages ``/docs`` and ``/redoc``
  load Swagger UI / ReDoc from Simpul itself (no CDN); a policy may still allow a page's *own* inline scripts by
  SHA-256 hash computed from the page that is sent (``{script_hashes}`` in a policy);
* ``Cache-Control: no-store`` on API answers (they may hold personal data);
* ``Strict-Transport-Security`` only when the request came over TLS: the connection was HTTPS, or
  ``X-Forwarded-Proto: https`` came from a trusted proxy (``SIMPUL_TRUSTED_PROXIES``); ``SIMPUL_HSTS=always`` /
  ``never`` overrides.

CORS is closed by default (no ``Access-Control-Allow-Origin`` on any answer, preflights refused); list the origins
of browser applications that may call the API in ``SIMPUL_CORS_ORIGINS``. (Request size limits live where the body
is read: ``SIMPUL_MAX_BODY_BYTES``, see docs/security.md.)
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from hub.errors import BadRequest
from hub.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HTML_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# /docs and /redoc are served offline (Swagger UI / ReDoc from /static, no CDN, no inline script); ReDoc and
# Swagger UI set element styles at run time, hence 'unsafe-inline' for styles only, and workers from blob: for ReDoc.
DOCS_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; worker-src 'self' blob:; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'")
_ROUTE_CSP: dict[str, str] = {"/docs": DOCS_CSP, "/redoc": DOCS_CSP}
FIXED_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
MAX_HASHED_PAGE = 512 * 1024


def route_csp(prefix: str, policy: str) -> None:
    """Give every response under ``prefix`` its own Content-Security-Policy (the longest prefix wins).

    ``{script_hashes}`` in ``policy`` becomes the SHA-256 sources of the page's inline scripts (HTML only)."""
    _ROUTE_CSP[prefix.rstrip("/") or "/"] = policy


def _route_policy(path: str) -> str | None:
    best = None
    for prefix in _ROUTE_CSP:
        if (path == prefix or path.startswith(prefix.rstrip("/") + "/") or prefix == "/") and (
                best is None or len(prefix) > len(best)):
            best = prefix
    return _ROUTE_CSP[best] if best is not None else None


def script_hashes(body: bytes) -> str:
    hashes = {"'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
              for m in _INLINE_SCRIPT.finditer(body)}
    return " ".join(sorted(hashes)) or "'none'"


# -- settings read once per app --------------------------------------------------------------------------------
def parse_networks(value: str, setting: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for item in re.split(r"[\s,;]+", value or ""):
        if not item:
            continue
        try:
            out.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise BadRequest("security.setting_invalid", setting=setting, value=item[:100]) from None
    return out


def cors_origins(settings: Settings) -> list[str]:
    """``SIMPUL_CORS_ORIGINS`` as a list of ``scheme://host[:port]`` (or ``*`` alone); a bad one is an error."""
    items = [i for i in re.split(r"[\s,;]+", settings.cors_origins or "") if i]
    if items == ["*"]:
        return items
    out = []
    for item in items:
        parts = urlsplit(item)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/") \
                or parts.query or parts.fragment or parts.username:
            raise BadRequest("security.setting_invalid", setting="SIMPUL_CORS_ORIGINS", value=item[:100])
        out.append(f"{parts.scheme}://{parts.netloc}".lower())
    return out


class SecurityHeaders:
    """Pure ASGI middleware (it sees streamed answers too, and never buffers one unless it must hash a page)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.hsts_mode = settings.hsts
        self.hsts_value = f"max-age={settings.hsts_max_age_s}; includeSubDomains".encode()
        self.proxies = parse_networks(settings.trusted_proxies, "SIMPUL_TRUSTED_PROXIES")
        self.html_csp = settings.csp_html or HTML_CSP

    def _over_tls(self, scope: Scope) -> bool:
        if self.hsts_mode != "auto":
            return self.hsts_mode == "always"
        if scope.get("scheme") == "https":
            return True
        client = (scope.get("client") or ("", 0))[0]
        try:
            peer = ipaddress.ip_address(client)
        except ValueError:
            return False
        if not any(peer.version == n.version and peer in n for n in self.proxies):
            return False
        proto = dict(scope.get("headers") or []).get(b"x-forwarded-proto", b"")
        return proto.split(b",")[0].strip().lower() == b"https"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tls = self._over_tls(scope)
        route_policy = _route_policy(scope.get("path", ""))
        hashed = route_policy is not None and "{script_hashes}" in route_policy
        held: Message | None = None
        chunks: list[bytes] = []

        def finish(message: Message, body: bytes | None) -> Message:
            headers = list(message.get("headers") or [])
            present = {k.lower() for k, _v in headers}
            ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"").lower()
            html = ctype.startswith(b"text/html")
            policy = route_policy or (self.html_csp if html else API_CSP)
            if "{script_hashes}" in policy:
                policy = policy.replace("{script_hashes}", script_hashes(body or b""))
            extra = [*FIXED_HEADERS, (b"content-security-policy", policy.encode())]
            if not html:
                extra.append((b"cache-control", b"no-store"))
            if tls:
                extra.append((b"strict-transport-security", self.hsts_value))
            headers += [(k, v) for k, v in extra if k not in present]
            return {**message, "headers": headers}

        async def send_wrapper(message: Message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                ctype = next((v for k, v in message.get("headers") or [] if k.lower() == b"content-type"), b"")
                if hashed and ctype.lower().startswith(b"text/html"):
                    held = message  # the CSP needs the hashes of this page's inline scripts: wait for the body
                    return
                await send(finish(message, None))
                return
            if held is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body") and sum(map(len, chunks)) < MAX_HASHED_PAGE:
                    return
                body, more = b"".join(chunks), message.get("more_body", False)
                start, held = held, None
                chunks.clear()
                await send(finish(start, body))
                await send({"type": "http.response.body", "body": body, "more_body": more})
                return
            await send(message)

        await self.app(scope, receive, send_wrapper)


def install(app: Any, settings: Settings) -> None:
    """Security headers on every response and CORS as configured (closed when ``SIMPUL_CORS_ORIGINS`` is empty).

    The headers wrap the whole middleware stack, Starlette's error middleware included, so a 500 carries them
    too; CORS sits inside, as an ordinary middleware."""
    parse_networks(settings.trusted_proxies, "SIMPUL_TRUSTED_PROXIES")  # a bad value fails at start, not later
    stack = app.build_middleware_stack
    app.build_middleware_stack = lambda: SecurityHeaders(stack(), settings)
    origins = cors_origins(settings)
    if origins:
        from starlette.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware, allow_origins=origins, allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "If-Match", "If-None-Match",
                           "Accept-Language", "X-Request-ID", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID", "Link"], max_age=600)
