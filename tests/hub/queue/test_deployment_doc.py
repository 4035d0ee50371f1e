"""docs/deployment.md is what a Diskominfo follows: every ``simpul`` command in it (shell blocks and systemd
``ExecStart`` lines) parses with the options it shows, and the key ones run for real against a database."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import structlog
import typer
from typer.testing import CliRunner

from hub.cli import app
from registry.db import Database

DOC = Path(__file__).resolve().parents[3] / "docs" / "deployment.md"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


def commands() -> list[list[str]]:
    text = DOC.read_text(encoding="utf-8")
    found = []
    for block in re.findall(r"```(?:sh|ini)\n(.*?)```", text, re.S):
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("ExecStart") and "bin/simpul " in line:
                line = "simpul " + line.split("bin/simpul ", 1)[1]
            if line.startswith("simpul "):
                found.append(shlex.split(line)[1:])
    return found


def test_the_page_shows_the_layout_commands():
    seen = {" ".join(c[:2]) for c in commands()}
    for needed in ("db upgrade", "serve --host", "worker --concurrency", "schedules add", "queue status",
                   "jobs show"):
        assert any(s.startswith(needed) for s in seen), needed


@pytest.mark.parametrize("args", commands(), ids=lambda a: " ".join(a)[:60])
def test_every_command_parses_with_its_options(args: list[str]):
    command = typer.main.get_command(app)
    ctx = command.make_context("simpul", [], resilient_parsing=True)
    rest = list(args)
    while hasattr(command, "commands") and rest and rest[0] in command.commands:
        name = rest.pop(0)
        command = command.commands[name]
        ctx = command.make_context(name, [], parent=ctx, resilient_parsing=True)
    assert not hasattr(command, "commands") and command.name == args[len(args) - len(rest) - 1], args
    command.make_context(command.name or "", rest, parent=ctx.parent)  # raises on an unknown option or value
    assert runner.invoke(app, [*args[: len(args) - len(rest)], "--help"]).exit_code == 0


def test_the_key_commands_run(registry_loaded: Database):
    run = lambda *a: runner.invoke(app, list(a), env={"COLUMNS": "200"})  # noqa: E731
    assert run("db", "upgrade").exit_code == 0
    for args in commands():
        if args[:2] in (["schedules", "add"], ["schedules", "next"]):
            r = run(*args)
            assert r.exit_code == 0, (args, r.output)
    listed = json.loads(run("schedules", "list", "--json").output)
    assert {(s["kind"], s["scope"]) for s in listed} == {("assess", "all"), ("assess", "area"), ("sync", "app"),
                                                         ("federation-pull", "all")}
    status = run("queue", "status", "--json")
    assert status.exit_code == 0 and json.loads(status.output)["backend"] == registry_loaded.backend
