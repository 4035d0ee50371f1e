"""Probes: the network side of the assessment, registered by name.

A probe gathers an :class:`Observation` (plain data for the evaluator, plus the HTTP exchanges kept as evidence).
Several checks may name the same probe; it runs once per run. Probes share discovery (OpenAPI document, data
resources, sampled pages) through :meth:`ProbeContext.once`.

A probe never decides pass or fail. It may say that its check cannot be judged: ``Observation.skip(...)`` with a
status ``not_applicable`` (the check does not concern this application) or ``error`` (Simpul could not measure).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from hub.assessment.catalog import Catalog
from hub.assessment.client import ProbeClient, Response
from hub.assessment.lag import LagMonitor
from hub.assessment.machine import ProcessCpuWait
from hub.assessment.models import AssessmentTarget, ProbeLimits, Status
from hub.assessment.safety import HostPolicy


@dataclass
class Observation:
    data: dict[str, Any] = field(default_factory=dict)
    evidence: list[Response] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    status: Status | None = None  # set only to skip evaluation (not_applicable or error)
    reason: str | None = None
    reason_params: dict[str, Any] = field(default_factory=dict)
    extra_evidence: list[dict[str, Any]] = field(default_factory=list)  # non-HTTP evidence (validation reports)

    @classmethod
    def skip(cls, status: Status, reason: str, **params: Any) -> Observation:
        return cls(status=status, reason=reason, reason_params=params)


Validate = Callable[[str, list[dict[str, Any]]], dict[str, Any]]


@dataclass
class ProbeContext:
    target: AssessmentTarget
    limits: ProbeLimits
    catalog: Catalog
    client: ProbeClient
    policy: HostPolicy
    schemas: list[str]
    validate: Validate
    partner_records: dict[str, list[dict[str, Any]]] | None = None
    cache: dict[str, Any] = field(default_factory=dict)
    _locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    async def once(self, key: str, factory: Callable[[], Awaitable[Any]]) -> Any:
        """Compute ``factory()`` once per run (shared discovery); concurrent callers wait for the first."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            if key not in self.cache:
                self.cache[key] = await factory()
            return self.cache[key]


def lag_monitor(ctx: ProbeContext) -> LagMonitor:
    """The lag monitor for a timing probe of this run; for a loopback target it also follows the CPU wait of the
    application's own processes (found once per run by their listening socket)."""
    if "app_cpu" not in ctx.cache:
        parts = urlsplit(ctx.target.base_url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ctx.cache["app_cpu"] = ProcessCpuWait.for_port(parts.hostname or "", port)
    return LagMonitor(ctx.limits.lag_tick_ms, app=ctx.cache["app_cpu"])


Probe = Callable[[ProbeContext], Awaitable[Observation]]
PROBES: dict[str, Probe] = {}
# Probes judged even when the application never answered: availability measures exactly that, transport needs no
# request. For every other probe, a run where no request could even connect says nothing about the application's
# quality: its checks become ``error``.
MEASURES_REACHABILITY = frozenset({"availability", "transport"})


def probe(name: str) -> Callable[[Probe], Probe]:
    def register(func: Probe) -> Probe:
        if name in PROBES:
            raise RuntimeError(f"probe {name!r} registered twice")
        PROBES[name] = func
        return func

    return register


from hub.assessment.probes import data, http_surface, scale, web  # noqa: E402  (registration by import)

__all__ = ["MEASURES_REACHABILITY", "PROBES", "Observation", "ProbeContext", "data", "http_surface", "lag_monitor",
           "probe", "scale", "web"]
