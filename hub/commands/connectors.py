"""``simpul connectors list``, ``simpul check``, ``simpul discover``, ``simpul pull``.

APP_OR_SPEC is a spec file (YAML: ``connector: {type, config}``, ``resources: {...}``) or, once the registry
lookup is wired (``hub.services.connections.application_lookup``), the id of an application in the registry.
Exit codes: 0 fine; 1 the application failed (check failed, read stopped) or some records could not be mapped or
validated; 2 usage error (unknown file or resource, invalid spec or configuration).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hub.commands._common import console, err_console, fail, label, lang, msg, run_connector
from hub.errors import BadRequest, SimpulError
from hub.services import connections

APP_HELP = "Berkas spesifikasi YAML atau id aplikasi / spec YAML file or application id"


def _text(message: dict[str, str]) -> str:
    return message.get(lang()) or message.get("id") or ""


def _config_summary(schema: dict[str, Any]) -> str:
    required = set(schema.get("required") or [])
    names = [f"{n}*" if n in required else n for n in (schema.get("properties") or {})]
    return ", ".join(names)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Konektor ke aplikasi OPD / connectors to OPD applications", no_args_is_help=True)
    app.add_typer(group, name="connectors")

    @group.command("list")
    def list_connectors(
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON (skema konfigurasi lengkap) / JSON output"),
    ) -> None:
        """Daftar jenis konektor bawaan dan plug-in / built-in and plug-in connector types."""
        from connectors import available, plugin_problems
        from connectors.connector_types import origin_of

        types = available()
        if as_json:
            typer.echo(json.dumps({name: {**cls.spec(), "origin": origin_of(name)} for name, cls in types.items()},
                                  indent=2, ensure_ascii=False))
            return
        table = Table(title=msg("connectors.list.title"), show_lines=True)
        for key in ("type", "name", "origin", "abilities", "config"):
            table.add_column(msg(f"connectors.list.{key}"), overflow="fold")
        for name, cls in types.items():
            spec = cls.spec()
            abilities = ", ".join(label("connectors.list.ability", a) for a, on in (
                ("read", True), ("since", cls.supports_since), ("write", cls.supports_write)) if on)
            table.add_row(name, _text(cls.title), label("connectors.list.origin_of", origin_of(name)), abilities,
                          _config_summary(spec["config"]))
        console.print(table)
        for name, detail in plugin_problems().items():
            err_console.print(msg("connectors.list.broken", name=name, detail=detail), highlight=False)

    @app.command("check")
    def check(
        target: str = typer.Argument(..., metavar="APP_OR_SPEC", help=APP_HELP),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Apakah aplikasi dapat dijangkau, menerima kredensial, dan seberapa cepat / reachable, authenticated, fast?"""
        spec = _spec(target)
        result = run_connector(connections.check(spec))
        if as_json:
            typer.echo(result.model_dump_json(indent=2))
        else:
            style, word = ("green", "connectors.check.ok") if result.ok else ("red", "connectors.check.failed")
            latency = f" ({result.latency_ms:.0f} ms)" if result.latency_ms is not None else ""
            console.print(f"[bold {style}]{msg(word)}[/] {spec.name}{latency}: {_text(result.message)}",
                          highlight=False, soft_wrap=True)
        raise typer.Exit(0 if result.ok else 1)

    @app.command("discover")
    def discover(
        target: str = typer.Argument(..., metavar="APP_OR_SPEC", help=APP_HELP),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Sumber data yang ditawarkan aplikasi, field-nya, dan skema kanoniknya / resources, fields, schemas."""
        spec = _spec(target)
        infos = run_connector(connections.discover(spec))
        if as_json:
            typer.echo(json.dumps([i.model_dump(mode="json", by_alias=True) for i in infos], indent=2,
                                  ensure_ascii=False))
            return
        if not infos:
            console.print(msg("connectors.discover.none"))
            return
        table = Table(title=msg("connectors.discover.title", app=spec.name), show_lines=True)
        for key in ("resource", "schema", "paging", "since"):
            table.add_column(msg(f"connectors.discover.{key}"), no_wrap=True)
        table.add_column(msg("connectors.discover.fields"), ratio=1)
        for info in infos:
            fields = ", ".join(f.name for f in info.fields[:25]) + (" …" if len(info.fields) > 25 else "")
            table.add_row(info.name, info.schema_key or "-", info.pagination or "-",
                          "✓" if info.supports_since else "-", fields or "-")
        console.print(table)

    @app.command("pull")
    def pull(
        target: str = typer.Argument(..., metavar="APP_OR_SPEC", help=APP_HELP),
        resource: str = typer.Argument(..., help="Nama sumber data / resource name"),
        since: str | None = typer.Option(None, "--since", help="Hanya yang berubah sejak (ISO 8601) / changed since"),
        out: Path | None = typer.Option(None, "--out", "-o",
                                        help="Tulis data kanonik yang valid ke NDJSON / write valid records as NDJSON"),
        limit: int | None = typer.Option(None, "--limit", min=1, help="Paling banyak N data / at most N records"),
        raw: bool = typer.Option(False, "--raw", help="Tulis data mentah, bukan hasil pemetaan / write raw records"),
        as_json: bool = typer.Option(False, "--json", help="Ringkasan JSON / JSON summary"),
    ) -> None:
        """Tarik data: baca → petakan → validasi / pull records: read → map → validate."""
        spec = _spec(target)
        stats = connections.PullStats(resource=resource)
        written = run_connector(_pull(spec, resource, since, out, limit, raw, stats, quiet=as_json))
        if as_json:
            typer.echo(json.dumps({**stats.as_dict(), "written": written, "out": str(out) if out else None},
                                  ensure_ascii=False, indent=2))
            raise typer.Exit(1 if stats.unmapped or stats.invalid else 0)
        if connections.mapper_for(spec, resource) is None and not stats.schema:
            err_console.print(msg("connectors.pull.no_mapping", resource=resource), highlight=False)
        console.print(msg("connectors.pull.summary", **stats.as_dict()), highlight=False, soft_wrap=True)
        for head, notes in (("connectors.pull.problems", stats.problems),
                            ("connectors.pull.warnings", stats.warning_notes)):
            if not notes:
                continue
            console.print(msg(head), highlight=False)
            for p in notes:
                console.print(msg("connectors.pull.problem_line", record=p["record"],
                                  kind=msg(f"connectors.pull.kind.{p['kind']}"), message=_text(p["message"])),
                              highlight=False, soft_wrap=True)
        if out is not None:
            console.print(msg("connectors.pull.written", count=written, path=str(out)), highlight=False,
                          soft_wrap=True)
        raise typer.Exit(1 if stats.unmapped or stats.invalid else 0)


def _spec(target: str) -> connections.ConnectionSpec:
    try:
        return connections.resolve(target)
    except SimpulError as err:
        raise fail(err) from None


async def _pull(spec: connections.ConnectionSpec, resource: str, since: str | None, out: Path | None,
                limit: int | None, raw: bool, stats: connections.PullStats, quiet: bool = False) -> int:
    handle = None
    if out is not None:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = out.open("w", encoding="utf-8")
        except OSError as exc:
            raise BadRequest("connectors.pull.unwritable", path=str(out), detail=exc.strerror or str(exc)) from None
    written = 0
    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed} rec"),
               TimeElapsedColumn())
    try:
        with Progress(*columns, console=err_console, transient=True, disable=quiet) as progress:
            task = progress.add_task(msg("connectors.pull.progress", resource=resource, app=spec.name), total=limit)
            async for item in connections.pull(spec, resource, since=since, limit=limit, stats=stats):
                progress.update(task, completed=stats.read)
                document = item.raw if raw else item.record
                if not raw and item.validation is not None and not item.validation.valid:
                    document = None  # only canonical records that passed validation are written
                if handle is not None and document is not None:
                    handle.write(json.dumps(document, ensure_ascii=False, default=_json_default) + "\n")
                    written += 1
    finally:
        if handle is not None:
            handle.close()
    return written
