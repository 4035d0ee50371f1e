"""A small in-process runner of background jobs (asyncio tasks in the API process), for assessments.

The state of every job lives in the ``assessment_job`` table, so a GET after completion works and a job that a
restart interrupted is marked failed, with a reason, when the next process starts (:meth:`JobRunner.recover`).
At most ``max_jobs`` jobs run at once; the others wait in ``queued``. Progress reported by the work is written
to the table at most every ``flush_interval_s`` seconds (and whenever a run is stored).

    runner = JobRunner(max_jobs=2)
    runner.submit(db, job.job_id, lambda progress: work(progress))   # work(progress) -> list of run ids
    await runner.shutdown()                                          # cancels; unfinished jobs become failed

Jobs run in the process that accepted them: run one API process (the CLI does not use jobs).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import inspect

from hub.errors import SimpulError
from hub.i18n import both
from hub.logging import get_logger
from registry import assessments as store
from registry.assessments import RunRecord
from registry.db import Database

log = get_logger("hub.services.jobs")


def error_text(exc: BaseException) -> dict[str, str]:
    """The bilingual text of the error that ended a job."""
    if isinstance(exc, SimpulError):
        return exc.messages()
    return both("assessment_service.job.failed", detail=f"{type(exc).__name__}: {str(exc)[:200]}")


class JobProgress:
    """The progress callback handed to the work: ``progress(app_id, done, total, check_id)`` and
    ``progress.add_run(record)``; writes are throttled and never block the event loop."""

    def __init__(self, runner: JobRunner, db: Database, job_id: str) -> None:
        self.runner, self.db, self.job_id = runner, db, job_id
        self.done_by_app: dict[str, int] = {}
        self.current: str | None = None
        self.run_ids: list[str] = []
        self._last = 0.0
        self._dirty = False
        self._writer: asyncio.Task[None] | None = None

    @property
    def done(self) -> int:
        return sum(self.done_by_app.values())

    def __call__(self, app_id: str, done: int, total: int, check_id: str) -> None:
        self.done_by_app[app_id] = done
        self.current = f"{app_id} {check_id}".strip()
        self._schedule(force=False)

    def add_run(self, record: RunRecord) -> None:
        self.run_ids.append(record.run_id)
        self._schedule(force=True)

    def _schedule(self, force: bool) -> None:
        self._dirty = True
        if self._writer is not None and not self._writer.done():
            return
        if not force and time.monotonic() - self._last < self.runner.flush_interval_s:
            return
        self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self._dirty:
            self._dirty = False
            self._last = time.monotonic()
            changes = {"progress_done": self.done, "current_check": self.current, "run_ids": list(self.run_ids)}
            try:
                await asyncio.to_thread(self.runner.update, self.db, self.job_id, **changes)
            except Exception as exc:  # progress is best effort; the final state is written by the runner
                log.warning("assessment_job_progress_failed", job=self.job_id, error=str(exc)[:200])
                return

    async def settle(self) -> None:
        if self._writer is not None:
            with contextlib.suppress(Exception):
                await self._writer


Work = Callable[[JobProgress], Awaitable[list[str]]]


class JobRunner:
    def __init__(self, *, max_jobs: int = 2, flush_interval_s: float = 0.5) -> None:
        self.max_jobs = max_jobs
        self.flush_interval_s = flush_interval_s
        self._gate: asyncio.Semaphore | None = None
        self._tasks: dict[str, tuple[asyncio.Task[None], Database]] = {}

    @staticmethod
    def update(db: Database, job_id: str, **changes: Any) -> None:
        with db.session() as s:
            store.update_job(s, job_id, **changes)

    async def recover(self, db: Database | Callable[[], Database]) -> int:
        """At start-up: jobs left queued or running by a previous process are marked failed, with the reason.
        Best effort: a database that is not reachable (or not migrated yet) is left alone."""

        def sweep() -> int:
            nonlocal db
            if not isinstance(db, Database):
                db = db()
            if not inspect(db.engine).has_table("assessment_job"):
                return 0
            with db.session() as s:
                return store.fail_unfinished_jobs(s, both("assessment_service.job.interrupted"))

        try:
            count = await asyncio.to_thread(sweep)
        except Exception as exc:
            log.warning("assessment_jobs_recover_failed", error=str(exc).splitlines()[0][:200] if str(exc) else "")
            return 0
        if count:
            log.warning("assessment_jobs_interrupted", count=count)
        return count

    def submit(self, db: Database, job_id: str, work: Work) -> asyncio.Task[None]:
        if self._gate is None:
            self._gate = asyncio.Semaphore(self.max_jobs)
        task = asyncio.get_running_loop().create_task(self._run(db, job_id, work), name=f"assessment-job-{job_id}")
        self._tasks[job_id] = (task, db)
        task.add_done_callback(lambda _t: self._tasks.pop(job_id, None))
        return task

    async def _run(self, db: Database, job_id: str, work: Work) -> None:
        assert self._gate is not None
        progress = JobProgress(self, db, job_id)
        async with self._gate:
            try:
                await asyncio.to_thread(self.update, db, job_id, status="running")
                run_ids = await work(progress)
                await progress.settle()
                await asyncio.to_thread(self._finish, db, job_id, list(run_ids))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("assessment_job_failed", job=job_id, error=f"{type(exc).__name__}: {exc}"[:300])
                await progress.settle()
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(self.update, db, job_id, status="failed", error=error_text(exc),
                                            run_ids=list(progress.run_ids), current_check=None)

    @property
    def active(self) -> list[str]:
        return list(self._tasks)

    async def join(self, timeout: float | None = None) -> None:
        """Wait for every submitted job (tests, a graceful stop)."""
        tasks = [t for t, _ in self._tasks.values()]
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)

    async def shutdown(self) -> None:
        """Cancel the jobs still going; they are marked failed ("the server shut down")."""
        pending = list(self._tasks.items())
        for _job_id, (task, _db) in pending:
            task.cancel()
        for _job_id, (task, _db) in pending:
            with contextlib.suppress(BaseException):
                await task
        for job_id, (_task, db) in pending:
            with contextlib.suppress(Exception):
                await asyncio.to_thread(self._fail_stopped, db, job_id)

    @staticmethod
    def _finish(db: Database, job_id: str, run_ids: list[str]) -> None:
        with db.session() as s:
            job = store.get_job(s, job_id)
            store.update_job(s, job_id, status="done", progress_done=job.progress_total if job else 0,
                             current_check=None, run_ids=run_ids)

    @staticmethod
    def _fail_stopped(db: Database, job_id: str) -> None:
        with db.session() as s:
            store.fail_unfinished_jobs(s, both("assessment_service.job.stopped"), [job_id])
