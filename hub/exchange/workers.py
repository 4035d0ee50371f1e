"""Background workers of the exchange: the delivery worker and (optionally) a periodic sync of every
application, inside ``simpul serve`` (``install_workers(app)``) or standalone (``simpul worker``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import httpx

from hub.exchange.delivery import deliver_once, worker_name
from hub.exchange.sync import sync_all, sync_app
from hub.logging import get_logger
from hub.settings import get_settings
from registry.db import Database

log = get_logger("hub.exchange.workers")


class Workers:
    """Delivery loop + sync loop as asyncio tasks; ``stop()`` ends them between two rounds."""

    def __init__(self, db: Database | None = None, *, sync_targets: Sequence[str] | None = None,
                 sync_interval_s: float | None = None, deliver: bool = True) -> None:
        settings = get_settings()
        self.db = db
        self.sync_targets = list(sync_targets or [])
        self.sync_interval_s = settings.exchange_sync_interval_s if sync_interval_s is None else sync_interval_s
        self.deliver = deliver
        self.name = worker_name()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[Any]] = []

    async def _delivery_loop(self) -> None:
        settings = get_settings()
        async with httpx.AsyncClient(timeout=settings.exchange_delivery_timeout_s) as client:
            while not self._stop.is_set():
                try:
                    n = await deliver_once(self.db, client=client, worker=self.name)
                except Exception as exc:
                    log.warning("delivery_round_failed", error=f"{type(exc).__name__}: {str(exc)[:200]}")
                    n = 0
                if n == 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stop.wait(), settings.exchange_poll_s)

    async def _sync_loop(self) -> None:
        while not self._stop.is_set():
            try:
                if self.sync_targets:
                    for target in self.sync_targets:
                        await sync_app(target, db=self.db)
                else:
                    await sync_all(db=self.db)
            except Exception as exc:
                log.warning("sync_round_failed", error=f"{type(exc).__name__}: {str(exc)[:200]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), max(0.1, self.sync_interval_s))

    def start(self) -> None:
        if self.deliver:
            self._tasks.append(asyncio.create_task(self._delivery_loop(), name="simpul-delivery"))
        if self.sync_interval_s > 0:
            self._tasks.append(asyncio.create_task(self._sync_loop(), name="simpul-sync"))

    async def stop(self) -> None:
        self._stop.set()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 15)
        self._tasks.clear()

    async def run_until_stopped(self) -> None:
        self.start()
        await self._stop.wait()
        await self.stop()

    def request_stop(self) -> None:
        self._stop.set()


def install_workers(app: Any) -> None:
    """Add the exchange workers to a FastAPI app built by ``hub.api.app.create_app`` (start/stop with it).

    Off when ``SIMPUL_EXCHANGE_WORKERS=false`` (e.g. several API processes and one ``simpul worker``).
    """
    if not get_settings().exchange_workers:
        return

    async def start(app: Any) -> None:
        app.state.exchange_workers = Workers()
        app.state.exchange_workers.start()

    async def stop(app: Any) -> None:
        workers = getattr(app.state, "exchange_workers", None)
        if workers is not None:
            await workers.stop()

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)
