"""Simpul's queued jobs, registered on each queue's procrastinate ``App`` (``register(app)``).

- ``assess_job(job_id)``: the fan-out of an assessment job: one ``assess_app`` per application still to do.
- ``assess_app(job_id, app_id)``: assess one application; its run is stored with its job item (never twice).
- ``sync_resource(target, resource)``: one sync of one resource; lock ``sync:<target>:<resource>``, so one runs
  at a time per resource whichever worker takes it. Then the outbox is drained (``deliver``).
- ``deliver(partition)``: drains due outbox rows with the delivery code (``hub.exchange.delivery.deliver_once``)
  for at most ``SIMPUL_QUEUE_DELIVERY_SLICE_S``; lock ``deliver:<partition>``. Per-record-key order comes from
  the outbox claim (a row is claimed only when no earlier row of its key is open), so partitions only bound
  how many drain at once; the outbox stays the source of truth (at-least-once, an Idempotency-Key per delivery).
- ``schedule_tick``: every minute, fires the schedules that are due (``hub.services.schedules``).

A task finds the database and the process's shared resources in ``context.additional_context["runtime"]``
(:class:`hub.queue.runtime.Runtime`).
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import procrastinate
from procrastinate import JobContext

from hub.logging import get_logger
from hub.queue.backend import NAMESPACE, TASKS, priority_for
from hub.services import jobs

if TYPE_CHECKING:
    from hub.queue.runtime import Runtime

log = get_logger("hub.queue.tasks")


def runtime_of(context: JobContext) -> Runtime:
    return context.additional_context["runtime"]


def last_attempt(context: JobContext) -> bool:
    from hub.settings import get_settings

    return (context.job.attempts or 0) + 1 >= get_settings().queue_job_attempts


# -- assessments ----------------------------------------------------------------------------------------------
async def assess_job(context: JobContext, job_id: str, trigger: str = "api") -> int:
    """Queue one ``assess_app`` per unfinished application of the job; returns how many were queued."""
    rt = runtime_of(context)
    try:
        pending = await asyncio.to_thread(jobs.pending_items, rt.db, job_id)
        for app_id in pending:
            queue_id = await rt.queue.defer("assess_app", queueing_lock=f"assess:{job_id}:{app_id}",
                                            priority=priority_for("assess_app", trigger), job_id=job_id,
                                            app_id=app_id, trigger=trigger)
            if queue_id is not None:
                await asyncio.to_thread(jobs.set_queue_job, rt.db, job_id, queue_id, app_id)
    except Exception as exc:
        if last_attempt(context):
            await asyncio.to_thread(jobs.fail_job, rt.db, job_id, jobs.error_text(exc))
        raise
    return len(pending)


async def assess_app(context: JobContext, job_id: str, app_id: str, trigger: str = "api") -> str | None:
    """Assess ``app_id`` for ``job_id``; returns the stored run id (None: nothing to do, or it failed)."""
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal
    from registry import assessments as store
    from registry import repository as repo

    rt = runtime_of(context)
    db = rt.db
    if not await asyncio.to_thread(jobs.start_item, db, job_id, app_id, worker=rt.name):
        return None  # finished already: a retry of a job whose worker died after storing the run
    try:
        def load() -> tuple[Any, Any, dict[str, Any]]:
            with db.session() as s:
                return store.get_job(s, job_id), repo.get_application(s, app_id), store.job_openapi(s, job_id)

        job, app, openapi = await asyncio.to_thread(load)
        principal = Principal(actor=job.actor if job else "system:queue", role="admin", name="queue")
        # the API process's own seam first (tests), else what the job stored (a worker in another process)
        options = rt.probe_options.get(job_id) or AssessmentService.options_for_job(openapi)
        service = AssessmentService(db, principal, options=options)
        progress = ItemProgress(db, job_id, app_id)
        run = await service.measure(app, progress)
        await progress.settle()
        record = await asyncio.to_thread(jobs.finish_item, db, job_id, app_id, run, trigger=trigger,
                                         actor=principal.actor)
        return record.run_id if record and record.stored else None  # unmeasured: reported, not stored
    except asyncio.CancelledError:  # the worker is stopping: the application waits for another worker
        await asyncio.to_thread(jobs.requeue_item, db, job_id, app_id)
        again = await rt.queue.defer("assess_app", queueing_lock=f"assess:{job_id}:{app_id}",
                                     priority=priority_for("assess_app", trigger), job_id=job_id, app_id=app_id,
                                     trigger=trigger)
        if again is not None:
            await asyncio.to_thread(jobs.set_queue_job, db, job_id, again, app_id)
        raise
    except Exception as exc:
        log.warning("assess_app_failed", job=job_id, app=app_id, error=f"{type(exc).__name__}: {exc}"[:300])
        if last_attempt(context):
            await asyncio.to_thread(jobs.finish_item, db, job_id, app_id, None, trigger=trigger, actor="queue",
                                    error=jobs.error_text(exc))
        else:
            await asyncio.to_thread(jobs.requeue_item, db, job_id, app_id)
        raise


class ItemProgress:
    """``progress(app_id, done, total, check_id)`` of the assessment, written to the item row at most every
    half second (the last state is written by ``settle``)."""

    def __init__(self, db: Any, job_id: str, app_id: str, interval_s: float = 0.5) -> None:
        self.db, self.job_id, self.app_id, self.interval_s = db, job_id, app_id, interval_s
        self.state: tuple[int, int, str] | None = None
        self._written: tuple[int, int, str] | None = None
        self._last = 0.0
        self._writer: asyncio.Task[None] | None = None

    def __call__(self, app_id: str, done: int, total: int, check_id: str) -> None:
        self.state = (done, total, check_id)
        if self._writer is not None and not self._writer.done():
            return
        if time.monotonic() - self._last < self.interval_s:
            return
        self._writer = asyncio.get_running_loop().create_task(self._write())

    async def _write(self) -> None:
        while self.state is not None and self.state != self._written:
            state, self._last = self.state, time.monotonic()
            try:
                await asyncio.to_thread(jobs.item_progress, self.db, self.job_id, self.app_id, *state)
            except Exception as exc:  # progress is best effort; the result is written by finish_item
                log.warning("assess_progress_failed", job=self.job_id, error=str(exc)[:200])
                return
            self._written = state

    async def settle(self) -> None:
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)


# -- sync and delivery -------------------------------------------------------------------------------------------
async def sync_resource(context: JobContext, target: str, resource: str, full: bool = False,
                        actor: str = "system:sync") -> dict[str, Any]:
    from hub.exchange import sync

    rt = runtime_of(context)
    spec = await asyncio.to_thread(sync.resolve_spec, target, rt.db)
    result = await sync.sync_resource(spec, resource, db=rt.db, full=full, actor=actor)
    if result.counts.as_dict().get("stored"):
        await rt.kick_delivery()
    return result.as_dict()


async def deliver(context: JobContext, partition: int = 0) -> int:
    """Drain due deliveries for one time slice; queue a follow-up when some are still due. Returns attempts."""
    from hub.exchange.delivery import deliver_once
    from hub.settings import get_settings

    rt = runtime_of(context)
    deadline = time.monotonic() + get_settings().queue_delivery_slice_s
    total, last = 0, 0
    while time.monotonic() < deadline:
        last = await deliver_once(rt.db, client=await rt.http_client(), worker=rt.name)
        total += last
        if last == 0:
            break
    if last:
        await rt.kick_delivery(partitions=[partition])
    return total


async def schedule_tick(context: JobContext, timestamp: int) -> int:
    from hub.services import schedules

    rt = runtime_of(context)
    fired = await schedules.fire_due(rt.db, rt.queue, now=float(timestamp))
    return len(fired)


# -- registration --------------------------------------------------------------------------------------------------
FUNCTIONS = {"assess_job": assess_job, "assess_app": assess_app, "sync_resource": sync_resource,
             "deliver": deliver, "schedule_tick": schedule_tick}


def register(app: procrastinate.App) -> None:
    from hub.settings import get_settings

    attempts = get_settings().queue_job_attempts
    for name, fn in FUNCTIONS.items():
        spec = TASKS[name]
        retry = procrastinate.RetryStrategy(max_attempts=attempts - 1, wait=2, exponential_wait=2) \
            if spec.retry and attempts > 1 else False
        task = app.task(name=f"{NAMESPACE}:{name}", queue=spec.queue, priority=spec.priority, retry=retry,
                        pass_context=True)(fn)
        if name == "schedule_tick":
            app.periodic(cron="* * * * *", periodic_id="schedules")(task)
