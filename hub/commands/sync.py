"""``simpul sync APP|--all``: pull → map → validate → store (with provenance, quarantine and outbox), in this
process; ``simpul sync APP --queue`` hands it to the workers instead (hub/commands/worker.py)."""

from __future__ import annotations

import asyncio
import json

import typer
from rich.table import Table

from hub.commands._common import console, fail, label, lang, msg
from hub.errors import SimpulError, UsageError
from hub.i18n import fmt_datetime, fmt_number


def _run_sync(target: str | None, all_apps: bool, resources: list[str] | None, full: bool,
              limit: int | None) -> list:
    from hub.exchange.sync import sync_all, sync_app
    from hub.services.connections import shutdown

    async def go() -> list:
        try:
            if all_apps:
                return await sync_all(full=full, actor="cli:sync")
            return await sync_app(target or "", resources=resources, full=full, limit=limit, actor="cli:sync")
        finally:
            await shutdown()

    return asyncio.run(go())


def register(app: typer.Typer) -> None:
    @app.command("sync")
    def sync(
        target: str = typer.Argument(None, help="Id aplikasi di registri atau berkas spesifikasi / app id or spec"),
        all_apps: bool = typer.Option(False, "--all", help="Semua aplikasi yang punya sumber data / all apps"),
        resource: list[str] = typer.Option(None, "--resource", "-r", help="Hanya sumber data ini / only these"),
        full: bool = typer.Option(False, "--full", help="Abaikan kursor, baca semua / ignore the cursor"),
        limit: int = typer.Option(None, "--limit", help="Paling banyak N data (kursor tidak maju) / at most N"),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
        queued: bool = typer.Option(False, "--queue", help="Serahkan ke pekerja (simpul worker) / hand it to "
                                                           "the workers"),
    ) -> None:
        """Sinkronkan data aplikasi ke data kanonik / sync an application's data into canonical records."""
        if not target and not all_apps:
            raise fail(UsageError("exchange.cli.target_needed"))
        if queued:
            from hub.commands.worker import queue_syncs

            queue_syncs(target, all_apps, resource or None, full, as_json)
            return
        try:
            results = _run_sync(target, all_apps, resource or None, full, limit)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
        else:
            for r in results:
                console.print(msg("exchange.cli.sync_done", app=r.app, resource=r.resource,
                                  status=label("exchange.cli.sync_status", r.status),
                                  **r.counts.as_dict()), highlight=False)
                if r.warnings:
                    console.print("  " + msg("exchange.cli.sync_warnings", count=r.warnings), style="yellow",
                                  highlight=False)
                    for note in r.warning_notes:
                        text = (note.get("message") or {}).get(lang()) or (note.get("message") or {}).get("id", "")
                        console.print(f"    {msg('exchange.cli.sync_warning_line', record=note['record'])} "
                                      f"{text}", highlight=False, markup=False, soft_wrap=True)
                if r.error:
                    console.print("  " + msg("exchange.cli.sync_failed", error=r.error), style="red", highlight=False)
        if any(r.status != "ok" or r.counts.invalid for r in results):
            raise typer.Exit(1)

    @app.command("sync-status")
    def sync_status() -> None:
        """Kursor sinkronisasi per aplikasi/sumber data / sync cursors per application and resource."""
        from hub.exchange.store import list_cursors
        from hub.services.registry_db import get_database

        try:
            rows = list_cursors(get_database())
        except SimpulError as err:
            raise fail(err) from None
        table = Table(*(msg(f"exchange.cli.col.{c}") for c in ("app", "resource", "since", "last_run", "status",
                                                                 "counts")))
        for r in rows:
            table.add_row(r.app, r.resource, r.since or "-", fmt_datetime(r.last_run_at, lang()),
                          label("exchange.cli.sync_status", r.last_status) if r.last_status else "-",
                          ", ".join(f"{label('exchange.cli.count', k)} {fmt_number(v, lang())}"
                                    for k, v in (r.last_counts or {}).items()))
        console.print(table)
