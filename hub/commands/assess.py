"""``simpul assess``: assess registered applications against the five standards and keep every run.

    simpul assess e-planning simpeg            # or --all; exit 0 none failed, 1 a check failed, 2 usage
    simpul assess answer e-planning SCA-005 --answer pass --evidence "BAST|https://...|catatan" --by Inspektorat
    simpul assess runs e-planning              # history
    simpul assess compare RUN_A RUN_B
    simpul assess report RUN_ID --format html --output laporan.html

The CLI is trusted and local: it acts as admin and records its runs as ``cli:<os user>``. An application whose id
is also a sub-command name is assessed with ``simpul assess run <id>``.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from hub.assessment import RunComparison, Status, load_catalog
from hub.assessment.models import PREFIX_OF, STANDARDS
from hub.assessment.render import FORMATS, render, status_label
from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import SimpulError, UsageError
from hub.i18n import fmt_datetime, fmt_number
from hub.services.assessments import EXTENSIONS, AssessmentService, ProbeOptions, run_of
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from registry.assessments import RunRecord


def probe_options() -> ProbeOptions:
    """Seams of the probes (tests replace this function with small limits and an in-process transport)."""
    return ProbeOptions()


def _service() -> AssessmentService:
    return AssessmentService(get_database(), Principal.cli(), lang(), options=probe_options())


class _AssessGroup(TyperGroup):
    """``simpul assess APP...`` runs the assessment; a first word that names a sub-command runs that one."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("--help", "-h")):
            args = ["run", *args]
        return super().parse_args(ctx, args)


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def _level(record: RunRecord, language: str) -> str:
    if not record.measured:
        return msg("assessment.level.not_measured")
    names = {lv.level: lv.name.get(language) for lv in load_catalog().levels}
    maturity = (record.result or {}).get("maturity") or {}
    provisional = f" ({msg('assessment.level.provisional_short')})" if maturity.get("provisional") else ""
    return f"{record.level} {names.get(record.level, '')}{provisional}".strip()


def _print_not_measured(records: list[RunRecord], language: str) -> None:
    missing = [r for r in records if not r.measured]
    if not missing:
        return
    console.print(msg("assessment_service.cli.not_measured_head", count=len(missing), total=len(records)),
                  highlight=False)
    for r in missing:
        why = (r.not_measured or {}).get(language) or "-"
        console.print(f"  {r.app_id}: {why}", highlight=False, markup=False, soft_wrap=True)


def _runs_table(records: list[RunRecord], language: str, title: str | None = None, history: bool = False,
                with_app: bool = False) -> Table:
    table = Table(title=title, title_justify="left")
    if history:
        table.add_column(msg("assessment_service.cli.col_run"), no_wrap=True)
        if with_app:
            table.add_column(msg("assessment_service.cli.col_app"), no_wrap=True)
        table.add_column(msg("assessment_service.cli.col_when"), no_wrap=True)
        table.add_column(msg("assessment_service.cli.col_trigger"))
    else:
        table.add_column(msg("assessment_service.cli.col_app"), no_wrap=True)
    table.add_column(msg("assessment_service.cli.col_level"), no_wrap=True)
    table.add_column(msg("assessment_service.cli.col_overall"), justify="right")
    for key in STANDARDS:
        table.add_column(PREFIX_OF[key], justify="right")
    table.add_column(msg("assessment_service.cli.col_failed"), justify="right")
    table.add_column(status_label(Status.ERROR, language), justify="right")
    inconclusive = any(r.counts.get("inconclusive", 0) for r in records)  # shown when a run has one
    if inconclusive:
        table.add_column(status_label(Status.INCONCLUSIVE, language), justify="right")
    if not history:
        table.add_column(msg("assessment_service.cli.col_run"), no_wrap=True)
    for r in records:
        failed = r.counts.get("fail", 0)
        cells = [_level(r, language), _score(r.overall_score), *[_score(r.scores.get(k)) for k in STANDARDS],
                 f"[red]{failed}[/]" if failed else "0", str(r.counts.get("error", 0)),
                 *([str(r.counts.get("inconclusive", 0))] if inconclusive else [])]
        if history:
            when = fmt_datetime(r.created_at, language)
            table.add_row(r.run_id[:12], *([r.app_id] if with_app else []), when, f"{r.trigger} ({r.actor})", *cells)
        else:
            table.add_row(r.app_id, *cells, r.run_id[:12])
    return table


def _summary_json(records: list[RunRecord], language: str) -> str:
    names = {lv.level: lv.name.get(language) for lv in load_catalog().levels}
    items = [{**r.model_dump(mode="json", exclude={"result"}), "measured": r.measured,
              "level_name": names.get(r.level, "") if r.measured else msg("assessment.level.not_measured"),
              "failed": [c["check_id"] for c in (r.result or {}).get("results", []) if c.get("status") == "fail"]}
             for r in records]
    return json.dumps(items, ensure_ascii=False, indent=2)


