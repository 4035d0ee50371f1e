"""/metrics: Prometheus text format of the exchange (records pulled/valid/invalid, deliveries, lag)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter
from fastapi.responses import Response

from hub.exchange.metrics import CONTENT_TYPE, render

router = APIRouter(tags=["operations"])


@router.get("/metrics", summary="Prometheus metrics (text format 0.0.4)", response_class=Response,
            responses={200: {"content": {"text/plain": {}}}})
async def metrics() -> Response:
    return Response(await asyncio.to_thread(render), media_type=CONTENT_TYPE)
