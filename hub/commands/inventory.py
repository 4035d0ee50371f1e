"""``simpul inventory`` and ``simpul monev``: the gap inventory of a Pemda and the quarterly Monev worksheet.

    simpul inventory --pemda 35.72 --runs runs/ --format docx --out iv-c.docx
    simpul monev --before runs/2025-q1 --after runs/2025-q2 --format xlsx

Runs are assessment runs saved as JSON (one ``AssessmentRun`` per file; a folder is read recursively; the latest
run of each application counts). The CLI reads the registry as admin (it is local and trusted).
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from pydantic import ValidationError
from rich.table import Table

from hub.assessment.models import AssessmentRun
from hub.commands._common import console, err_console, fail, lang, msg, write_output
from hub.errors import BadRequest, SimpulError
from hub.inventory import build_inventory, load_inputs, load_weights, monev, render_inventory, render_monev
from hub.inventory.config import InventoryConfigError
from hub.inventory.costs import load_costs
from hub.inventory.monev import check_period
from hub.inventory.render import EXTENSIONS, FORMATS
from hub.services.registry import RegistryService
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from hub.settings import get_settings


def read_runs(paths: list[Path]) -> dict[str, AssessmentRun]:
    """``app_id -> latest run`` from JSON files or folders of them."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(path.rglob("*.json"))
        elif path.is_file():
            files.append(path)
        else:
            raise BadRequest("inventory.cli.no_such_path", path=str(path))
    runs: dict[str, AssessmentRun] = {}
    for file in files:
        try:
            run = AssessmentRun.model_validate_json(file.read_bytes())
        except (ValidationError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise BadRequest("inventory.cli.bad_run", path=str(file),
                             detail=str(exc).splitlines()[0][:200]) from exc
        app_id = run.target.app_id
        if app_id not in runs or run.finished_at > runs[app_id].finished_at:
            runs[app_id] = run
    return runs


def _end_of(day: date) -> datetime:
    return datetime.combine(day, datetime.max.time(), tzinfo=UTC)


def stored_snapshot(as_of: datetime | None = None) -> dict[str, AssessmentRun]:
    """The latest assessment run of each application stored in the database (at or before ``as_of``)."""
    from hub.services.assessments import AssessmentService

    return AssessmentService(get_database(), Principal.cli(), lang()).snapshot(as_of)


def snapshot_moment(value: str) -> date | None:
    """The day a snapshot named on the command line stands for (None for a file or folder of runs)."""
    if value.lower() in ("now", "latest", "terbaru"):
        return datetime.now(UTC).date()
    if Path(value).exists():
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def resolve_snapshot(value: str) -> dict[str, AssessmentRun]:
    """A snapshot named on the command line: ``now``, a date or timestamp (stored runs), or a JSON file/folder."""
    if value.lower() in ("now", "latest", "terbaru"):
        return stored_snapshot()
    path = Path(value)
    if path.exists():
        return read_runs([path])
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise BadRequest("inventory.cli.bad_snapshot", value=value) from exc
    if len(value) == 10:  # a plain date: the end of that day
        return stored_snapshot(_end_of(moment.date()))
    return stored_snapshot(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def _write(data: bytes | str, out: Path | None, default_name: str) -> Path | None:
    if out is not None and str(out) == "-":
        if isinstance(data, bytes):
            raise BadRequest("inventory.cli.binary_stdout")
        sys.stdout.write(data)
        return None
    target = out or get_settings().output_dir / default_name
    write_output(target, data if isinstance(data, bytes) else data.encode("utf-8"))
    return target


def _fmt(value: str) -> str:
    if value not in FORMATS:
        raise BadRequest("inventory.unknown_format", format=value, formats=", ".join(FORMATS))
    return value


def register(app: typer.Typer) -> None:
    @app.command("inventory")
    def inventory(
        pemda: str = typer.Option(..., "--pemda", help="Kode wilayah, mis. 35.72"),
        runs: list[Path] = typer.Option(None, "--runs", help="Berkas/folder JSON hasil penilaian (boleh diulang)"),
        before: list[Path] = typer.Option(None, "--before", help="Hasil penilaian sebelumnya: tambah kertas kerja "
                                                                 "Monev"),
        fmt: str = typer.Option("md", "--format", "-f", help="md | html | xlsx | docx | pdf | json"),
        out: Path = typer.Option(None, "--out", "-o", help="Berkas keluaran; '-' = stdout (md, html, json)"),
        weights: Path = typer.Option(None, "--weights", help="YAML bobot prioritas (bentuk weights.yaml)"),
        costs: Path = typer.Option(None, "--costs", help="YAML tabel biaya Pemda (bentuk costs.yaml; bawaan: "
                                                         "SIMPUL_COSTS_FILE)"),
        run_link: str = typer.Option(None, "--run-link", help="Tautan bukti ke laporan penilaian, dengan {run_id} "
                                                              "atau {app_id}"),
        as_of: str = typer.Option(None, "--as-of", help="Tanggal acuan YYYY-MM-DD (bawaan: hari ini)"),
    ) -> None:
        """Inventaris kesenjangan aplikasi Pemda (Buku II IV.c) / the gap inventory of a Pemda."""
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise fail(BadRequest("inventory.cli.bad_date", value=as_of)) from exc
        try:
            w = load_weights(weights) if weights else None
        except (InventoryConfigError, OSError) as exc:
            raise fail(BadRequest("inventory.cli.bad_weights", detail=str(exc)[:300])) from exc
        try:
            table = load_costs(costs) if costs else None
        except (InventoryConfigError, OSError) as exc:
            raise fail(BadRequest("inventory.cli.bad_costs", detail=str(exc)[:300])) from exc
        try:
            kind = _fmt(fmt)
            service = RegistryService(get_database(), Principal.cli(), lang())
            inputs = load_inputs(service, pemda)
            current = read_runs(runs) if runs else stored_snapshot(_end_of(day) if day else None)
            inv = build_inventory(inputs.pemda, inputs.opds, inputs.apps, current, lang(), w,
                                  as_of=day, runs_before=read_runs(before) if before else None, costs=table)
            stamp = datetime.now(UTC).strftime("%Y%m%d")
            path = _write(render_inventory(inv, kind, lang(), run_link=run_link), out,
                          f"inventory-{pemda}-{stamp}.{EXTENSIONS[kind]}")
        except SimpulError as err:
            raise fail(err) from err
        if path is None:
            return
        table = Table(show_header=True, header_style="bold")
        for col in ("item", "condition", "outcome", "rule"):
            table.add_column(msg(f"inventory.cli.col.{col}"))
        for line in inv.readiness:
            table.add_row(str(line.item), line.condition.get(lang()), line.outcome, line.rule_id)
        console.print(table)
        console.print(msg("inventory.cli.done", path=str(path), gaps=inv.totals.gaps, programs=len(inv.roadmap.items),
                          quick_wins=inv.totals.quick_wins, assessed=inv.totals.assessed))
        if inv.totals.not_measured:
            console.print(msg("inventory.cli.not_measured", count=len(inv.totals.not_measured)), highlight=False)
            for item in inv.totals.not_measured:
                why = item.reason.get(lang()) if item.reason else "-"
                console.print(f"  {item.app_id}: {why}", highlight=False, markup=False, soft_wrap=True)

    @app.command("monev")
    def monev_cmd(
        snapshots: list[str] = typer.Argument(None, metavar="[SNAPSHOT_A SNAPSHOT_B]",
                                              help="Dua tanggal (YYYY-MM-DD: hasil tersimpan terakhir per tanggal itu; "
                                                   "'now' = terbaru) atau berkas/folder JSON / two dates or run files"),
        before: list[Path] = typer.Option(None, "--before", help="Hasil penilaian periode sebelumnya (JSON)"),
        after: list[Path] = typer.Option(None, "--after", help="Hasil penilaian periode ini (JSON)"),
        fmt: str = typer.Option("md", "--format", "-f", help="md | html | xlsx | docx | pdf | json"),
        out: Path = typer.Option(None, "--out", "-o", help="Berkas keluaran; '-' = stdout (md, html, json)"),
        label_a: str = typer.Option("A", "--label-before", help="Nama periode sebelumnya, mis. 'TW I 2025'"),
        label_b: str = typer.Option("B", "--label-after", help="Nama periode ini, mis. 'TW II 2025'"),
    ) -> None:
        """Kertas kerja Monev (what works / doesn't / should be improved) dari dua set hasil penilaian."""
        try:
            kind = _fmt(fmt)
            if snapshots:
                if len(snapshots) != 2 or before or after:
                    raise BadRequest("inventory.cli.two_snapshots")
                check_period(snapshot_moment(snapshots[0]), snapshot_moment(snapshots[1]))
                runs_a, runs_b = resolve_snapshot(snapshots[0]), resolve_snapshot(snapshots[1])
                label_a = snapshots[0] if label_a == "A" else label_a
                label_b = snapshots[1] if label_b == "B" else label_b
            elif before and after:
                runs_a, runs_b = read_runs(before), read_runs(after)
            else:
                raise BadRequest("inventory.cli.two_snapshots")
            ws = monev(runs_a, runs_b, label_a=label_a, label_b=label_b)
            stamp = datetime.now(UTC).strftime("%Y%m%d")
            path = _write(render_monev(ws, kind, lang()), out, f"monev-{stamp}.{EXTENSIONS[kind]}")
        except SimpulError as err:
            raise fail(err) from err
        for warning in ws.warnings:
            err_console.print(warning.get(lang()), highlight=False, markup=False)
        for entry in ws.not_measured:
            err_console.print(entry.text.get(lang()), highlight=False, markup=False)
        if path is not None:
            console.print(msg("inventory.cli.monev_done", path=str(path), works=len(ws.works),
                              doesnt=len(ws.doesnt_work), improve=len(ws.improve)))
