"""Simpul's job queue: procrastinate on PostgreSQL (many worker processes on many machines), the same tasks in
the memory of the one process on SQLite. See docs/adr/0006-procrastinate-job-queue.md and docs/deployment.md.

    runtime = Runtime(db)                                   # hub.queue.runtime
    await submit_job(runtime, job_id, trigger="api")        # an assessment job created by AssessmentService
"""

from __future__ import annotations

import asyncio

from hub.queue.backend import Queue, priority_for
from hub.queue.runtime import Runtime
from hub.services import jobs

__all__ = ["Queue", "Runtime", "submit_job"]


async def submit_job(runtime: Runtime, job_id: str, *, trigger: str = "api") -> int | None:
    """Queue the fan-out of an assessment job. If the queue cannot take it, the job is failed with the reason
    (it would otherwise wait for ever) and the error is raised."""
    try:
        queue_id = await runtime.queue.defer("assess_job", queueing_lock=f"assess-job:{job_id}",
                                             priority=priority_for("assess_job", trigger), job_id=job_id,
                                             trigger=trigger)
    except Exception as exc:
        await asyncio.to_thread(jobs.fail_job, runtime.db, job_id, jobs.error_text(exc))
        raise
    await asyncio.to_thread(jobs.set_queue_job, runtime.db, job_id, queue_id)
    return queue_id
