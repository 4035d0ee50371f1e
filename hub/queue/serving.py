"""The queue inside ``simpul serve``: every API process defers jobs into the queue; whether it also *runs* them
is ``SIMPUL_SERVE_WORKERS`` (``simpul serve --workers/--no-workers``):

- ``auto`` (default): yes with SQLite (the queue lives in this process's memory, nobody else could run it), no
  with PostgreSQL (run ``simpul worker`` processes; the API processes stay stateless and several can serve
  behind one port);
- ``on`` / ``off``: force it (``SIMPUL_EXCHANGE_WORKERS=false`` also means off, as before).

At start-up an SQLite process marks the jobs a previous process left unfinished as failed (their queue was in
its memory); on PostgreSQL jobs survive restarts, and only jobs that no queued entry will finish are ended.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from hub.i18n import both
from hub.logging import get_logger
from hub.queue.runtime import Runtime
from hub.services import jobs
from hub.settings import get_settings
from registry.db import Database

log = get_logger("hub.queue.serving")


def runs_workers(db: Database) -> bool:
    settings = get_settings()
    if not settings.exchange_workers or settings.serve_workers == "off":
        return False
    return settings.serve_workers == "on" or db.backend != "postgresql"


async def recover(runtime: Runtime) -> int:
    """Best effort: a database that is not reachable (or not migrated yet) is left alone."""
    try:
        if runtime.queue.distributed:
            return await runtime.end_orphans()
        return await asyncio.to_thread(jobs.fail_all_unfinished, runtime.db,
                                       both("assessment_service.job.interrupted"))
    except Exception as exc:
        log.warning("assessment_jobs_recover_failed", error=str(exc).splitlines()[0][:200] if str(exc) else "")
        return 0


def runtime_of(app: Any) -> Runtime:
    """The queue runtime of an API app (created on first use when the app was served without its lifespan)."""
    runtime = getattr(app.state, "queue_runtime", None)
    if runtime is None:
        from hub.services.registry_db import get_database

        runtime = app.state.queue_runtime = Runtime(get_database())
        app.state.queue_runtime_lazy = True
    return runtime


async def ensure_running(app: Any) -> Runtime:
    runtime = runtime_of(app)
    if getattr(app.state, "queue_runtime_lazy", False) and runs_workers(runtime.db) and not runtime.worker_running:
        app.state.queue_runtime_lazy = False
        await runtime.start()
    return runtime


def install(app: Any) -> None:
    async def start(app: Any) -> None:
        from hub.services.registry_db import get_database

        runtime = Runtime(get_database())
        app.state.queue_runtime = runtime
        count = await recover(runtime)
        if count:
            log.warning("assessment_jobs_interrupted", count=count)
        if runs_workers(runtime.db):
            try:
                await runtime.start()
            except Exception as exc:  # the API still answers (readiness says why); jobs wait for a worker
                log.warning("queue_worker_not_started", error=f"{type(exc).__name__}: {str(exc)[:200]}")

    async def stop(app: Any) -> None:
        runtime = getattr(app.state, "queue_runtime", None)
        if runtime is not None:
            with contextlib.suppress(Exception):
                await runtime.stop()

    app.state.startup_hooks.append(start)
    app.state.shutdown_hooks.append(stop)
