"""One process's share of the background work: a procrastinate worker on the queue, kept alive across database
restarts, and the maintenance that procrastinate leaves to its user.

    runtime = Runtime(db)                      # the queue of db, this process's name, one shared HTTP client
    await runtime.start(concurrency=4)         # in `simpul serve` (SQLite, or --workers) and in `simpul worker`
    await runtime.kick_delivery()              # "the outbox has rows": at most one waiting delivery job each
    await runtime.stop()

Maintenance, every ``SIMPUL_QUEUE_MAINTENANCE_S`` seconds in each worker process:
- jobs of a worker whose heartbeat stopped (SIGKILL, power cut, lost network) for ``SIMPUL_QUEUE_STALLED_S``
  are put back in the queue (up to ``SIMPUL_QUEUE_JOB_ATTEMPTS``; then failed, and their assessment item too);
- assessment jobs whose queue entries are gone are ended with the reason; finished queue jobs older than a week
  (an hour on SQLite) are deleted.
Every ``SIMPUL_EXCHANGE_POLL_S`` seconds it looks for due outbox rows (new ones, retries whose backoff ended) and
queues delivery jobs for them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from typing import Any

from procrastinate.jobs import Status
from sqlalchemy import select

from hub.exchange.webhook_client import WebhookSender, webhook_sender
from hub.i18n import both
from hub.logging import get_logger
from hub.queue.backend import QUEUES, LocalConnector, Queue
from hub.services import jobs
from hub.settings import get_settings
from registry.db import Database

log = get_logger("hub.queue.runtime")
RESTART_DELAYS_S = (0.5, 1, 2, 5, 10)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:80]


class Runtime:
    def __init__(self, db: Database, queue: Queue | None = None) -> None:
        self.db = db
        self.queue = queue or Queue(db)
        self.name = process_name()
        self.probe_options: dict[str, Any] = {}  # job id -> ProbeOptions (in-process seam of the API tests)
        self._http: WebhookSender | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._stopping = asyncio.Event()
        self.worker_running = False
        self.restarts = 0

    # -- shared resources --------------------------------------------------------------------------------------
    async def http_client(self) -> WebhookSender:
        if self._http is None:
            # pinned and policy-checked like every outgoing connection (hub/exchange/webhook_client.py): the lean
            # keep-alive sender over the policy's pinned backend (docs/adr/0011-batched-delivery.md)
            self._http = webhook_sender(get_settings().exchange_delivery_timeout_s)
        return self._http

    async def kick_delivery(self, partitions: list[int] | None = None) -> int:
        """Queue a delivery job for each partition that has none waiting; returns how many were queued."""
        count = get_settings().queue_delivery_partitions
        queued = 0
        for p in partitions if partitions is not None else range(count):
            if await self.queue.defer("deliver", lock=f"deliver:{p}", queueing_lock=f"deliver:{p}", partition=p):
                queued += 1
        return queued

    # -- the worker --------------------------------------------------------------------------------------------
    async def start(self, *, concurrency: int | None = None, queues: list[str] | None = None,
                    maintenance: bool = True, outbox: bool = True) -> None:
        settings = get_settings()
        await self.queue.open()
        self._stopping.clear()
        self._tasks.append(asyncio.create_task(
            self._keep_worker(concurrency or settings.queue_concurrency, queues), name="simpul-queue-worker"))
        if maintenance and outbox:
            self._tasks.append(asyncio.create_task(self._outbox_loop(), name="simpul-outbox-watch"))
        if maintenance:
            if settings.exchange_sync_interval_s > 0:  # SIMPUL_EXCHANGE_SYNC_INTERVAL_S: every syncable app
                self._tasks.append(asyncio.create_task(self._sync_all_loop(settings.exchange_sync_interval_s),
                                                       name="simpul-sync-all"))
            self._tasks.append(asyncio.create_task(self._maintenance_loop(), name="simpul-queue-maintenance"))

    async def _keep_worker(self, concurrency: int, queues: list[str] | None) -> None:
        """Run procrastinate's worker; when it stops on its own (the database went away) start it again."""
        settings = get_settings()
        attempt = 0
        while not self._stopping.is_set():
            try:
                self.worker_running = True
                await self.queue.app.run_worker_async(
                    queues=queues or list(QUEUES), concurrency=concurrency, name=self.name, wait=True,
                    install_signal_handlers=False, listen_notify=self.queue.distributed,
                    fetch_job_polling_interval=settings.queue_poll_s if self.queue.distributed else 0.2,
                    update_heartbeat_interval=settings.queue_heartbeat_s,
                    stalled_worker_timeout=settings.queue_stalled_s,
                    shutdown_graceful_timeout=settings.queue_stalled_s,
                    additional_context={"runtime": self})
                attempt = 0 if self._stopping.is_set() else attempt
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("queue_worker_stopped", error=f"{type(exc).__name__}: {str(exc)[:200]}")
            finally:
                self.worker_running = False
            if self._stopping.is_set():
                return
            delay = RESTART_DELAYS_S[min(attempt, len(RESTART_DELAYS_S) - 1)]
            attempt += 1
            self.restarts += 1
            log.warning("queue_worker_restart", in_s=delay, restarts=self.restarts)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), delay)

    async def stop(self) -> None:
        self._stopping.set()
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()  # procrastinate's worker shuts down gracefully on cancel
        for task in tasks:
            with contextlib.suppress(BaseException):
                await task
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        with contextlib.suppress(Exception):
            await self.queue.close()

    async def wait_stopped(self) -> None:
        await self._stopping.wait()

    def request_stop(self) -> None:
        self._stopping.set()

    # -- maintenance -------------------------------------------------------------------------------------------
    async def _outbox_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                if await asyncio.to_thread(due_deliveries, self.db):
                    await self.kick_delivery()
            except Exception as exc:
                log.warning("outbox_watch_failed", error=f"{type(exc).__name__}: {str(exc)[:200]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), get_settings().exchange_poll_s)

    async def _sync_all_loop(self, interval_s: float) -> None:
        from hub.exchange.sync import syncable_applications
        from hub.exchange.workers import sync_targets_loop

        targets = await asyncio.to_thread(syncable_applications, self.db)
        await sync_targets_loop(self, targets, interval_s)

    async def _maintenance_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.maintain()
            except Exception as exc:
                log.warning("queue_maintenance_failed", error=f"{type(exc).__name__}: {str(exc)[:200]}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), get_settings().queue_maintenance_s)

    async def maintain(self) -> dict[str, int]:
        settings = get_settings()
        manager = self.queue.app.job_manager
        retried = failed = 0
        for job in await manager.get_stalled_jobs(seconds_since_heartbeat=settings.queue_stalled_s):
            give_up = (job.attempts or 0) + 1 >= settings.queue_job_attempts
            try:
                if give_up:
                    await manager.finish_job(job, status=Status.FAILED, delete_job=False)
                else:
                    await manager.retry_job(job)
            except Exception as exc:
                # Either another worker's maintenance took it first, or an equal job already waits under the
                # same queueing lock (a delivery or sync queued again meanwhile): that one does the work.
                if not await self._drop_stalled(job):
                    log.info("queue_stalled_job_taken", job=job.id, error=str(exc)[:120])
                    continue
                give_up = True
            failed, retried = failed + give_up, retried + (not give_up)
            log.warning("queue_stalled_job", job=job.id, task=job.task_name, attempts=job.attempts,
                        action="failed" if give_up else "retried")
        ended = await self.end_orphans()
        if isinstance(self.queue.app.connector, LocalConnector):
            self.queue.app.connector.forget_finished(3600)
        else:
            await manager.delete_old_jobs(nb_hours=24 * 7, include_failed=True, include_cancelled=True,
                                          include_aborted=True)
        return {"retried": retried, "failed": failed, "orphans": ended}

    async def _drop_stalled(self, job: Any) -> bool:
        if not job.queueing_lock:
            return False
        try:
            await self.queue.app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
        except Exception:
            return False
        return True

    async def end_orphans(self, grace_s: float = 60.0) -> int:
        """End assessment jobs that no queued job will finish any more (their entries failed or vanished)."""
        never, item_ids, fanout = await asyncio.to_thread(jobs.orphans, self.db, grace_s=grace_s)
        reason = both("assessment_service.job.interrupted")
        ended = 0
        for job_id in never:
            await asyncio.to_thread(jobs.fail_job, self.db, job_id, reason)
            ended += 1
        for job_id, ids in item_ids.items():
            wanted = [i for i in ids if i] + [fanout[job_id] or 0]
            live = await self.queue.live_job_ids([i for i in wanted if i])
            if live or not ids:
                continue
            await asyncio.to_thread(jobs.fail_job, self.db, job_id, reason)
            ended += 1
        return ended


def due_deliveries(db: Database) -> bool:
    """Is any outbox row due now (pending/retrying, backoff over, lease free)? The statuses are written as literals
    (``OPEN_LITERALS``, the predicate of the partial index ``ix_exchange_outbox_open``) and the waiting rows read in
    id order like the claim does (hub/exchange/delivery.py), so the check reads the waiting rows only, never the
    delivered history; bound statuses cannot match a partial index (SQLite never, PostgreSQL not in generic plans)."""
    import time

    from hub.exchange.delivery import _sqlite_indexed
    from registry.tables_exchange import OPEN_LITERALS, OutboxRow

    now = time.time()
    o = OutboxRow.__table__
    q = (select(o.c.id).where(o.c.status.in_(OPEN_LITERALS), o.c.next_attempt_at <= now,
                              (o.c.claimed_until.is_(None)) | (o.c.claimed_until < now))
         .order_by(o.c.id).limit(1))
    with db.session() as s:
        if db.backend == "sqlite":
            return bool(_sqlite_indexed(s, q, "exchange_outbox", "ix_exchange_outbox_open"))
        return s.execute(q).first() is not None
