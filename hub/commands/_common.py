"""What every CLI command shares: the chosen language, consoles, and one-line failures."""

from __future__ import annotations

from dataclasses import dataclass

import typer
from rich.console import Console

from hub.errors import SimpulError
from hub.i18n import catalog, t
from hub.settings import get_settings


@dataclass
class CliState:
    lang: str = ""

    @property
    def language(self) -> str:
        return self.lang or get_settings().lang


state = CliState()
console = Console()
err_console = Console(stderr=True)


def lang() -> str:
    return state.language


def msg(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def label(prefix: str, code: object) -> str:
    """The word for a code (a status, a count's name…) from ``<prefix>.<code>``; the code itself if there is none."""
    key = f"{prefix}.{code}"
    return msg(key) if key in catalog() else str(code)


def fail(err: SimpulError, code: int = 2) -> typer.Exit:
    """Print ``err`` as one readable line on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]simpul:[/] {err.message(lang())}", highlight=False, soft_wrap=True)
    return typer.Exit(code)
