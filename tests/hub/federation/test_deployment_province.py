"""docs/deployment.md section 8 (the province instance), run for real: every ``simpul`` command of the section,
the kota side against each kota Simpul's own database and the province side against two kota Simpuls served on
loopback (their documented addresses replaced by the test servers')."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from hub.cli import app
from registry.db import Database

from .kit import Kota

DOC = Path(__file__).resolve().parents[3] / "docs" / "deployment.md"
ADDRESSES = {"https://simpul.blitarkota.go.id": 0, "https://simpul.malangkota.go.id": 1}
runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


def section() -> tuple[list[list[str]], str]:
    text = DOC.read_text(encoding="utf-8")
    part = text[text.index("## 8. Instans provinsi"):]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", part, re.S):
        commands += [shlex.split(line)[1:] for line in block.splitlines() if line.strip().startswith("simpul ")]
    return commands, part


def test_the_province_section_runs(registry_db: Database, kotas: list[Kota], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.settings import get_settings

    commands, text = section()
    assert [c[:2] for c in commands] == [["keys", "create"]] + [["federation", c] for c in (
        "add", "add", "pull", "list", "status", "inventory")] + [["schedules", "add"]]
    province_env = get_settings().database_url
    monkeypatch.chdir(tmp_path)

    def run(args: list[str], database: str | None = None):  # type: ignore[no-untyped-def]
        monkeypatch.setenv("SIMPUL_DATABASE_URL", database or province_env)
        get_settings.cache_clear()
        result = runner.invoke(app, args, env={"COLUMNS": "250"})
        assert result.exit_code == 0, (args, result.output)
        return result

    # at each kota: the key for the province (its token is the last line)
    for kota in kotas[:2]:
        token = run(commands[0], str(kota.db.engine.url.render_as_string(hide_password=False))).output.split()[-1]
        assert token.startswith("smpl_")
        monkeypatch.setenv(f"SIMPUL_FED_{kota.spec.kode.replace('.', '')}_KEY", token)
    # at the province
    for args in commands[1:]:
        args = [str(kotas[ADDRESSES[a]].url) if a in ADDRESSES else a for a in args]
        output = run(args).output
        if args[:2] == ["federation", "status"]:
            assert "Kota Blitar" in output and "Kota Malang" in output and "Provinsi (gabungan)" in output
    assert (tmp_path / "provinsi.xlsx").stat().st_size > 1000
    listed = json.loads(run(["federation", "list", "--format", "json"]).output)
    assert [(m["kode_pemda"], m["status"]) for m in listed] == [("35.72", "ok"), ("35.73", "ok")]
    schedules = json.loads(run(["schedules", "list", "--json"]).output)
    assert [(s["kind"], s["scope"], s["cron"]) for s in schedules] == [("federation-pull", "all", "30 1 * * *")]
    # the member that leaves, as the section says
    assert "`simpul federation remove 35.73`" in text
    run(["federation", "remove", "35.73"])
    assert [m["kode_pemda"] for m in json.loads(run(["federation", "list", "--format", "json"]).output)] == ["35.72"]
