"""``simpul users create|list|disable|enable|reset-password``: accounts of the web workspace.

The CLI is trusted and local (it acts as admin). A password is generated unless one is read from standard input
(``--password-stdin``); a generated one is printed once.
"""

from __future__ import annotations

import sys

import typer
from rich.table import Table

from hub.commands._common import console, err_console, fail, lang, msg
from hub.errors import SimpulError
from hub.services.registry_access import Principal
from hub.services.registry_db import get_database
from hub.services.users import USER_ROLES, UserService, parse_user


def _service() -> UserService:
    return UserService(get_database(), Principal.cli(), lang())


def _stdin_password(enabled: bool) -> str | None:
    if not enabled:
        return None
    return sys.stdin.readline().rstrip("\r\n")


def _fields(err: SimpulError) -> SimpulError:
    for item in (err.extra or {}).get("errors") or []:
        err_console.print(f"{item['field'] or '-'}: {item['message']}", highlight=False, soft_wrap=True)
    return err


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Akun ruang kerja web / web workspace accounts: " + ", ".join(USER_ROLES) + ".",
                        no_args_is_help=True)
    app.add_typer(group, name="users")

    @group.command("create")
    def create(
        username: str = typer.Option(..., "--username", "-u", help="Nama masuk / sign-in name (a-z 0-9 . _ -)"),
        role: str = typer.Option(..., "--role", help=" | ".join(USER_ROLES)),
        name: str = typer.Option(None, "--name", help="Nama tampilan / display name (bawaan: username)"),
        pemda: str = typer.Option(None, "--pemda", help="Operator satu OPD: kode wilayah / its region code"),
        opd: str = typer.Option(None, "--opd", help="Operator satu OPD: kode unit SIPD / its SIPD unit code"),
        password_stdin: bool = typer.Option(False, "--password-stdin",
                                            help="Baca sandi dari stdin / read the password from stdin"),
    ) -> None:
        """Buat akun; sandi yang dibuat otomatis ditampilkan sekali / create an account (a generated password is
        shown once)."""
        try:
            data = parse_user({"username": username, "display_name": name or username, "role": role,
                               "kode_pemda": pemda, "kode_opd": opd}, lang())
            user, password = _service().create(data, _stdin_password(password_stdin))
        except SimpulError as err:
            raise fail(_fields(err)) from None
        console.print(msg("web.cli.created", username=user.username, role=user.role), highlight=False)
        if not password_stdin:
            console.print(msg("web.cli.password_once"), highlight=False)
            typer.echo(password)

    @group.command("list")
    def list_() -> None:
        """Daftar akun / list the accounts."""
        try:
            users = _service().list()
        except SimpulError as err:
            raise fail(err) from None
        if not users:
            console.print(msg("web.cli.none"), highlight=False)
            return
        table = Table("username", "name", "role", "opd", "active", "locked until", "last sign-in")
        for u in users:
            table.add_row(u.username, u.display_name, u.role, f"{u.kode_pemda}/{u.kode_opd}" if u.kode_opd else "",
                          "yes" if u.active else "no",
                          f"{u.locked_until:%Y-%m-%d %H:%M}" if u.locked_until else "",
                          f"{u.last_login_at:%Y-%m-%d %H:%M}" if u.last_login_at else "")
        console.print(table)

    @group.command("disable")
    def disable(username: str = typer.Argument(..., help="Nama masuk / sign-in name")) -> None:
        """Nonaktifkan akun; sesinya berakhir saat itu juga / disable an account (its sessions end at once)."""
        try:
            user = _service().set_active(username, False)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("web.cli.disabled", username=user.username), highlight=False)

    @group.command("enable")
    def enable(username: str = typer.Argument(..., help="Nama masuk / sign-in name")) -> None:
        """Aktifkan kembali akun (juga membuka kunci) / enable an account again (also lifts a lock-out)."""
        try:
            user = _service().set_active(username, True)
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("web.cli.enabled", username=user.username), highlight=False)

    @group.command("reset-password")
    def reset_password(
        username: str = typer.Argument(..., help="Nama masuk / sign-in name"),
        password_stdin: bool = typer.Option(False, "--password-stdin",
                                            help="Baca sandi dari stdin / read the password from stdin"),
    ) -> None:
        """Sandi baru; sesi akun berakhir dan kuncinya dibuka / new password (sessions end, lock-out lifted)."""
        try:
            user, password = _service().reset_password(username, _stdin_password(password_stdin))
        except SimpulError as err:
            raise fail(err) from None
        console.print(msg("web.cli.reset", username=user.username), highlight=False)
        if not password_stdin:
            console.print(msg("web.cli.password_once"), highlight=False)
            typer.echo(password)
