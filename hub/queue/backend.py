"""The queue of one database: a procrastinate ``App`` on PostgreSQL (shared by every process), in memory on
SQLite (this process only), with Simpul's tasks registered on it.

    queue = Queue(db)                      # PostgreSQL: PsycopgConnector; SQLite: InMemoryConnector
    await queue.open()
    await queue.defer("assess_job", job_id=..., priority=5)   # None when an equal job already waits
    await queue.close()

Task names, queues and priorities are data (``TASKS``), so the CLI, the API and the docs name the same ones.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import procrastinate
from procrastinate import exceptions as pexc
from procrastinate.testing import InMemoryConnector
from sqlalchemy.engine import make_url

from hub.logging import get_logger
from hub.settings import get_settings
from registry.db import Database

log = get_logger("hub.queue")
NAMESPACE = "simpul"
QUEUES = ("assess", "sync", "deliver", "maintenance")


@dataclass(frozen=True)
class TaskSpec:
    queue: str
    priority: int
    retry: bool = True  # retried with backoff up to SIMPUL_QUEUE_JOB_ATTEMPTS


# Higher priority runs first. Deliveries first (a consumer waits), then what a user asked for (API/CLI
# assessments, syncs), then scheduled re-assessments (``priority_for(trigger)`` lowers them).
TASKS: dict[str, TaskSpec] = {
    "deliver": TaskSpec("deliver", 20, retry=False),  # the outbox keeps the retries (attempts, backoff)
    "assess_job": TaskSpec("assess", 10),
    "assess_app": TaskSpec("assess", 5),
    "sync_resource": TaskSpec("sync", 5),
    "schedule_tick": TaskSpec("maintenance", 30, retry=False),
}
SCHEDULED_PRIORITY = 0


def priority_for(task: str, trigger: str) -> int:
    return SCHEDULED_PRIORITY if trigger == "schedule" else TASKS[task].priority


class LocalConnector(InMemoryConnector):
    """procrastinate's in-memory connector for the one process of an SQLite install. Unlike the test double it
    derives from, it keeps no log of its queries, and it forgets finished jobs (``forget_finished``)."""

    async def generic_execute(self, query: str, suffix: str, **arguments: Any) -> Any:  # type: ignore[override]
        name = self.reverse_queries[query]
        return await getattr(self, f"{name}_{suffix}")(**arguments)

    def forget_finished(self, older_than_s: float) -> int:
        cutoff = time.time() - older_than_s
        gone = [i for i, job in self.jobs.items() if job["status"] not in ("todo", "doing")
                and max((e["at"].timestamp() for e in self.events.get(i, [])), default=0) < cutoff]
        for job_id in gone:
            self.jobs.pop(job_id, None)
            self.events.pop(job_id, None)
        return len(gone)


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq URI for psycopg (``options=-csearch_path=...`` and all kept)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Queue:
    def __init__(self, db: Database, *, pool_size: int | None = None) -> None:
        self.db = db
        self.distributed = db.backend == "postgresql"
        if self.distributed:
            size = pool_size or get_settings().queue_concurrency + 2
            connector: Any = procrastinate.PsycopgConnector(conninfo=libpq_url(db.url), min_size=1, max_size=size,
                                                            timeout=30.0)
        else:
            connector = LocalConnector()
        self.app = procrastinate.App(connector=connector)
        from hub.queue import tasks

        tasks.register(self.app)
        self._opened = False
        self._lock = asyncio.Lock()

    async def open(self) -> Queue:
        async with self._lock:
            if not self._opened:
                if self.distributed:
                    await asyncio.to_thread(self.db.ensure_schema)  # the queue's tables come with 0006_queue
                await self.app.open_async()
                self._opened = True
        return self

    async def close(self) -> None:
        async with self._lock:
            if self._opened:
                self._opened = False
                await self.app.close_async()

    @property
    def opened(self) -> bool:
        return self._opened

    def task(self, name: str) -> Any:
        return self.app.tasks[f"{NAMESPACE}:{name}"]

    async def defer(self, name: str, *, lock: str | None = None, queueing_lock: str | None = None,
                    priority: int | None = None, schedule_in: dict[str, float] | None = None,
                    **kwargs: Any) -> int | None:
        """Queue ``name`` with ``kwargs``; None when ``queueing_lock`` already has a job waiting (not an error)."""
        await self.open()
        options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock}
        if priority is not None:
            options["priority"] = priority
        if schedule_in:
            options["schedule_in"] = schedule_in
        try:
            return await self.task(name).configure(**options).defer_async(**kwargs)
        except pexc.AlreadyEnqueued:
            return None

    async def live_job_ids(self, ids: list[int]) -> set[int]:
        """Which of ``ids`` still wait or run (todo/doing)."""
        if not ids:
            return set()
        if not self.distributed:
            store = self.app.connector.jobs  # type: ignore[attr-defined]
            return {i for i in ids if i in store and store[i]["status"] in ("todo", "doing")}
        rows = await self.app.connector.execute_query_all_async(
            "SELECT id FROM procrastinate_jobs WHERE id = ANY(%(ids)s) AND status IN ('todo', 'doing')", ids=ids)
        return {int(r["id"]) for r in rows}

    async def counts(self) -> dict[str, dict[str, int]]:
        """Jobs per queue and status (``simpul worker status``, /v1/queue)."""
        await self.open()
        out: dict[str, dict[str, int]] = {}
        for row in await self.app.job_manager.list_queues_async():
            out[row["name"]] = {k: int(row.get(k) or 0) for k in ("todo", "doing", "succeeded", "failed",
                                                                   "cancelled", "aborted")}
        return out
