"""What a running example application keeps between requests, and its authentication dependency."""

from __future__ import annotations

import hmac
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request

from examples.apps.config import AppConfig
from examples.apps.dataset import AppSpec
from examples.apps.errors import AppError
from examples.apps.oauth2 import TokenIssuer
from examples.apps.webhooks import WebhookHub

SECURITY = [{"bearerAuth": []}, {"apiKey": []}]  # OpenAPI: either scheme is enough


@dataclass
class AppState:
    spec: AppSpec
    config: AppConfig
    hooks: WebhookHub
    inbox: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    inbox_count: int = 0
    issuer: TokenIssuer | None = None  # profile auth: oauth2


def get_state(request: Request) -> AppState:
    return request.app.state.example


def require_token(request: Request) -> None:
    """``Authorization: Bearer <token>`` or ``X-API-Key: <token>``; anything else is a 401 with a JSON message.
    With profile ``auth: oauth2`` only a Bearer token issued by ``POST /oauth/token`` (and not expired) is taken."""
    state = get_state(request)
    expected = state.config.token
    header = request.headers.get("authorization", "")
    supplied = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "")
    if state.issuer is not None:
        if not supplied or not header[:7].lower() == "bearer " or not state.issuer.valid(supplied):
            raise AppError(401, "unauthenticated", headers={
                "WWW-Authenticate": 'Bearer realm="simpul-example", error="invalid_token"'})
        return
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise AppError(401, "unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="simpul-example"'})
