"""Assemble one example application: data, profile behaviour, error style, routes and OpenAPI."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

from examples.apps import APPS
from examples.apps.api import add_api
from examples.apps.behaviour import Behaviour
from examples.apps.config import AppConfig
from examples.apps.errors import install as install_errors
from examples.apps.frontpage import VERSION, add_pages
from examples.apps.legacy import add_legacy
from examples.apps.oauth2 import TokenIssuer, add_token_route
from examples.apps.openapi_doc import install as install_openapi
from examples.apps.state import AppState
from examples.apps.webhooks import WebhookHub

AUTH_DOC = """

**Autentikasi / authentication**: kirim `Authorization: Bearer <token>` atau `X-API-Key: <token>` untuk semua
alamat di bawah `/api/v1` (kecuali `POST /api/v1/inbox`). Token salah → 401 dengan pesan JSON.

**Paginasi**: `?page=1&size=50` (maksimal 100); jawaban memuat `total` dan tautan `next`.
**Inkremental**: `?updated_since=2026-01-01T00:00:00+07:00` (inklusif; tanpa zona waktu = WIB).
**Perubahan**: `GET /api/v1/changes?since=...`; **webhook**: `POST /api/v1/webhooks`.
**Ekspor massal**: `GET /api/v1/export/<resource>.ndjson` atau `.csv`."""


def build_app(config: AppConfig) -> FastAPI:
    spec = importlib.import_module(APPS[config.app].module).build(config)
    prof = config.profile
    documented = prof.api and prof.openapi
    app = FastAPI(
        title=spec.title, version=VERSION, description=spec.summary + AUTH_DOC,
        openapi_url="/openapi.json" if documented else None, docs_url="/docs" if documented else None,
        redoc_url=None,
    )
    state = AppState(spec=spec, config=config, hooks=WebhookHub(spec.key, config.webhook_timeout))
    if prof.auth == "oauth2":
        state.issuer = TokenIssuer(client_id=spec.key, client_secret=config.token, lifetime_s=prof.token_lifetime_s)
        add_token_route(app, state.issuer)
    app.state.example = state
    install_errors(app, prof)
    app.add_middleware(Behaviour, profile=prof)
    add_pages(app, state)
    if prof.api:
        add_api(app, state)
    else:
        add_legacy(app, state)
    if documented:
        install_openapi(app, state)
    return app
