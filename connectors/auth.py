"""Authentication strategies, each a small named class selectable from YAML by ``type``.

=================================  ============================================================================
``none``                           no credentials
``api_key``                        ``name`` + ``value`` in a header (``in: header``) or the query (``in: query``)
``bearer``                         ``Authorization: Bearer <token>``
``basic``                          ``Authorization: Basic base64(username:password)``
``oauth2_client_credentials``      token from ``token_url`` (RFC 6749 §4.4), cached until shortly before it
                                   expires, renewed once when the application answers 401
=================================  ============================================================================

Every secret is a :data:`~connectors.config.Secret` (``{env: VAR}`` in the spec).
"""

from __future__ import annotations

import asyncio
import base64
import time
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AliasChoices, Field, model_validator

from connectors.config import Secret, StrictModel
from connectors.errors import AuthError, BadPayload
from connectors.masking import remember_secret

if TYPE_CHECKING:
    from connectors.http import HttpClient


class NoAuthConfig(StrictModel):
    type: Literal["none"] = "none"


class ApiKeyConfig(StrictModel):
    type: Literal["api_key"]
    name: str = Field("X-API-Key", description="Header or query parameter name")
    value: Secret
    in_: Literal["header", "query"] = Field("header", alias="in")
    prefix: str = Field("", description="Text before the key, e.g. 'Token '")

    @model_validator(mode="before")
    @classmethod
    def _short_forms(cls, data: Any) -> Any:
        """Also accept ``{header: X-API-Key, api_key: {env: VAR}}`` and ``{query: apikey, key: {env: VAR}}``."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for where in ("header", "query"):
            if where in data and "name" not in data:
                data["name"] = data.pop(where)
                data.setdefault("in", where)
        for alias in ("api_key", "key"):
            if alias in data and "value" not in data:
                data["value"] = data.pop(alias)
        return data


class BearerConfig(StrictModel):
    type: Literal["bearer"]
    token: Secret


class BasicConfig(StrictModel):
    type: Literal["basic"]
    username: str
    password: Secret


class OAuth2ClientCredentialsConfig(StrictModel):
    type: Literal["oauth2_client_credentials"]
    token_url: str = Field(..., validation_alias=AliasChoices("token_url", "url"),
                           description="Token endpoint (also accepted as 'url')")
    client_id: str
    client_secret: Secret
    scope: str | None = Field(None, description="Space-separated scopes (also accepted as a list in 'scopes')")
    audience: str | None = None
    client_auth: Literal["basic", "body"] = Field("basic", description="How the client proves itself")
    refresh_margin_s: float = Field(30.0, ge=0, description="Renew this many seconds before expiry")
    default_expires_in_s: float = Field(300.0, gt=0, description="Token lifetime when expires_in is absent")

    @model_validator(mode="before")
    @classmethod
    def _scopes_list(cls, data: Any) -> Any:
        """``scopes: [read, write]`` is ``scope: "read write"`` (RFC 6749 §3.3)."""
        if isinstance(data, dict) and "scopes" in data and "scope" not in data:
            data = dict(data)
            scopes = data.pop("scopes")
            data["scope"] = " ".join(str(s) for s in scopes) if isinstance(scopes, list) else scopes
        return data


AuthConfig = Annotated[
    NoAuthConfig | ApiKeyConfig | BearerConfig | BasicConfig | OAuth2ClientCredentialsConfig,
    Field(discriminator="type"),
]


class AuthStrategy:
    name = "none"

    async def apply(self, headers: dict[str, str], params: dict[str, Any], http: HttpClient) -> None:
        """Add credentials to an outgoing request (called before every attempt)."""

    def describe(self) -> str:
        return self.name


class NoAuth(AuthStrategy):
    def __init__(self, config: NoAuthConfig | None = None) -> None:
        self.config = config


class ApiKeyAuth(AuthStrategy):
    name = "api_key"

    def __init__(self, config: ApiKeyConfig) -> None:
        self.config = config

    async def apply(self, headers: dict[str, str], params: dict[str, Any], http: HttpClient) -> None:
        value = self.config.prefix + self.config.value.get_secret_value()
        if self.config.in_ == "query":
            params[self.config.name] = value
        else:
            headers[self.config.name] = value

    def describe(self) -> str:
        return f"api_key ({self.config.in_}: {self.config.name})"


class BearerAuth(AuthStrategy):
    name = "bearer"

    def __init__(self, config: BearerConfig) -> None:
        self.config = config

    async def apply(self, headers: dict[str, str], params: dict[str, Any], http: HttpClient) -> None:
        headers["Authorization"] = f"Bearer {self.config.token.get_secret_value()}"


def _basic(user: str, password: str) -> str:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    remember_secret(token)
    return f"Basic {token}"


class BasicAuth(AuthStrategy):
    name = "basic"

    def __init__(self, config: BasicConfig) -> None:
        self.config = config
        self._header = _basic(config.username, config.password.get_secret_value())

    async def apply(self, headers: dict[str, str], params: dict[str, Any], http: HttpClient) -> None:
        headers["Authorization"] = self._header


class OAuth2ClientCredentials(AuthStrategy):
    """Client-credentials grant; the token is cached and renewed ``refresh_margin_s`` before it expires, or at
    once after :meth:`invalidate` (the HTTP layer calls it on a 401). The token request goes through the same
    HTTP client, so through the network policy and pinning; the secret and the token are masked in every log."""

    name = "oauth2_client_credentials"

    def __init__(self, config: OAuth2ClientCredentialsConfig, clock: Any = time.monotonic) -> None:
        self.config = config
        self._clock = clock
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock: asyncio.Lock | None = None
        self.fetches = 0

    def invalidate(self) -> None:
        self._token = None

    def _valid(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at - self.config.refresh_margin_s

    async def token(self, http: HttpClient) -> str:
        if self._valid():
            return self._token  # type: ignore[return-value]
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:  # one refresh even when many requests need a token at once
            if not self._valid():
                await self._fetch(http)
        return self._token  # type: ignore[return-value]

    async def _fetch(self, http: HttpClient) -> None:
        c = self.config
        form: dict[str, str] = {"grant_type": "client_credentials"}
        headers: dict[str, str] = {"Accept": "application/json"}
        secret = c.client_secret.get_secret_value()
        if c.client_auth == "basic":
            headers["Authorization"] = _basic(c.client_id, secret)
        else:
            form.update(client_id=c.client_id, client_secret=secret)
        if c.scope:
            form["scope"] = c.scope
        if c.audience:
            form["audience"] = c.audience
        response = await http.request("POST", c.token_url, data=form, headers=headers)
        body = response.json()
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise BadPayload("auth.no_token", url=c.token_url)
        remember_secret(token)
        expires_in = body.get("expires_in") or c.default_expires_in_s
        try:
            lifetime = float(expires_in)
        except (TypeError, ValueError):
            lifetime = c.default_expires_in_s
        self._token = token
        self._expires_at = self._clock() + lifetime
        self.fetches += 1

    async def apply(self, headers: dict[str, str], params: dict[str, Any], http: HttpClient) -> None:
        try:
            headers["Authorization"] = f"Bearer {await self.token(http)}"
        except AuthError as exc:
            raise AuthError("auth.token_rejected", url=self.config.token_url, status=exc.params.get("status")) from None


STRATEGIES: dict[str, type[AuthStrategy]] = {
    "none": NoAuth,
    "api_key": ApiKeyAuth,
    "bearer": BearerAuth,
    "basic": BasicAuth,
    "oauth2_client_credentials": OAuth2ClientCredentials,
}


def build_auth(config: Any) -> AuthStrategy:
    """The strategy for a validated ``AuthConfig`` (``None`` → no authentication)."""
    if config is None:
        return NoAuth()
    return STRATEGIES[config.type](config)
