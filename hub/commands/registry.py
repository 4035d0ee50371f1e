"""``simpul registry import|export|list|show|set|summary``: the application registry from the terminal.

The CLI is trusted and local: it acts as admin, and its writes are recorded as ``cli:<os user>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, label, lang, msg, write_output
from hub.errors import BadRequest, SimpulError
from hub.i18n import fmt_datetime
from hub.logging import mask_text
from hub.services.registry import ApplicationFilter, RegistryService
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from registry.convert import APP_FIELDS, flatten, mask_personal
from registry.io.flat import CellError, parse_cell


def _service() -> RegistryService:
    return RegistryService(get_database(), Principal.cli(), lang(), require_if_match=False)


def _filters(pemda: str | None, opd: str | None, area: list[str] | None, status: list[str] | None,
             kind: list[str] | None, hosting: list[str] | None, connector: str | None, tag: str | None,
             search: str | None) -> ApplicationFilter:
    return ApplicationFilter(kode_pemda=pemda, kode_opd=opd, area=area or [], status=status or [],
                             kind=kind or [], hosting=hosting or [], connector=connector, tag=tag, q=search)


def _error_lines(items: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in items:
        sheet = f"[{item['sheet']}] " if item.get("sheet") else ""
        key = "registry.import.row" if item.get("row") else "registry.import.file"
        lines.append(msg(key, sheet=sheet, row=item.get("row"), column=item.get("field") or "-",
                         message=item["message"]))
    return lines


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Registri aplikasi OPD / the registry of OPD applications.", no_args_is_help=True)
    app.add_typer(group, name="registry")

    pemda_opt = typer.Option(None, "--pemda", help="Kode wilayah, mis. 35.72")
    opd_opt = typer.Option(None, "--opd", help="Kode unit SIPD OPD")
    area_opt = typer.Option(None, "--area", help="Bidang (boleh diulang): perencanaan, keuangan, ...")
    status_opt = typer.Option(None, "--status", help="planned | development | production | retired")
    kind_opt = typer.Option(None, "--kind", help="umum | khusus")
    hosting_opt = typer.Option(None, "--hosting", help="diskominfo_dc | opd_server | cloud | vendor_hosted | national")
    connector_opt = typer.Option(None, "--connector", help="Jenis konektor, 'any' atau 'none'")
    tag_opt = typer.Option(None, "--tag", help="Label")
    search_opt = typer.Option(None, "--search", "-q", help="Teks di nama, deskripsi, label / free text")

    @group.command("import")
    def import_(
        file: Path = typer.Argument(..., help="Berkas .yaml, .csv atau .xlsx / file to import"),
        dry_run: bool = typer.Option(False, "--dry-run", help="Periksa saja, jangan simpan / check only"),
        fmt: str = typer.Option(None, "--format", help="yaml | csv | xlsx (bawaan: dari nama berkas)"),
    ) -> None:
        """Impor registri; semua baris harus valid atau tidak ada yang disimpan / import: all rows or none."""
        if not file.is_file():
            raise fail(BadRequest("error.file_not_found", path=str(file)))
        if fmt and fmt not in ("yaml", "csv", "xlsx"):
            raise fail(BadRequest("registry.import.format_unknown", fmt=fmt))
        try:
            result = _service().import_file(file.read_bytes(), filename=file.name, fmt=fmt, dry_run=dry_run,
                                           base_dir=file.parent.resolve())
        except SimpulError as err:
            for line in _error_lines(err.extra.get("errors") or []):
                err_console.print(line, highlight=False, soft_wrap=True, markup=False)
            raise fail(err) from err
        report = result.report
        if result.errors:  # dry run with errors
            for line in _error_lines(result.errors):
                err_console.print(line, highlight=False, soft_wrap=True, markup=False)
            raise fail(SimpulError("registry.import.dry_run_failed", count=len(result.errors)))
        if dry_run:
            console.print(msg("registry.import.dry_run_ok", rows=report.rows))
        for entity, counts in report.counts.items():
            if any(counts.values()):
                key = "registry.import.plan" if dry_run else "registry.import.done"
                console.print(msg(key, entity=entity, **counts))

    @group.command("export")
    def export(
        fmt: str = typer.Option("yaml", "--format", help="yaml | csv | xlsx"),
        entity: str = typer.Option("applications", "--entity", help="CSV: applications | opd | pemda"),
        output: Path = typer.Option(None, "--output", "-o", help="Berkas tujuan (bawaan: layar, kecuali xlsx)"),
        pemda: str = pemda_opt, opd: str = opd_opt, area: list[str] = area_opt, status: list[str] = status_opt,
    ) -> None:
        """Ekspor registri (dapat diimpor kembali) / export the registry (imports back)."""
        if fmt not in ("yaml", "csv", "xlsx"):
            raise fail(BadRequest("registry.import.format_unknown", fmt=fmt))
        if entity not in ("applications", "opd", "pemda"):
            raise fail(BadRequest("error.bad_request", detail=f"--entity {entity}"))
        if fmt == "xlsx" and output is None:
            output = Path("simpul-registry.xlsx")
        try:
            data = _service().export(fmt, entity, _filters(pemda, opd, area, status, None, None, None, None, None))
        except SimpulError as err:
            raise fail(err) from err
        if output is None:
            sys.stdout.write(data.decode("utf-8"))
            return
        try:
            write_output(output, data)
        except SimpulError as err:
            raise fail(err) from None
        console.print(str(output))

    @group.command("list")
    def list_(
        pemda: str = pemda_opt, opd: str = opd_opt, area: list[str] = area_opt, status: list[str] = status_opt,
        kind: list[str] = kind_opt, hosting: list[str] = hosting_opt, connector: str = connector_opt,
        tag: str = tag_opt, search: str = search_opt,
        sort: str = typer.Option("name", "--sort", help="name | id | updated_at (awali '-' untuk menurun)"),
        limit: int = typer.Option(50, "--limit", min=1, max=500),
        cursor: str = typer.Option(None, "--cursor", help="Halaman berikutnya / next page"),
        as_json: bool = typer.Option(False, "--json", help="Keluaran JSON / JSON output"),
    ) -> None:
        """Daftar aplikasi dengan saringan / list applications with filters."""
        if sort not in ("name", "-name", "id", "-id", "updated_at", "-updated_at"):
            raise fail(BadRequest("error.bad_request", detail=f"--sort {sort}"))
        filters = _filters(pemda, opd, area, status, kind, hosting, connector, tag, search)
        service = _service()
        try:
            page = service.list_applications(filters, sort=sort, limit=limit, cursor=cursor)
            total = service.count_applications(filters)
        except SimpulError as err:
            raise fail(err) from err
        if as_json:
            typer.echo(json.dumps({"items": [a.model_dump(mode="json") for a in page.items],
                                   "next_cursor": page.next_cursor, "total": total}, ensure_ascii=False, indent=2))
            return
        if not page.items:
            console.print(msg("registry.list.none"))
            return
        table = Table(*(msg(f"registry.cli.col.{c}") for c in ("id", "name", "opd", "area", "status", "kind",
                                                                 "hosting", "connector")))
        for a in page.items:
            connector = a.integration.connector.type if a.integration.connector else "-"
            table.add_row(a.id, a.name, a.opd_short_name or a.opd_name or a.kode_opd, a.area, a.status, a.kind,
                          a.hosting.type or "-", connector)
        console.print(table)
        console.print(msg("registry.list.count", shown=len(page.items), total=total))
        if page.next_cursor:
            console.print(msg("registry.list.more", cursor=page.next_cursor), highlight=False)

    @group.command("show")
    def show(
        app_id: str = typer.Argument(..., help="id aplikasi, mis. e-planning"),
        history: bool = typer.Option(False, "--history", help="Tampilkan riwayat perubahan / change history"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Rincian satu aplikasi (dan riwayatnya) / one application (and its history)."""
        service = _service()
        try:
            app = service.get_application(app_id)
            changes = service.history("application", app_id) if history else []
        except SimpulError as err:
            raise fail(err) from err
        if as_json:
            out: dict[str, Any] = {"application": app.model_dump(mode="json")}
            if history:
                out["history"] = [c.model_dump(mode="json") for c in changes]
            typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
            return
        table = Table(msg("registry.cli.col.field"), msg("registry.cli.col.value"), show_header=True)
        for name, value in flatten(app.model_dump(mode="json")).items():
            if value not in (None, [], {}, ""):
                table.add_row(name, _shown(name, value))
        table.add_row("opd_name", app.opd_name or "")
        table.add_row(msg("registry.cli.revision"), str(app.revision))
        table.add_row(msg("registry.cli.updated"),
                      f"{fmt_datetime(app.updated_at, lang())} UTC · {app.updated_by or ''}")
        console.print(table)
        if history:
            _print_history(changes)

    @group.command("set")
    def set_(
        app_id: str = typer.Argument(..., help="id aplikasi"),
        assignments: list[str] = typer.Argument(..., help="KOLOM=NILAI, mis. status=retired 'tags=a; b'"),
    ) -> None:
        """Ubah kolom aplikasi (kosong = hapus) / change fields (empty value = clear)."""
        patch: dict[str, Any] = {}
        for text in assignments:
            field, sep, raw = text.partition("=")
            field = field.strip()
            if not sep or not field:
                raise fail(BadRequest("registry.set.bad_assignment", text=text))
            if field not in APP_FIELDS:
                raise fail(BadRequest("registry.set.unknown_field", field=field, fields=", ".join(APP_FIELDS)))
            try:
                value = parse_cell(field, raw)
            except CellError as exc:
                raise fail(BadRequest("error.bad_request", detail=f"{field}: {str(exc).format(**exc.params)}")) \
                    from exc
            node = patch
            parts = field.split(".")
            for part in parts[:-1]:
                node = node.setdefault(part, {})
            node[parts[-1]] = value
        service = _service()
        try:
            app = service.patch_application(app_id, patch, None)
            last = service.history("application", app_id, limit=1)
        except SimpulError as err:
            items = err.extra.get("errors") or []
            for item in items:
                err_console.print(f"{item['field']}: {item['message']}", highlight=False)
            raise fail(err) from err
        count = len(last[0].changes) if last and last[0].actor == service.principal.actor else 0
        console.print(msg("registry.set.saved", id=app.id, revision=app.revision, count=count))

    @group.command("summary")
    def summary(pemda: str = pemda_opt) -> None:
        """Jumlah aplikasi per bidang, status, jenis, hosting / counts per area, status, kind, hosting."""
        from registry.vocab import vocab

        try:
            data = _service().summary(pemda)
        except SimpulError as err:
            raise fail(err) from err
        table = Table(*(msg(f"registry.cli.col.{c}") for c in ("item", "area", "count")))
        areas = vocab("area")
        table.add_row("8", msg("registry.cli.total"), str(data["total"]))
        for code, count in data["by_area"].items():
            term = areas.get(code)
            item = str(term.extra.get("item") or "-") if term else "-"
            table.add_row(item, areas.label(code, lang()), str(count))
        console.print(table)
        for key in ("by_status", "by_kind", "by_hosting", "by_connector", "by_source_code_held"):
            counts = ", ".join(f"{label('registry.cli.value', k)}={v}" for k, v in data[key].items())
            console.print(f"{msg(f'registry.cli.{key}')}: {counts}", highlight=False)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _shown(field: str, value: Any) -> str:
    return mask_text(_text(mask_personal(field, value)))


def _print_history(changes: list[Any]) -> None:
    """One line per change, newest first (when, who, action), then one indented line per changed field."""
    if not changes:
        console.print(msg("registry.history.none"))
        return
    for c in changes:
        created = bool(c.changes) and all(ch.get("old") is None for ch in c.changes)
        count = f" ({len(c.changes)})" if created else ""
        action = label("registry.history.action", c.action)
        console.print(f"[bold]{c.at:%Y-%m-%d %H:%M:%S} UTC[/]  {c.actor}  {action}{count}", highlight=False)
        if created:
            continue
        for ch in c.changes:
            old = _shown(ch["field"], ch["old"]) if ch["old"] not in (None, "", []) else "∅"
            new = _shown(ch["field"], ch["new"]) if ch["new"] not in (None, "", []) else "∅"
            console.print(f"    {ch['field']}: {old} → {new}", highlight=False, soft_wrap=True)
