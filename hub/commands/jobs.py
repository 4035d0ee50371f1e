"""``simpul jobs``: assessment jobs on the queue, and their progress as every process sees it.

    simpul jobs submit --all              # PostgreSQL: queued for the workers; SQLite: run here, with progress
    simpul jobs list
    simpul jobs show JOB_ID --follow      # per application: status, checks done, run id, worker
"""

from __future__ import annotations

import asyncio
import json

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import SimpulError, UsageError
from registry.assessments import JobRecord


def _percent(job: JobRecord) -> float:
    total = max(job.progress_total, 0)
    return round(100 * job.progress_done / total, 1) if total else (100.0 if job.status == "done" else 0.0)


def _line(job: JobRecord) -> str:
    return msg("queue.cli.job_line", job=job.job_id, status=job.status, done=job.progress_done,
               total=job.progress_total, percent=_percent(job), runs=len(job.run_ids), current=job.current_check or "")


def _json(job: JobRecord) -> dict[str, object]:
    error = (job.error.get(lang()) or job.error.get("id")) if job.error else None
    return {**job.model_dump(mode="json", exclude={"error"}), "percent": _percent(job), "error": error}


def _print_not_measured(job: JobRecord) -> None:
    """Applications in which nothing was measured: no run stored, the reason shown ("belum diukur")."""
    if not job.not_measured:
        return
    console.print(msg("assessment_service.cli.not_measured_head", count=len(job.not_measured),
                      total=len(job.app_ids)), highlight=False)
    for app_id, why in job.not_measured.items():
        console.print(f"  {app_id}: {why.get(lang()) or why.get('id') or '-'}", highlight=False, markup=False,
                      soft_wrap=True)


def _service():  # type: ignore[no-untyped-def]
    from hub.commands.assess import probe_options
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    return AssessmentService(get_database(), Principal.cli(), lang(), options=probe_options())


def _submit(apps: list[str] | None, wait: bool, quiet: bool = False) -> JobRecord:
    from hub.queue import submit_job
    from hub.queue.runtime import Runtime

    service = _service()
    job, _ = service.create_job(apps, trigger="cli")

    async def go() -> None:
        runtime = Runtime(service.db)
        runtime.probe_options[job.job_id] = service.options
        local = not runtime.queue.distributed
        try:
            if local:  # SQLite: the queue is this process's; run the job here
                await runtime.start(maintenance=False)
            await submit_job(runtime, job.job_id, trigger="cli")
            if local or wait:
                await _follow(service, job.job_id, quiet=quiet)
        finally:
            await runtime.stop()

    asyncio.run(go())
    return service.get_job(job.job_id)


async def _follow(service, job_id: str, interval_s: float = 0.5,  # type: ignore[no-untyped-def]
                  quiet: bool = False) -> JobRecord:
    last = ""
    while True:
        job = await asyncio.to_thread(service.get_job, job_id)
        line = _line(job)
        if line != last and not quiet:
            err_console.print(line, highlight=False)
            last = line
        if job.status in ("done", "failed"):
            return job
        await asyncio.sleep(interval_s)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Pekerjaan penilaian di antrean / assessment jobs on the queue.")
    app.add_typer(group, name="jobs")

    @group.command("submit")
    def submit(
        apps: list[str] = typer.Argument(None, help="Id aplikasi / application ids"),
        all_: bool = typer.Option(False, "--all", help="Semua aplikasi yang tidak pensiun / every one not retired"),
        wait: bool = typer.Option(False, "--wait", help="Tunggu sampai selesai / wait until it ends"),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Antrekan penilaian untuk pekerja / queue an assessment for the workers."""
        try:
            if bool(apps) == all_:
                raise UsageError("queue.cli.apps_or_all")
            job = _submit(None if all_ else list(apps), wait, quiet=as_json)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps(_json(job), ensure_ascii=False, indent=2))
        elif job.status in ("queued", "running"):
            console.print(msg("queue.cli.job_queued", job=job.job_id, count=len(job.app_ids)), highlight=False)
        else:
            console.print(_line(job), highlight=False)
        raise typer.Exit(1 if job.status == "failed" else 0)

    @group.command("list")
    def list_(
        limit: int = typer.Option(20, "--limit", min=1, max=200),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Pekerjaan penilaian terbaru / the latest assessment jobs."""
        try:
            found = _service().recent_jobs(limit)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps([_json(j) for j in found], ensure_ascii=False, indent=2))
            return
        if not found:
            console.print(msg("queue.cli.no_jobs"))
            return
        for job in found:
            console.print(_line(job), highlight=False)

    @group.command("show")
    def show(
        job_id: str = typer.Argument(..., help="Id pekerjaan / job id"),
        follow: bool = typer.Option(False, "--follow", "-f", help="Ikuti sampai selesai / follow until it ends"),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Kemajuan satu pekerjaan, per aplikasi / progress of one job, per application."""
        from hub.services import jobs

        service = _service()
        try:
            job = service.get_job(job_id)
            if follow:
                job = asyncio.run(_follow(service, job_id, quiet=as_json))
            items = jobs.item_states(service.db, job_id)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps({**_json(job), "items": items}, ensure_ascii=False, indent=2, default=str))
            return
        console.print(_line(job), highlight=False)
        table = Table("app", "status", "checks", "run", "attempts", "worker")
        for item in items:
            table.add_row(item["app_id"], item["status"], f"{item['done']}/{item['total']}",
                          (item["run_id"] or "-")[:12], str(item["attempts"]), item["worker"] or "-")
        console.print(table)
        _print_not_measured(job)
        if job.error:
            err_console.print(job.error.get(lang()) or job.error.get("id", ""), highlight=False)
