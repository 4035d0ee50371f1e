"""Typer/Click's own usage errors reach the user as one line in the chosen language, with exit code 2."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from hub.cli import app

runner = CliRunner()


def _error(args: list[str], **env: str) -> str:
    result = runner.invoke(app, args, env=env or None)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("simpul: ")
    return lines[0]


@pytest.mark.parametrize(("args", "id_text", "en_text"), [
    (["keys", "create", "--name", "x"], "Opsi '--role' wajib diisi. Lihat: simpul keys create --help",
     "Missing option '--role'. See: simpul keys create --help"),
    (["nosuch"], "Perintah 'nosuch' tidak dikenal.", "No such command 'nosuch'."),
    (["assesment"], "Mungkin maksud Anda: 'assess'.", "Did you mean: 'assess'?"),
    (["keys", "list", "--activ"], "Opsi --activ tidak dikenal. Mungkin maksud Anda: '--active'.",
     "No such option: --activ. Did you mean: '--active'?"),
    (["deliveries", "list", "--limit", "abc"], "Nilai '--limit' tidak valid: 'abc' bukan bilangan bulat.",
     "Invalid value for '--limit': 'abc' is not a whole number."),
    (["validate", "-f", "xml", "kepegawaian/pegawai", "x.json"],
     "'xml' bukan pilihan yang ada; pilih salah satu: 'text', 'json', 'junit', 'sarif'.",
     "'xml' is not one of 'text', 'json', 'junit', 'sarif'."),
    (["keys", "list", "a", "b"], "Argumen berlebih yang tidak dikenal: a b.", "Unexpected extra arguments: a b."),
    (["keys", "create", "--name"], "Opsi '--name' memerlukan nilai.", "Option '--name' requires a value."),
    (["validate", "kepegawaian/pegawai"], "Argumen 'files' wajib diisi.", "Missing argument 'files'."),
])
def test_usage_errors_in_both_languages(args: list[str], id_text: str, en_text: str):
    assert id_text in _error(args)
    assert en_text in _error(["--lang", "en", *args])
    assert en_text in _error(args, SIMPUL_LANG="en")


def test_no_english_left_in_an_indonesian_usage_error():
    line = _error(["keys", "create", "--name", "x"])
    for word in ("Missing", "option", "Try", "Error", "Usage"):
        assert word not in line
