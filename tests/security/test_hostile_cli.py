"""Hostile input at the command line: exit 2 with one readable line (in the chosen language), no traceback,
bounded memory, nothing stored; output options that point at a folder or an unwritable place are refused the same
way, and nothing is written outside the place named."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from tests.security.conftest import alias_bomb, bounded, huge_shared_strings, zip_bomb
from tests.security.test_hostile_api import rows

runner = CliRunner()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def one_line_exit_2(*args: str) -> str:
    """Runs ``args`` in both languages; each is exit 2 and one translated line without a traceback."""
    lines = []
    for lang in ("id", "en"):
        r = run("--lang", lang, *args)
        assert r.exit_code == 2, (r.exit_code, r.output[-800:], r.exception)
        text = r.output.strip()
        assert text.startswith("simpul:") and "Traceback" not in text, text[-800:]
        assert len(text.splitlines()) <= 2 and len(text) < 500, text  # rich may wrap one long line once
        lines.append(text)
    assert lines[0] != lines[1], "the message is not translated"
    return lines[1]


@pytest.mark.parametrize(("name", "content"), [
    ("bom.xlsx", huge_shared_strings()), ("zip.xlsx", zip_bomb()), ("tawa.yaml", alias_bomb()),
    ("rusak.yaml", b"\xff\xfe\x00\x00garbage"), ("nul.csv", b"id,kode_opd,name\ne-x,5.01,a\x00b\n"),
])
def test_registry_import_of_hostile_files(registry_loaded, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    before = rows(registry_loaded)
    with bounded(48):
        r = run("--lang", "en", "registry", "import", str(path))
    assert r.exit_code == 2, r.output[-600:]
    assert "Traceback" not in r.output
    if name.endswith(".xlsx"):
        assert one_line_exit_2("registry", "import", str(path)).count("unpacked") == 1
    assert rows(registry_loaded) == before


@pytest.mark.parametrize(("name", "content", "words"), [
    ("dalam.json", b"[" * 100_000 + b"]" * 100_000, "nested"),
    ("angka.json", b'{"nip": 1' + b"0" * 5000 + b"}", "not a valid JSON number"),
    ("rusak.json", b'{"nama": "\xc3\x28"}', "UTF-8"),
    ("bom.xlsx", huge_shared_strings(), "unpacked"),
])
def test_validate_hostile_files(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with bounded(48):
        line = one_line_exit_2("validate", "kepegawaian/pegawai", str(path))
    assert words in line


def test_output_options_pointing_at_a_folder_or_nowhere(registry_loaded, tmp_path):
    data = tmp_path / "pegawai.json"
    data.write_text('{"nip": "198501012010011001", "nama": "Budi"}', encoding="utf-8")
    folder = tmp_path / "laporan"
    folder.mkdir()
    blocker = tmp_path / "berkas"
    blocker.write_text("x")
    for target in (folder, blocker / "laporan.json"):
        one_line_exit_2("validate", "kepegawaian/pegawai", str(data), "--format", "json", "--output", str(target))
        one_line_exit_2("inventory", "--pemda", "35.72", "--format", "md", "--out", str(target))
    assert list(folder.iterdir()) == [] and blocker.read_text() == "x"


def test_a_relative_output_path_stays_where_it_says(registry_loaded, tmp_path, monkeypatch):
    """``--out ../x`` is the operator's own choice: it is written exactly there and nowhere else."""
    work = tmp_path / "kerja"
    work.mkdir()
    monkeypatch.chdir(work)
    r = run("inventory", "--pemda", "35.72", "--format", "md", "--out", "../inventaris.md")
    assert r.exit_code == 0, r.output[-500:]
    assert (tmp_path / "inventaris.md").is_file() and list(work.iterdir()) == []


def test_registry_export_output_into_a_folder_is_refused(registry_loaded, tmp_path):
    folder = tmp_path / "ekspor"
    folder.mkdir()
    one_line_exit_2("registry", "export", "--format", "csv", "--output", str(folder))
    assert list(Path(folder).iterdir()) == []
