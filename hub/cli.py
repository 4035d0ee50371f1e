"""``simpul`` command line.

Commands live in ``hub/commands/<name>.py``; each module defines ``register(app)`` and is added here in name
order. Errors reach the user as one line in Bahasa Indonesia (``--lang en`` for English), never a stack trace.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from hub import __version__
from hub import commands as commands_pkg
from hub.commands._common import err_console, fail, state
from hub.commands._usage import SimpulGroup
from hub.errors import SimpulError
from hub.i18n import t
from hub.logging import configure_logging
from hub.settings import get_settings

app = typer.Typer(
    name="simpul",
    cls=SimpulGroup,  # Click's own usage errors: one line in the chosen language, exit 2
    help="Simpul — hub interoperabilitas aplikasi Smart e-Gov Pemda / interoperability hub for Pemda e-Gov apps.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"simpul {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    lang: str = typer.Option("", "--lang", help="Bahasa pesan: id (bawaan) atau en / message language: id or en",
                             envvar="SIMPUL_LANG"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    if lang and lang not in ("id", "en"):
        err_console.print(f"[bold red]simpul:[/] --lang harus 'id' atau 'en' / must be 'id' or 'en' ({lang!r})")
        raise typer.Exit(2)
    state.lang = lang
    settings = get_settings()
    configure_logging(settings.log_level if settings.log_level != "INFO" else "WARNING", settings.log_format)
    from hub.services import network

    try:
        network.install()  # where outgoing connections may go (SIMPUL_PROBE_ALLOW + the registry's probe_allow)
    except SimpulError as exc:
        raise fail(exc) from None


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{commands_pkg.__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main() -> None:
    try:
        app()
    except SimpulError as err:
        err_console.print(f"[bold red]simpul:[/] {err.message(state.language)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        err_console.print("simpul: " + t("cli.aborted", state.language), highlight=False)
        sys.exit(130)


if __name__ == "__main__":
    main()
