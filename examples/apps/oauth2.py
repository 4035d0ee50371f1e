"""OAuth2 client credentials (RFC 6749 §4.4) for the example applications of profile ``auth: oauth2``.

``POST /oauth/token`` with ``grant_type=client_credentials`` issues a short-lived random access token to the
client ``<app key>`` whose secret is the application's token (``SIMPUL_EXAMPLES_TOKEN_<APP>``, default
``demo-<app>-token``), by HTTP Basic or in the form (``client_secret_basic`` / ``client_secret_post``). Scopes:
``read`` (default) and ``write``. The API then accepts only issued, unexpired tokens; the static token is refused.
Errors follow RFC 6749 §5.2 (``invalid_client`` 401, ``invalid_request`` / ``unsupported_grant_type`` /
``invalid_scope`` 400), never echoing a secret.
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

SCOPES = {"read": "Baca data / read data", "write": "Kirim data / send data"}
TOKEN_PATH = "/oauth/token"


@dataclass
class TokenIssuer:
    client_id: str
    client_secret: str
    lifetime_s: int = 300
    clock: object = time.monotonic
    tokens: dict[str, tuple[float, frozenset[str]]] = field(default_factory=dict)
    issued: int = 0

    def issue(self, scopes: frozenset[str]) -> str:
        token = "at_" + secrets.token_urlsafe(24)
        self.tokens[token] = (self.clock() + self.lifetime_s, scopes)  # type: ignore[operator]
        self.issued += 1
        if len(self.tokens) > 10_000:  # forget expired ones
            now = self.clock()  # type: ignore[operator]
            self.tokens = {t: v for t, v in self.tokens.items() if v[0] > now}
        return token

    def valid(self, token: str, scope: str = "read") -> bool:
        entry = self.tokens.get(token)
        return entry is not None and entry[0] > self.clock() and scope in entry[1]  # type: ignore[operator]

    def revoke_all(self) -> None:
        """Every issued token stops working (what a restart of a real authorisation server does)."""
        self.tokens.clear()

    def client_ok(self, client_id: str, client_secret: str) -> bool:
        return hmac.compare_digest(client_id.encode(), self.client_id.encode()) and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode())


def _error(status: int, code: str, description: str) -> JSONResponse:
    headers = {"Cache-Control": "no-store"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="oauth"'
    return JSONResponse({"error": code, "error_description": description}, status_code=status, headers=headers)


def add_token_route(app: FastAPI, issuer: TokenIssuer) -> None:
    async def token(request: Request) -> JSONResponse:
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
        client_id, client_secret = form.get("client_id", ""), form.get("client_secret", "")
        header = request.headers.get("authorization", "")
        if header[:6].lower() == "basic ":
            try:
                pair = base64.b64decode(header[6:].strip()).decode("utf-8")
            except ValueError:
                return _error(401, "invalid_client", "Basic credentials are not base64")
            user, _, password = pair.partition(":")
            client_id, client_secret = unquote(user), unquote(password)
        if form.get("grant_type") != "client_credentials":
            return _error(400, "unsupported_grant_type", "only grant_type=client_credentials")
        if not client_id or not issuer.client_ok(client_id, client_secret):
            return _error(401, "invalid_client", "unknown client or wrong secret")
        wanted = frozenset((form.get("scope") or "read").split())
        if not wanted <= set(SCOPES):
            return _error(400, "invalid_scope", f"scopes offered: {' '.join(SCOPES)}")
        access = issuer.issue(wanted)
        return JSONResponse({"access_token": access, "token_type": "Bearer", "expires_in": issuer.lifetime_s,
                             "scope": " ".join(sorted(wanted))}, headers={"Cache-Control": "no-store"})

    app.add_api_route(TOKEN_PATH, token, methods=["POST"], include_in_schema=False)


def security_scheme() -> dict[str, object]:
    return {"type": "oauth2", "description": "OAuth2 client credentials (RFC 6749 §4.4)",
            "flows": {"clientCredentials": {"tokenUrl": TOKEN_PATH, "scopes": SCOPES}}}