def _report_formats(value: str) -> list[str]:
    chosen = [f.strip() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise UsageError("assessment_service.cli.format_unknown", format=", ".join(unknown) or value,
                         known=", ".join(FORMATS))
    return list(dict.fromkeys(chosen))


def _write_reports(records: list[RunRecord], folder: Path, formats: list[str], language: str) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for record in records:
        run = run_of(record)
        for fmt in formats:
            content = render(run, fmt, language)
            path = folder / f"{record.app_id}-{record.run_id[:8]}.{EXTENSIONS[fmt]}"
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")
            count += 1
    return count


def _assess(apps: list[str] | None, fmt: str, openapi: str | None = None) -> list[RunRecord]:
    service = _service()
    if openapi:
        service.options.openapi = dict.fromkeys(apps or [], openapi)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[check]}"), TimeElapsedColumn())
    with Progress(*columns, console=err_console, transient=True, disable=fmt == "json") as bar:
        tasks: dict[str, TaskID] = {}

        def progress(app_id: str, done: int, total: int, check_id: str) -> None:
            if app_id not in tasks:
                tasks[app_id] = bar.add_task(app_id, total=total, check="")
            bar.update(tasks[app_id], completed=done, total=total, check=check_id)

        return asyncio.run(service.assess_applications(apps, trigger="cli", progress=progress))


def _parse_evidence(values: list[str]) -> list[dict[str, str]]:
    out = []
    for raw in values:
        title, _, rest = raw.partition("|")
        where, _, note = rest.partition("|")
        if not title.strip():
            raise UsageError("assessment_service.cli.evidence_invalid", value=raw[:80])
        item = {"title": title.strip()}
        where = where.strip()
        if where:
            item["url" if where.startswith(("http://", "https://")) else "file_name"] = where
        if note.strip():
            item["note"] = note.strip()
        out.append(item)
    return out


def _print_comparison(comparison: RunComparison, language: str) -> None:
    def delta(value: float | None) -> str:
        return "–" if value is None else ("+" if value > 0 else "") + fmt_number(value, language, min_digits=1)

    console.print(msg("assessment_service.cli.compare_head", run_a=comparison.run_a[:12], run_b=comparison.run_b[:12],
                      delta=delta(comparison.overall_delta), level_before=comparison.level_before,
                      level_after=comparison.level_after), highlight=False)
    console.print("  ".join(f"{PREFIX_OF[k]} {delta(v)}" for k, v in comparison.score_deltas.items()),
                  highlight=False)
    if not comparison.changed:
        console.print(msg("assessment_service.cli.no_changes"))
        return
    table = Table()
    for key in ("col_check", "col_before", "col_after"):
        table.add_column(msg(f"assessment_service.cli.{key}"))
    for change in comparison.changed:
        table.add_row(change.check_id, status_label(change.before, language) if change.before else "–",
                      status_label(change.after, language) if change.after else "–")
    console.print(table)


