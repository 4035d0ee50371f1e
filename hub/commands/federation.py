"""``simpul federation``: a provincial Simpul over its kabupaten/kota Simpuls (docs/federation.md).

    simpul federation add "Kota Blitar" --pemda 35.72 --url https://simpul.blitarkota.go.id \
        --key-env SIMPUL_FED_3572_KEY
    simpul federation list
    simpul federation pull [MEMBER ...]          # every member when none is named
    simpul federation status                     # freshness of each copy and the comparison across Pemdas
    simpul federation inventory --pemda 35 --format xlsx --output provinsi.xlsx
    simpul federation remove 35.72
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, label, lang, msg
from hub.errors import SimpulError
from hub.services.federation import FederationService, KeyRef, MemberIn


def _service() -> FederationService:
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    return FederationService(get_database(), Principal.cli(), lang())


def _dump(data: object) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Federasi provinsi / province federation: kabupaten/kota Simpuls read through their API.",
                        no_args_is_help=True)
    app.add_typer(group, name="federation")

    @group.command("add")
    def add(
        name: str = typer.Argument(..., help="Nama Pemda / name, e.g. 'Kota Blitar'"),
        pemda: str = typer.Option(..., "--pemda", help="Kode wilayah, e.g. 35.72"),
        url: str = typer.Option(..., "--url", help="Alamat API Simpul-nya / its Simpul API address"),
        key_env: str = typer.Option(..., "--key-env", help="Variabel lingkungan berisi kuncinya / env var of its key"),
    ) -> None:
        """Tambah anggota / add a member."""
        from pydantic import ValidationError

        from hub.commands.keys import _with_fields
        from hub.services.registry_errors import to_hub
        from registry.errors import InvalidData, field_errors_from_pydantic

        try:
            body = MemberIn(name=name, kode_pemda=pemda, base_url=url, key=KeyRef(env=key_env))
        except ValidationError as exc:
            raise fail(_with_fields(to_hub(InvalidData(field_errors_from_pydantic(exc)), lang()))) from None
        try:
            m = _service().add(body)
        except SimpulError as exc:
            raise fail(_with_fields(exc)) from None
        console.print(msg("federation.cli.added", name=m.name, kode=m.kode_pemda, url=m.base_url, env=m.key_env),
                      highlight=False, soft_wrap=True)

    @group.command("list")
    def list_(fmt: str = typer.Option("text", "--format", help="text | json")) -> None:
        """Daftar anggota dan kesegaran datanya / members and the freshness of their data."""
        try:
            members = _service().list()
        except SimpulError as exc:
            raise fail(exc) from None
        if fmt == "json":
            _dump([m.model_dump(mode="json") for m in members])
            return
        if not members:
            console.print(msg("federation.cli.none"))
            return
        table = Table(*(msg(f"federation.col.{c}") for c in ("kode", "name", "url", "key_env", "status", "age",
                                                             "applications")))
        for m in members:
            table.add_row(m.kode_pemda, m.name, m.base_url, m.key_env, label("federation.status", m.status), m.age,
                          str(m.applications))
        console.print(table)

    @group.command("remove")
    def remove(member: str = typer.Argument(..., help="Kode wilayah atau nama / region code or name")) -> None:
        """Hapus anggota dan salinannya / remove a member and its copies."""
        try:
            m = _service().remove(member)
        except SimpulError as exc:
            raise fail(exc) from None
        console.print(msg("federation.cli.removed", name=m.name, kode=m.kode_pemda))

    @group.command("pull")
    def pull(
        members: list[str] = typer.Argument(None, help="Anggota (bawaan: semua) / members (default: all)"),
        fmt: str = typer.Option("text", "--format", help="text | json"),
    ) -> None:
        """Tarik registri dan hasil penilaian anggota / pull the members' registries and assessment runs."""
        service = _service()
        try:
            results = asyncio.run(service.pull(members or None))
            ages = {m.kode_pemda: m.age for m in service.list()}
        except SimpulError as exc:
            raise fail(exc) from None
        if fmt == "json":
            _dump([r.model_dump(mode="json") for r in results])
        for r in results:
            if fmt == "json":
                continue
            if r.ok:
                console.print(msg("federation.cli.pulled", name=r.name, kode=r.kode_pemda, apps=r.applications,
                                  runs=r.runs, fetched=r.fetched_runs, seconds=r.duration_s), highlight=False)
            else:
                reason = (r.error or {}).get(lang()) or (r.error or {}).get("id", "")
                err_console.print(msg("federation.cli.pull_failed", name=r.name, kode=r.kode_pemda,
                                      age=ages.get(r.kode_pemda, ""), reason=reason), highlight=False, soft_wrap=True)
        failed = sum(1 for r in results if not r.ok)
        if failed:
            err_console.print(msg("federation.cli.some_failed", failed=failed, total=len(results)))
            raise typer.Exit(1)

    @group.command("status")
    def status(fmt: str = typer.Option("text", "--format", help="text | json")) -> None:
        """Kesegaran dan perbandingan antar-Pemda / freshness and the comparison across Pemdas."""
        try:
            comp = _service().comparison()
        except SimpulError as exc:
            raise fail(exc) from None
        if fmt == "json":
            _dump(comp.model_dump(mode="json"))
            return
        if not comp.rows:
            console.print(msg("federation.cli.none"))
            return
        table = Table(*(msg(f"federation.col.{c}") for c in ("kode", "name", "status", "age", "applications",
                                                             "measured", "interoperable", "levels", "standards",
                                                             "gaps")))
        for row in [*comp.rows, comp.total]:
            table.add_row(row.kode_pemda, row.name, label("federation.status", row.status) if row.kode_pemda else "",
                          row.age, str(row.applications), str(row.measured), str(row.interoperable),
                          "/".join(str(row.levels[k]) for k in sorted(row.levels)),
                          "/".join(str(s.meets) for s in row.standards.values()), str(row.open_gaps))
        console.print(table)
        for row in comp.rows:
            if row.error:
                err_console.print(f"{row.name}: {row.error}", highlight=False, soft_wrap=True)

    @group.command("inventory")
    def inventory(
        pemda: str = typer.Option(None, "--pemda", help="Kode provinsi di registri ini / this registry's provinsi"),
        fmt: str = typer.Option("md", "--format", help="md | html | xlsx | docx | pdf | json"),
        output: Path = typer.Option(None, "--output", "-o", help="Berkas keluaran ('-' = layar) / output file"),
    ) -> None:
        """Inventaris kesenjangan provinsi / the province gap inventory over every member's copy."""
        from hub.commands.inventory import _fmt, _write
        from hub.inventory import render_inventory

        try:
            inv = _service().inventory(pemda, as_of=None)
            data = render_inventory(inv, _fmt(fmt), lang())
            target = _write(data, output, f"simpul-inventory-provinsi.{fmt}")
        except SimpulError as exc:
            raise fail(exc) from None
        if target is not None:
            console.print(msg("federation.cli.written", path=target), highlight=False, soft_wrap=True)
