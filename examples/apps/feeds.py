"""Integration feeds in national formats: the JDIHN harvest feed of the JDIH application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from examples.apps import export
from examples.apps.jdih import jdihn
from examples.apps.state import AppState


def add_jdihn_feed(app: FastAPI, state: AppState, auth: Any, extra: dict[str, Any]) -> None:
    """``GET /integrasi/jdihn.json``: every produk hukum as the JSON array JDIHN harvests (public, no token)."""
    ds = state.spec.resources["produk-hukum"].dataset

    async def feed() -> StreamingResponse:
        return StreamingResponse(export.json_array(ds, range(len(ds)), jdihn), media_type="application/json")

    app.add_api_route("/integrasi/jdihn.json", feed, methods=["GET"], tags=["integrasi"],
                      summary="Umpan integrasi JDIHN (publik) / JDIHN integration feed (public)",
                      openapi_extra={"responses": {"200": {"description": "Larik JSON format JDIHN", "content": {
                          "application/json": {"schema": {"type": "array", "items": {"type": "object"}}}}}}})
