"""``simpul worker``: run queued jobs (assessments, syncs, deliveries, schedules); ``simpul queue status``: what
waits and runs, and which workers are alive.

    simpul worker                        # one process, SIMPUL_QUEUE_CONCURRENCY jobs at once
    simpul worker --concurrency 4        # four processes (PostgreSQL), restarted when one dies
    simpul worker --queue deliver        # only deliveries (e.g. a machine close to the consumers)
    simpul worker --sync e-planning --sync-interval 60
    simpul queue status --json
"""

from __future__ import annotations

import asyncio
import json
import signal

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, msg
from hub.errors import SimpulError, UsageError
from hub.queue.backend import QUEUES


def _check_queues(queues: list[str]) -> list[str]:
    unknown = [q for q in queues if q not in QUEUES]
    if unknown:
        raise UsageError("queue.cli.queue_unknown", queue=", ".join(unknown), known=", ".join(QUEUES))
    return list(dict.fromkeys(queues))


def _run_one(jobs: int | None, queues: list[str], sync: list[str], interval: float | None, deliver: bool) -> None:
    from hub.exchange.workers import sync_targets_loop
    from hub.queue.runtime import Runtime
    from hub.services.registry_db import get_database

    async def go() -> None:
        runtime = Runtime(get_database())
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, runtime.request_stop)

        chosen = queues or [q for q in QUEUES if deliver or q != "deliver"]
        await runtime.start(concurrency=jobs, queues=chosen, outbox=deliver)
        extra = []
        if sync:
            every = interval if interval is not None else 5.0
            extra.append(asyncio.create_task(sync_targets_loop(runtime, sync, every)))
        console.print(msg("queue.cli.worker_started", name=runtime.name, queues=", ".join(chosen),
                          backend=runtime.db.backend), highlight=False)
        await runtime.wait_stopped()
        await runtime.stop()
        for task in extra:
            task.cancel()
        await asyncio.gather(*extra, return_exceptions=True)

    asyncio.run(go())


def queue_syncs(target: str | None, all_apps: bool, resources: list[str] | None, full: bool, as_json: bool) -> None:
    """``simpul sync APP --queue``: hand the sync of each resource to the workers."""
    from hub.exchange.sync import syncable_applications
    from hub.exchange.workers import queue_sync
    from hub.queue.runtime import Runtime
    from hub.services.registry_db import get_database

    async def go() -> dict[str, list[int | None]]:
        runtime = Runtime(get_database())
        try:
            targets = await asyncio.to_thread(syncable_applications, runtime.db) if all_apps else [target or ""]
            return {t: await queue_sync(runtime, t, resources=resources, full=full, actor="cli:sync")
                    for t in targets}
        finally:
            await runtime.queue.close()

    try:
        from hub.services.registry_db import get_database

        if get_database().backend != "postgresql":
            raise UsageError("queue.cli.needs_postgres", what="simpul sync --queue")
        queued = asyncio.run(go())
    except SimpulError as err:
        raise fail(err) from None
    if as_json:
        typer.echo(json.dumps(queued, indent=2))
        return
    for app_id, ids in queued.items():
        console.print(msg("queue.cli.sync_queued", app=app_id, count=sum(1 for i in ids if i),
                          waiting=sum(1 for i in ids if not i)), highlight=False)


def _status() -> dict[str, object]:
    from hub.queue.backend import Queue
    from hub.services.registry_db import get_database

    db = get_database()

    async def go() -> dict[str, object]:
        queue = Queue(db)
        try:
            counts = await queue.counts()
            workers: list[dict[str, object]] = []
            if queue.distributed:
                rows = await queue.app.connector.execute_query_all_async(
                    "SELECT id, extract(epoch FROM now() - last_heartbeat)::float AS age FROM procrastinate_workers "
                    "ORDER BY id")
                workers = [{"id": int(r["id"]), "heartbeat_age_s": round(float(r["age"]), 1)} for r in rows]
            return {"backend": db.backend, "queues": counts, "workers": workers}
        finally:
            await queue.close()

    return asyncio.run(go())


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        concurrency: int = typer.Option(None, "--concurrency", "-c", min=1, max=64,
                                        help="Jumlah proses pekerja / worker processes (SIMPUL_WORKER_PROCESSES)"),
        jobs: int = typer.Option(None, "--jobs", "-j", min=1, max=64,
                                 help="Pekerjaan sekaligus per proses / jobs at once per process"),
        queue: list[str] = typer.Option(None, "--queue", "-q", help="Hanya antrean ini / only these queues: "
                                                                    + ", ".join(QUEUES)),
        sync_target: list[str] = typer.Option(None, "--sync", help="Sinkronkan aplikasi ini berkala / sync these"),
        sync_interval: float = typer.Option(None, "--sync-interval", help="Detik antar sinkronisasi / seconds"),
        no_deliver: bool = typer.Option(False, "--no-deliver", help="Tanpa pengiriman / do not deliver"),
    ) -> None:
        """Jalankan pekerja antrean (penilaian, sinkronisasi, pengiriman, jadwal) / run queue workers."""
        from hub.queue.supervisor import Supervisor
        from hub.services.registry_db import get_database
        from hub.settings import get_settings

        try:
            queues = _check_queues(queue or [])
            processes = concurrency or get_settings().worker_processes
            if processes > 1 and get_database().backend != "postgresql":
                raise UsageError("queue.cli.needs_postgres", what="simpul worker --concurrency N>1")
            if processes > 1:
                args = [*(["--jobs", str(jobs)] if jobs else []), *(a for q in queues for a in ("--queue", q)),
                        *(a for t in sync_target or [] for a in ("--sync", t)),
                        *(["--sync-interval", str(sync_interval)] if sync_interval is not None else []),
                        *(["--no-deliver"] if no_deliver else [])]
                err_console.print(msg("queue.cli.supervisor_started", count=processes), highlight=False)
                raise typer.Exit(Supervisor(processes, args).run())
            _run_one(jobs, queues, sync_target or [], sync_interval, not no_deliver)
        except SimpulError as err:
            raise fail(err) from None

    group = typer.Typer(help="Antrean pekerjaan / the job queue.")
    app.add_typer(group, name="queue")

    @group.command("status")
    def status(as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output")) -> None:
        """Pekerjaan per antrean dan pekerja yang hidup / jobs per queue and live workers."""
        try:
            found = _status()
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps(found, indent=2))
            return
        table = Table(msg("queue.cli.col_queue"), "todo", "doing", "succeeded", "failed", title=str(found["backend"]))
        for name, row in dict(found["queues"]).items():  # type: ignore[call-overload]
            table.add_row(name, *(str(row.get(k, 0)) for k in ("todo", "doing", "succeeded", "failed")))
        console.print(table)
        workers = list(found["workers"])  # type: ignore[call-overload]
        console.print(msg("queue.cli.workers", count=len(workers)), highlight=False)

