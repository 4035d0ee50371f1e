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
from examples.apps.webhooks import WebhookHub

SECURITY = [{"bearerAuth": []}, {"apiKey": []}]  # OpenAPI: either scheme is enough


@dataclass
class AppState:
    spec: AppSpec
    config: AppConfig
    hooks: WebhookHub
    inbox: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=1000))
    inbox_count: int = 0


def get_state(request: Request) -> AppState:
    return request.app.state.example


def require_token(request: Request) -> None:
    """``Authorization: Bearer <token>`` or ``X-API-Key: <token>``; anything else is a 401 with a JSON message."""
    expected = get_state(request).config.token
    header = request.headers.get("authorization", "")
    supplied = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "")
    if not supplied or not hmac.compare_digest(supplied.encode(), expected.encode()):
        raise AppError(401, "unauthenticated", headers={"WWW-Authenticate": 'Bearer realm="simpul-example"'})
