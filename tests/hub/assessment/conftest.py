"""Fixtures: fast probe limits, in-process applications, a loopback server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from hub.assessment import AssessmentRun, AssessmentTarget, ProbeLimits, assess

from .apps import LoopbackServer

FAST = ProbeLimits(availability_probes=4, availability_interval_s=0, load_levels=[1, 4], load_requests_per_client=2,
                   total_timeout_s=30, read_timeout_s=5, sample_pages=2)


def target(**overrides: Any) -> AssessmentTarget:
    data: dict[str, Any] = {"app_id": "simpeg-uji", "name": "SIMPEG uji", "base_url": "http://127.0.0.1:9",
                            "area": "kepegawaian"}
    data.update(overrides)
    return AssessmentTarget(**data)


async def run_app(app: Any, *, limits: ProbeLimits = FAST, **kwargs: Any) -> AssessmentRun:
    """Assess an ASGI application in-process (no sockets)."""
    tgt = kwargs.pop("target", None) or target()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return await assess(tgt, limits=limits, transport=transport, **kwargs)


@pytest.fixture
def fast_limits() -> ProbeLimits:
    return FAST


@pytest.fixture
def serve() -> Iterator[Callable[[Any], LoopbackServer]]:
    started: list[LoopbackServer] = []

    def start(app: Any) -> LoopbackServer:
        server = LoopbackServer(app).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()
