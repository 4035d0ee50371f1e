"""``simpul assess runs`` says which application each run assessed; ``assess compare`` refuses two applications."""

from __future__ import annotations

import json

import pytest
import structlog
from typer.testing import CliRunner

from hub.cli import app
from hub.commands import assess as assess_cmd
from registry.db import Database

from ..services.test_assessments_kit import options

runner = CliRunner()


@pytest.fixture
def assessed(registry_loaded: Database, monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    monkeypatch.setattr(assess_cmd, "probe_options", lambda: options({"e-planning": "good", "e-budgeting": "good"}))
    assert runner.invoke(app, ["assess", "e-planning", "e-budgeting"]).exit_code == 0
    yield json.loads(runner.invoke(app, ["assess", "runs", "--format", "json"]).stdout)["items"]
    structlog.reset_defaults()


def test_runs_of_every_application_name_the_application(assessed: list[dict]):
    result = runner.invoke(app, ["assess", "runs"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Aplikasi" in result.output
    for item in assessed:
        row = next(line for line in result.output.splitlines() if item["run_id"][:12] in line)
        assert item["app_id"] in row


def test_compare_of_two_applications_is_refused_with_a_clear_line(assessed: list[dict]):
    by_app = {item["app_id"]: item["run_id"] for item in assessed}
    result = runner.invoke(app, ["assess", "compare", by_app["e-planning"], by_app["e-budgeting"]])
    assert result.exit_code == 2
    assert "e-planning" in result.output and "e-budgeting" in result.output
    assert "aplikasi yang sama" in result.output
    english = runner.invoke(app, ["--lang", "en", "assess", "compare", by_app["e-planning"], by_app["e-budgeting"]])
    assert english.exit_code == 2 and "same application" in english.output


def test_a_wrong_manual_answer_is_explained_in_indonesian(assessed: list[dict]):
    result = runner.invoke(app, ["assess", "answer", "e-planning", "REL-001", "--answer", "pass", "--evidence",
                                 "Dok|https://x.example", "--by", "Inspektorat"])
    assert result.exit_code == 2
    assert "bukan pemeriksaan manual" in result.output and "not a manual check" not in result.output
    result = runner.invoke(app, ["assess", "answer", "e-planning", "SCA-005", "--answer", "pass", "--evidence",
                                 "Dok", "--by", "Inspektorat"])
    assert result.exit_code == 2
    assert "memerlukan bukti berupa URL atau nama berkas" in result.output and "needs evidence" not in result.output
