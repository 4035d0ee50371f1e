"""No message names a command that does not exist: every `simpul ...` command named in the message catalog parses
with --help (issue 10.7)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hub.cli import app

CATALOG = Path(__file__).resolve().parents[2] / "hub" / "i18n" / "catalog"
NAMED = re.compile(r"simpul((?:\s+[a-z][a-z0-9-]*)+)")


def named_commands() -> list[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for path in sorted(CATALOG.glob("*.yaml")):
        for entry in (yaml.safe_load(path.read_text("utf-8")) or {}).values():
            for text in (entry or {}).values() if isinstance(entry, dict) else []:
                for match in NAMED.finditer(str(text)):
                    words = match.group(1).split()
                    found.add(tuple(words[:2]))
    return sorted(found)


@pytest.mark.parametrize("words", named_commands(), ids=" ".join)
def test_every_command_named_in_a_message_parses_with_help(words: tuple[str, ...]):
    result = CliRunner().invoke(app, [*words, "--help"])
    if result.exit_code != 0 and len(words) > 1:  # the second word may be an argument (an app id, a path)
        result = CliRunner().invoke(app, [words[0], "--help"])
    assert result.exit_code == 0, (words, result.output[-400:])
