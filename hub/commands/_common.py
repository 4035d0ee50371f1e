"""What every CLI command shares: the chosen language, consoles, and one-line failures."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console, ConsoleDimensions
from rich.text import Text

from hub.errors import BadRequest, SimpulError
from hub.i18n import catalog, t
from hub.settings import get_settings


@dataclass
class CliState:
    lang: str = ""

    @property
    def language(self) -> str:
        return self.lang or get_settings().lang


state = CliState()
T = TypeVar("T")

#: Width of the output when it is not a terminal (a pipe, a file, CI logs): wide enough that no table cell is cut
#: to "e-kine…" and no line is folded; COLUMNS still wins when set.
PIPE_WIDTH = 10_000


class CliConsole(Console):
    """A Rich console that writes full values when its output is not a terminal."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self._width is None and "COLUMNS" not in os.environ and not self.is_terminal:
            return ConsoleDimensions(PIPE_WIDTH, size.height)
        return size

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


console = CliConsole()
err_console = CliConsole(stderr=True)


def lang() -> str:
    return state.language


def msg(key: str, **params: object) -> str:
    return t(key, lang(), **params)


def label(prefix: str, code: object) -> str:
    """The word for a code (a status, a count's name…) from ``<prefix>.<code>``; the code itself if there is none."""
    key = f"{prefix}.{code}"
    return msg(key) if key in catalog() else str(code)


def markdown_text(source: str) -> Text:
    """Inline Markdown (bold, italics, code, ``\\|`` escapes of table cells) as Rich text for the terminal.

    Unlike ``rich.markdown.Markdown`` it adds no padding, so it fits table cells and piped output alike.
    """
    from markdown_it import MarkdownIt

    styles = {"strong": "bold", "em": "italic"}
    out = Text()
    for block in MarkdownIt("commonmark").parse(source.replace("\\|", "|")):
        if block.type != "inline":
            if block.type == "paragraph_close" and out.plain and not out.plain.endswith("\n"):
                out.append("\n")
            continue
        active: list[str] = []
        for token in block.children or []:
            if token.type.endswith("_open") and token.tag in ("strong", "em"):
                active.append(styles[token.tag])
            elif token.type.endswith("_close") and token.tag in ("strong", "em") and active:
                active.pop()
            elif token.type == "code_inline":
                out.append(token.content, style="bold cyan")
            elif token.type in ("softbreak", "hardbreak"):
                out.append(" ")
            elif token.type == "text":
                out.append(token.content, style=" ".join(active) or None)
    out.rstrip()
    return out


def write_output(path: Path, data: bytes) -> None:
    """Write an output file the user named (``--out``/``--output``); a folder, a missing parent that cannot be made,
    or a read-only place is a :class:`BadRequest` naming the path, never a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise BadRequest("cli.output_unwritable", path=str(path), detail=exc.strerror or type(exc).__name__) from None


def fail(err: SimpulError, code: int = 2) -> typer.Exit:
    """Print ``err`` as one readable line on stderr and return the Exit to raise."""
    err_console.print(f"[bold red]simpul:[/] {err.message(lang())}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def run_connector(coro: Awaitable[T]) -> T:
    """Run a coroutine that talks to applications through connectors, then close the shared HTTP clients. A
    connector problem is one line: exit 1 when the application failed (5xx), 2 when the spec or the request is
    wrong; any other :class:`SimpulError` exits 2."""
    from hub.services import connections

    async def main() -> T:
        try:
            return await coro
        finally:
            await connections.shutdown()

    try:
        return asyncio.run(main())
    except connections.ConnectorProblem as err:
        raise fail(err, 2 if err.status < 500 else 1) from None
    except SimpulError as err:
        raise fail(err) from None
