"""``simpul keys create|list|revoke``: API keys (the CLI is trusted and local: it needs no key itself)."""

from __future__ import annotations

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import SimpulError
from hub.i18n import fmt_datetime
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from hub.services.registry_keys import ApiKeyIn, KeyService


def _service() -> KeyService:
    return KeyService(get_database(), Principal.cli(), lang())


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Kunci API / API keys: admin, opd, auditor, operator, viewer, vendor, federation.",
                        no_args_is_help=True)
    app.add_typer(group, name="keys")

    @group.command("create")
    def create(
        role: str = typer.Option(..., "--role", help="admin | opd | auditor | operator | viewer | vendor | federation"),
        name: str = typer.Option(..., "--name", help="Pemegang kunci / who holds the key"),
        pemda: str = typer.Option(None, "--pemda", help="Peran opd: kode wilayah / role opd: region code"),
        opd: str = typer.Option(None, "--opd", help="Peran opd: kode unit SIPD / role opd: SIPD unit code"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="Token saja / token only (scripts)"),
    ) -> None:
        """Buat kunci API; token hanya ditampilkan sekali / create a key; the token is shown once."""
        from pydantic import ValidationError

        from hub.services.registry_errors import to_hub
        from registry.errors import InvalidData, field_errors_from_pydantic

        try:
            data = ApiKeyIn(name=name, role=role, kode_pemda=pemda, kode_opd=opd)
        except ValidationError as exc:
            err = to_hub(InvalidData(field_errors_from_pydantic(exc)), lang())
            raise fail(_with_fields(err)) from exc
        try:
            key = _service().create(data)
        except SimpulError as err:
            raise fail(_with_fields(err)) from err
        if not quiet:
            console.print(msg("registry.keys.created", id=key.id, name=key.name, role=key.role))
        typer.echo(key.token)

    @group.command("list")
    def list_(active: bool = typer.Option(False, "--active", help="Hanya yang aktif / active keys only")) -> None:
        """Daftar kunci API (tanpa token) / list API keys (without tokens)."""
        try:
            keys = _service().list(include_revoked=not active)
        except SimpulError as err:
            raise fail(err) from err
        if not keys:
            console.print(msg("registry.keys.none"))
            return
        table = Table(*(msg(f"registry.keys.col.{c}") for c in ("id", "name", "role", "opd", "prefix", "created",
                                                                  "last_used", "revoked")))
        language = lang()
        for k in keys:
            table.add_row(str(k.id), k.name, k.role, f"{k.kode_pemda}/{k.kode_opd}" if k.kode_opd else "",
                          k.prefix + "…", fmt_datetime(k.created_at, language),
                          fmt_datetime(k.last_used_at, language, missing=""),
                          fmt_datetime(k.revoked_at, language, missing=""))
        console.print(table)

    @group.command("revoke")
    def revoke(ref: str = typer.Argument(..., help="id, nama, atau awalan token / id, name or token prefix")) -> None:
        """Cabut kunci API / revoke an API key."""
        try:
            key = _service().revoke(ref)
        except SimpulError as err:
            raise fail(err) from err
        console.print(msg("registry.keys.revoked", id=key.id, name=key.name))


def _with_fields(err: SimpulError) -> SimpulError:
    """Print the field errors of a 422 (one line each) before its summary line."""
    for item in (err.extra or {}).get("errors") or []:
        err_console.print(f"{item['field'] or '-'}: {item['message']}", highlight=False, soft_wrap=True)
    return err
