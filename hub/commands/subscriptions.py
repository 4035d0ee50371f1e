"""``simpul subscriptions ...`` (consumers of canonical data) and ``simpul scopes ...`` (consumer key scopes)."""

from __future__ import annotations

import json

import typer
from rich.table import Table

from hub.commands._common import console, fail, msg
from hub.errors import SimpulError
from hub.services.registry_access import Principal


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Langganan data kanonik / subscriptions to canonical data", no_args_is_help=True)
    app.add_typer(group, name="subscriptions")
    scopes_group = typer.Typer(help="Cakupan kunci konsumen / consumer key scopes", no_args_is_help=True)
    app.add_typer(scopes_group, name="scopes")

    @group.command("create")
    def create(
        schema: str = typer.Argument(..., help="mis. perencanaan/sub_kegiatan"),
        url: str = typer.Option(None, help="URL webhook"),
        name: str = typer.Option(None, help="Nama konsumen / consumer name"),
        consumer_app: str = typer.Option(None, "--app", help="Id aplikasi konsumen di registri"),
        kode_opd: str = typer.Option(None, "--opd", help="Hanya OPD ini / only this OPD"),
        tahun: int = typer.Option(None, "--tahun", help="Hanya tahun ini / only this year"),
        pull: bool = typer.Option(False, "--pull", help="Konsumen menarik lewat API / consumer pulls"),
        personal: bool = typer.Option(False, "--personal-data", help="Kirim data pribadi tanpa samaran"),
        backfill: bool = typer.Option(False, "--backfill", help="Kirim juga data yang sudah ada"),
        batch_size: int = typer.Option(1, "--batch-size", help="Pengiriman per POST bertanda tangan / deliveries "
                                                               "per signed POST (1 = satu per POST)"),
        as_json: bool = typer.Option(False, "--json"),
    ) -> None:
        """Buat langganan (rahasia ditampilkan sekali) / create a subscription (secret shown once)."""
        from hub.exchange import subscriptions
        from hub.exchange.subscriptions import SubscriptionIn

        try:
            data = SubscriptionIn(name=name or consumer_app or url or schema, schema=schema,
                                  mode="pull" if pull else "webhook", url=url, consumer_app=consumer_app,
                                  kode_opd=kode_opd, tahun=tahun, personal_data=personal, backfill=backfill,
                                  batch_size=batch_size)
            sub = subscriptions.create(data, Principal.cli().actor)
        except SimpulError as err:
            raise fail(err) from None
        if as_json:
            typer.echo(sub.model_dump_json(by_alias=True))
            return
        console.print(f"{sub.id}  {sub.schema_key}  {sub.mode}  {sub.url or ''}", highlight=False)
        if sub.secret:
            console.print(msg("exchange.cli.secret_once", secret=sub.secret), highlight=False)

    @group.command("list")
    def list_(as_json: bool = typer.Option(False, "--json")) -> None:
        """Daftar langganan / list subscriptions."""
        from hub.exchange import subscriptions

        subs = subscriptions.list_all()
        if as_json:
            typer.echo(json.dumps([s.model_dump(mode="json", by_alias=True) for s in subs], ensure_ascii=False))
            return
        table = Table(*(msg(f"exchange.cli.col.{c}") for c in ("id", "name", "schema", "mode", "filter", "batch",
                                                                 "active", "outbox")))
        for s in subs:
            table.add_row(s.id, s.name, s.schema_key, s.mode, f"{s.kode_opd or '*'} / {s.tahun or '*'}",
                          str(s.batch_size),
                          msg("exchange.cli.yes" if s.active else "exchange.cli.no"),
                          ", ".join(f"{k} {v}" for k, v in (s.outbox or {}).items()))
        console.print(table)

    def _set(sub_id: str, active: bool) -> None:
        from hub.exchange import subscriptions

        try:
            subscriptions.set_active(sub_id, active, Principal.cli().actor)
        except SimpulError as err:
            raise fail(err) from None

    @group.command("pause")
    def pause(sub_id: str) -> None:
        """Hentikan sementara / pause."""
        _set(sub_id, False)

    @group.command("resume")
    def resume(sub_id: str) -> None:
        """Lanjutkan / resume."""
        _set(sub_id, True)

    @group.command("batch-size")
    def batch_size_(sub_id: str, size: int = typer.Argument(..., help="1 = satu pengiriman per POST / one per POST")
                    ) -> None:
        """Ubah jumlah pengiriman per POST / change deliveries per signed POST."""
        from hub.exchange import subscriptions

        try:
            subscriptions.set_batch_size(sub_id, size, Principal.cli().actor)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("exchange.cli.batch_size_set", id=sub_id, size=size), highlight=False)

    @group.command("rotate-secret")
    def rotate(sub_id: str) -> None:
        """Rahasia baru (ditampilkan sekali) / new secret (shown once)."""
        from hub.exchange import subscriptions

        try:
            secret = subscriptions.rotate_secret(sub_id, Principal.cli().actor)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("exchange.cli.secret_once", secret=secret), highlight=False)

    @group.command("delete")
    def delete(sub_id: str) -> None:
        """Hapus langganan / delete a subscription."""
        from hub.exchange import subscriptions

        try:
            subscriptions.delete(sub_id, Principal.cli().actor)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("exchange.cli.deleted", id=sub_id), highlight=False)

    @scopes_group.command("grant")
    def grant(key: str = typer.Argument(..., help="Id/nama kunci API"), scope: str = typer.Argument(...),
              rate: int = typer.Option(None, help="Permintaan per menit / requests per minute")) -> None:
        """Beri cakupan, mis. data:read:kepegawaian/pegawai / grant a scope."""
        from hub.exchange import scopes

        try:
            scopes.grant(key, scope, Principal.cli().actor, rate_per_minute=rate)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("exchange.cli.scope_granted", scope=scope, key=key), highlight=False)

    @scopes_group.command("revoke")
    def revoke(key: str, scope: str) -> None:
        """Cabut cakupan / revoke a scope."""
        from hub.exchange import scopes

        try:
            n = scopes.revoke(key, scope, Principal.cli().actor)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("exchange.cli.scope_revoked", count=n, key=key), highlight=False)

    @scopes_group.command("list")
    def list_scopes(key: str = typer.Option(None)) -> None:
        """Daftar cakupan / list scopes."""
        from hub.exchange import scopes

        try:
            rows = scopes.list_scopes(key_ref=key)
        except SimpulError as err:
            raise fail(err) from None
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
