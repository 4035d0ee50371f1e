"""What the terminal shows: full values when the output is not a terminal, Markdown rendered, not printed raw."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.commands._common import markdown_text
from registry.db import Database

runner = CliRunner()


@pytest.fixture
def no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


def test_a_table_written_to_a_pipe_keeps_every_value_whole(registry_loaded: Database, no_columns: None):
    result = runner.invoke(app, ["registry", "list"])
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert "e-kinerja-bkn" in result.output and "SIMPATIK — Perizinan dan Pelayanan Online" in result.output
    row = next(line for line in result.output.splitlines() if "e-kinerja-bkn" in line)
    assert "national" in row  # one line per application: nothing folded onto the next line


def test_schemas_show_renders_markdown_instead_of_printing_it(no_columns: None):
    result = runner.invoke(app, ["schemas", "show", "kepegawaian/pegawai"])
    assert result.exit_code == 0, result.output
    assert "**" not in result.output and "\\|" not in result.output
    nik = next(line for line in result.output.splitlines() if line.startswith("│ nik "))
    assert "(0[1-9]|1[0-2])" in nik and "data pribadi" in nik
    assert "Civil servant" not in result.output  # one language: the title in Indonesian only


def test_markdown_text_keeps_the_words_and_drops_the_markup():
    text = markdown_text(r"pola `^(\+62\|0)`; **data pribadi** dan *catatan*")
    assert text.plain == r"pola ^(\+62|0); data pribadi dan catatan"
    assert any("bold" in str(span.style) for span in text.spans)


def test_demo_progress_shows_no_count_until_the_total_is_known():
    from rich.progress import Progress

    from hub.commands.demo import _Count

    with Progress(disable=True) as bar:
        task = bar.add_task("…", total=None)
        assert _Count().render(bar.tasks[0]).plain == ""
        bar.update(task, total=12, completed=3)
        assert _Count().render(bar.tasks[0]).plain == "3/12"
