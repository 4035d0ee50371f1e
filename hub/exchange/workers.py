"""Background work of the exchange (delivery of the outbox, sync) runs as queued jobs (hub/queue): inside
``simpul serve`` when it runs workers (``hub.queue.serving``), else in ``simpul worker`` processes.

    install_workers(app)        # called by hub.api.app.create_app
    await sync_targets_loop(runtime, ["e-planning", "spec.yaml"], interval_s=60)   # `simpul worker --sync`
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

from hub.logging import get_logger
from hub.queue.runtime import Runtime

log = get_logger("hub.exchange.workers")


def install_workers(app: Any) -> None:
    """Add the queue (and, where it runs them, its workers) to a FastAPI app built by ``create_app``."""
    from hub.queue.serving import install

    install(app)


async def queue_sync(runtime: Runtime, target: str, *, resources: Sequence[str] | None = None, full: bool = False,
                     actor: str = "system:sync", trigger: str = "api") -> list[int | None]:
    """Queue one ``sync_resource`` job per resource of ``target`` (a registry application id or a spec file);
    a resource whose sync already waits is not queued twice (its id is None)."""
    from hub.exchange.sync import resolve_spec
    from hub.queue.backend import priority_for

    spec = await asyncio.to_thread(resolve_spec, target, runtime.db)
    names = list(resources or sorted(spec.resources))
    ids = []
    for resource in names:
        ids.append(await runtime.queue.defer(
            "sync_resource", lock=f"sync:{spec.name}:{resource}", queueing_lock=f"sync:{spec.name}:{resource}",
            priority=priority_for("sync_resource", trigger), target=target, resource=resource, full=full,
            actor=actor))
    return ids


async def sync_targets_loop(runtime: Runtime, targets: Sequence[str], interval_s: float) -> None:
    """``simpul worker --sync T --sync-interval S``: queue a sync of each target every S seconds."""
    while True:
        for target in targets:
            try:
                await queue_sync(runtime, target, actor="system:sync")
            except Exception as exc:
                log.warning("sync_queue_failed", target=target, error=f"{type(exc).__name__}: {str(exc)[:200]}")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(runtime.wait_stopped(), max(0.1, interval_s))
            return