def register(app: typer.Typer) -> None:
    group = typer.Typer(cls=_AssessGroup, help="Nilai aplikasi terdaftar terhadap lima standar / assess registered "
                                                "applications against the five standards.")
    app.add_typer(group, name="assess")

    @group.command("run")
    def run_(
        apps: list[str] = typer.Argument(None, help="Id aplikasi di registri / application ids"),
        all_: bool = typer.Option(False, "--all", help="Semua aplikasi yang tidak pensiun / every one not retired"),
        fmt: str = typer.Option("text", "--format", help="text | json"),
        report_dir: Path | None = typer.Option(None, "--report-dir", help="Folder laporan / report folder"),
        report_format: str = typer.Option("html", "--report-format", help="html,json,junit,xlsx (dipisah koma)"),
        openapi: str | None = typer.Option(None, "--openapi", help="Deskripsi OpenAPI: URL atau berkas lokal, "
                                           "untuk satu aplikasi / OpenAPI description: URL or local file"),
    ) -> None:
        """Nilai aplikasi (APP... atau --all) dan simpan hasilnya / assess applications and store the runs."""
        language = lang()
        try:
            if bool(apps) == all_:
                raise UsageError("assessment_service.cli.apps_or_all")
            if fmt not in ("text", "json"):
                raise UsageError("assessment_service.cli.format_unknown", format=fmt, known="text, json")
            if openapi and (all_ or len(apps) != 1):
                raise UsageError("assessment_service.cli.openapi_one_app")
            formats = _report_formats(report_format) if report_dir else []
            records = _assess(None if all_ else list(apps), fmt, openapi)
        except SimpulError as err:
            raise fail(err) from None
        if not records:
            err_console.print(msg("assessment_service.cli.no_apps"))
            raise typer.Exit(0)
        if fmt == "json":
            typer.echo(_summary_json(records, language))
        else:
            console.print(_runs_table(records, language, msg("assessment_service.cli.summary_title")))
            _print_not_measured(records, language)
        if report_dir is not None:
            count = _write_reports(records, report_dir, formats, language)
            err_console.print(msg("assessment_service.cli.reports_written", count=count, path=str(report_dir)))
        failed = sum(1 for r in records if r.counts.get("fail", 0))
        out = err_console if fmt == "json" else console
        out.print(msg("assessment_service.cli.verdict_fail", count=failed) if failed
                  else msg("assessment_service.cli.verdict_ok"))
        raise typer.Exit(1 if failed else 0)

    @group.command("answer")
    def answer(
        app_id: str = typer.Argument(..., help="Id aplikasi / application id"),
        check_id: str = typer.Argument(..., help="Pemeriksaan manual, mis. SCA-005 / manual check"),
        value: str = typer.Option(..., "--answer", help="pass | fail | not_applicable"),
        evidence: list[str] = typer.Option([], "--evidence", help="'judul|url atau berkas|catatan' (boleh diulang)"),
        by: str = typer.Option(..., "--by", help="Nama auditor / auditor's name"),
        note: str | None = typer.Option(None, "--note", help="Catatan / note"),
    ) -> None:
        """Jawab pemeriksaan manual; hasil terakhir dinilai ulang / answer a manual check and re-score."""
        language = lang()
        if value not in ("pass", "fail", "not_applicable"):
            raise fail(UsageError("assessment_service.cli.format_unknown", format=value,
                                  known="pass, fail, not_applicable"))
        try:
            outcome = _service().answer(app_id, check_id, value, _parse_evidence(evidence), answered_by=by,
                                        note=note)
        except SimpulError as err:
            for item in err.extra.get("errors") or []:
                err_console.print(f"  {item.get('field')}: {item.get('message')}", highlight=False, markup=False)
            raise fail(err) from None
        console.print(msg("assessment_service.cli.answer_saved", check_id=check_id, app=app_id,
                          answer=status_label(Status(value), language)), highlight=False)
        if outcome.run is None or outcome.previous is None:
            console.print(msg("assessment_service.cli.no_run_yet", app=app_id))
            return
        console.print(msg("assessment_service.cli.score_change", before=_score(outcome.previous.overall_score),
                          after=_score(outcome.run.overall_score), level_before=outcome.previous.level,
                          level_after=outcome.run.level, run=outcome.run.run_id[:12],
                          based_on=outcome.previous.run_id[:12]), highlight=False)
        console.print(_runs_table([outcome.previous, outcome.run], language, history=True))

    @group.command("runs")
    def runs(
        app_id: str | None = typer.Argument(None, help="Id aplikasi (kosong = semua) / application id"),
        limit: int = typer.Option(20, "--limit", min=1, max=500),
        cursor: str | None = typer.Option(None, "--cursor", help="Halaman berikutnya / next page"),
        fmt: str = typer.Option("text", "--format", help="text | json"),
    ) -> None:
        """Riwayat hasil penilaian, terbaru dulu / stored runs, newest first."""
        language = lang()
        try:
            page = _service().list_runs(app_id, limit=limit, cursor=cursor)
        except SimpulError as err:
            raise fail(err) from None
        if fmt == "json":
            typer.echo(json.dumps(page.model_dump(mode="json"), ensure_ascii=False, indent=2))
            return
        if not page.items:
            console.print(msg("assessment_service.cli.no_runs", app=app_id or "-"))
            return
        console.print(_runs_table(page.items, language, app_id, history=True, with_app=True))
        if page.next_cursor:
            console.print(msg("assessment_service.cli.more_runs", cursor=page.next_cursor), highlight=False)

    @group.command("compare")
    def compare_(
        run_a: str = typer.Argument(..., help="Run sebelum / earlier run"),
        run_b: str = typer.Argument(..., help="Run sesudah / later run"),
        fmt: str = typer.Option("text", "--format", help="text | json"),
    ) -> None:
        """Bandingkan dua hasil penilaian / compare two runs."""
        try:
            service = _service()
            apps = (service.run(run_a).target.app_id, service.run(run_b).target.app_id)
            if apps[0] != apps[1]:  # a comparison shows how one application changed
                raise UsageError("assessment_service.cli.compare_two_apps", run_a=run_a, run_b=run_b,
                                 app_a=apps[0], app_b=apps[1])
            comparison = service.compare_runs(run_a, run_b)
        except SimpulError as err:
            raise fail(err) from None
        if fmt == "json":
            typer.echo(comparison.model_dump_json(indent=2))
            return
        _print_comparison(comparison, lang())

    @group.command("report")
    def report(
        run_id: str = typer.Argument(..., help="Id run / run id"),
        fmt: str = typer.Option("html", "--format", help="html | json | junit | xlsx"),
        output: Path | None = typer.Option(None, "--output", "-o", help="Berkas laporan / report file"),
    ) -> None:
        """Tulis laporan satu hasil penilaian / write the report of one run."""
        try:
            if fmt not in FORMATS:
                raise UsageError("assessment_service.cli.format_unknown", format=fmt, known=", ".join(FORMATS))
            if fmt == "xlsx" and output is None:
                raise UsageError("assessment_service.cli.output_required", format=fmt)
            found = _service().report(run_id, fmt, lang())
        except SimpulError as err:
            raise fail(err) from None
        if output is None:
            typer.echo(found.content.decode("utf-8"))
            return
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(found.content)
        err_console.print(msg("assessment_service.cli.written", path=str(output)))
