"""``simpul schedules``: re-assessment and sync on a cron schedule kept in the database (fired by the workers).

    simpul schedules add --kind assess --area keuangan --cron "0 2 * * 1" --note "Senin dini hari"
    simpul schedules add --kind sync --app e-planning --cron "*/15 7-17 * * 1-5"
    simpul schedules list
    simpul schedules set SCHEDULE_ID --cron "0 3 * * *" --disable
    simpul schedules next "0 2 * * 1" --timezone Asia/Makassar
    simpul schedules remove SCHEDULE_ID
    simpul schedules run-due            # fire what is due now, here (cron job or a test without workers)
"""

from __future__ import annotations

import asyncio
import json

import typer
from rich.table import Table

from hub.commands._common import console, fail, lang, msg
from hub.errors import SimpulError, UsageError
from hub.services.schedules import ScheduleIn, ScheduleOut, ScheduleService, ScheduleUpdate


def _service() -> ScheduleService:
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    return ScheduleService(get_database(), Principal.cli(), lang())


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M %Z") if hasattr(value, "strftime") else "-"  # type: ignore[union-attr]


def _saved(s: ScheduleOut) -> None:
    console.print(msg("queue.cli.schedule_saved", id=s.id, kind=s.kind, scope=s.scope, target=s.target or "",
                      cron=s.cron, timezone=s.timezone, next=_when(s.next_run_at)), highlight=False)


def _print_errors(err: SimpulError) -> None:
    from hub.commands._common import err_console

    for item in err.extra.get("errors") or []:
        if item.get("field") and item.get("field") not in ("cron", "timezone", "target"):
            err_console.print(f"  {item.get('field')}: {item.get('message')}", highlight=False, markup=False)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Jadwal penilaian ulang dan sinkronisasi / re-assessment and sync schedules.")
    app.add_typer(group, name="schedules")

    @group.command("list")
    def list_(
        kind: str = typer.Option(None, "--kind", help="assess | sync | federation-pull"),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Semua jadwal dengan waktu berikutnya / every schedule with its next run."""
        try:
            found = _service().list(kind)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(json.dumps([s.model_dump(mode="json") for s in found], ensure_ascii=False, indent=2))
            return
        if not found:
            console.print(msg("queue.cli.no_schedules"), highlight=False)
            return
        table = Table("id", "kind", "scope", "target", "cron", "timezone", "on", "next", "last")
        for s in found:
            table.add_row(s.id, s.kind, s.scope, s.target or "-", s.cron, s.timezone, "✓" if s.enabled else "-",
                          _when(s.next_run_at), _when(s.last_run_at))
        console.print(table)

    @group.command("add")
    def add(
        kind: str = typer.Option(..., "--kind", help="assess (penilaian ulang) | sync (sinkronisasi) | "
                                                     "federation-pull (tarik Simpul kabupaten/kota, --all)"),
        cron: str = typer.Option(..., "--cron", help="menit jam tanggal bulan hari, mis. '0 2 * * 1'"),
        app_id: str = typer.Option(None, "--app", help="Satu aplikasi / one application"),
        area: str = typer.Option(None, "--area", help="Semua aplikasi satu area / every application of an area"),
        all_: bool = typer.Option(False, "--all", help="Semua aplikasi / every application"),
        timezone: str = typer.Option(None, "--timezone", help="Asia/Jakarta (WIB, bawaan), Asia/Makassar, ..."),
        note: str = typer.Option(None, "--note", help="Catatan / note"),
        disabled: bool = typer.Option(False, "--disabled", help="Simpan nonaktif / store it disabled"),
    ) -> None:
        """Buat jadwal / create a schedule."""
        try:
            if sum(bool(x) for x in (app_id, area, all_)) != 1:
                raise UsageError("queue.cli.scope_one")
            if kind not in ("assess", "sync", "federation-pull"):
                raise UsageError("assessment_service.cli.format_unknown", format=kind,
                                 known="assess, sync, federation-pull")
            scope = "app" if app_id else "area" if area else "all"
            body = ScheduleIn(kind=kind, scope=scope, target=app_id or area, cron=cron,  # type: ignore[arg-type]
                              timezone=timezone, note=note, enabled=not disabled)
            _saved(_service().create(body))
        except SimpulError as err:
            _print_errors(err)
            raise fail(err) from None

    @group.command("set")
    def set_(
        schedule_id: str = typer.Argument(..., help="Id jadwal / schedule id"),
        cron: str = typer.Option(None, "--cron"),
        timezone: str = typer.Option(None, "--timezone"),
        note: str = typer.Option(None, "--note"),
        enable: bool = typer.Option(None, "--enable/--disable", help="Aktifkan/nonaktifkan / enable or disable"),
    ) -> None:
        """Ubah jadwal / change a schedule."""
        try:
            _saved(_service().update(schedule_id, ScheduleUpdate(cron=cron, timezone=timezone, note=note,
                                                                 enabled=enable)))
        except SimpulError as err:
            raise fail(err) from None

    @group.command("show")
    def show(schedule_id: str = typer.Argument(..., help="Id jadwal / schedule id")) -> None:
        """Satu jadwal (JSON) / one schedule (JSON)."""
        try:
            found = _service().get(schedule_id)
        except SimpulError as err:
            raise fail(err) from None
        typer.echo(found.model_dump_json(indent=2))

    @group.command("remove")
    def remove(schedule_id: str = typer.Argument(..., help="Id jadwal / schedule id")) -> None:
        """Hapus jadwal / delete a schedule."""
        try:
            _service().delete(schedule_id)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("queue.cli.schedule_deleted", id=schedule_id), highlight=False)

    @group.command("next")
    def next_(
        cron: str = typer.Argument(..., help="Ekspresi cron / cron expression"),
        timezone: str = typer.Option(None, "--timezone"),
        count: int = typer.Option(5, "--count", min=1, max=50),
    ) -> None:
        """Waktu-waktu berikutnya sebuah ekspresi cron / the next firings of a cron expression."""
        try:
            times = _service().preview(cron, timezone, count)
        except SimpulError as err:
            raise fail(err) from None
        for when in times:
            console.print(when.strftime("%a %Y-%m-%d %H:%M %Z"), highlight=False)

    @group.command("run-due")
    def run_due() -> None:
        """Jalankan jadwal yang jatuh tempo sekarang / fire the schedules due now."""
        from hub.queue.runtime import Runtime

        service = _service()

        async def go() -> int:
            from hub.services.schedules import fire_due

            runtime = Runtime(service.db)
            local = not runtime.queue.distributed
            try:
                if local:
                    await runtime.start(maintenance=False)
                fired = await fire_due(service.db, runtime.queue)
                if local:
                    await _drain_local(runtime)
                return len(fired)
            finally:
                await runtime.stop()

        try:
            count = asyncio.run(go())
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("queue.cli.fired", count=count), highlight=False)


async def _drain_local(runtime, timeout_s: float = 3600) -> None:  # type: ignore[no-untyped-def]
    """SQLite: wait until this process's in-memory queue has nothing waiting or running."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    connector = runtime.queue.app.connector
    while loop.time() < deadline:
        if not any(j["status"] in ("todo", "doing") for j in connector.jobs.values()):
            return
        await asyncio.sleep(0.2)

