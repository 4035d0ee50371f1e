"""Shared helpers (no tests): the example OPD applications served in-process behind their registry addresses,
small probe limits, and the connector secrets of the sample registry."""

from __future__ import annotations

from typing import Any

import httpx

from hub.assessment import ProbeLimits
from hub.services.assessments import ProbeOptions

FAST = ProbeLimits(availability_probes=3, availability_interval_s=0, load_levels=[1, 2], load_requests_per_client=1,
                   total_timeout_s=30, read_timeout_s=5, sample_pages=1, sample_page_size=20,
                   max_discovery_requests=12)
PORTS = {"e-planning": 8101, "e-budgeting": 8102, "simpeg": 8103, "jdih": 8104, "pelayanan": 8105}
ENV = {"SIMPUL_EPLANNING_TOKEN": "demo-e-planning-token", "SIMPUL_EBUDGETING_TOKEN": "demo-e-budgeting-token",
       "SIMPUL_JDIH_TOKEN": "demo-jdih-token", "SIMPUL_PELAYANAN_TOKEN": "demo-pelayanan-token"}
BAPPEDA = "5.01.5.05.0.00.01.0000"
BPKAD = "5.02.0.00.0.00.01.0000"


class Ports(httpx.AsyncBaseTransport):
    """Requests to 127.0.0.1:<port> go to the ASGI application of that port; any other address is refused."""

    def __init__(self, apps: dict[int, Any]) -> None:
        self.apps = {port: httpx.ASGITransport(app=app, raise_app_exceptions=False) for port, app in apps.items()}
        self.hits: dict[int, int] = dict.fromkeys(apps, 0)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self.apps.get(request.url.port or 0) if request.url.host == "127.0.0.1" else None
        if transport is None:
            raise httpx.ConnectError("connection refused", request=request)
        self.hits[request.url.port or 0] += 1
        return await transport.handle_async_request(request)


def example_apps(profiles: dict[str, str] | None = None) -> dict[int, Any]:
    from examples.apps import create_app

    chosen = profiles or {"e-planning": "good", "e-budgeting": "good"}
    return {PORTS[name]: create_app(name, profile) for name, profile in chosen.items()}


def options(profiles: dict[str, str] | None = None, *, environ: dict[str, str] | None = None,
            limits: ProbeLimits = FAST) -> ProbeOptions:
    return ProbeOptions(limits=limits, transport=Ports(example_apps(profiles)),
                        environ=ENV if environ is None else environ)
