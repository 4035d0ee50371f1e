"""``simpul assess`` as an auditor uses it: assess, read the summary, answer a manual check, look at the history,
compare, write reports; exit 0 none failed, 1 a check failed, 2 usage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import structlog
from typer.testing import CliRunner

from hub.cli import app
from hub.commands import assess as assess_cmd
from registry.db import Database

from ..services.test_assessments_kit import options

runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


@pytest.fixture
def loaded(registry_loaded: Database, monkeypatch: pytest.MonkeyPatch) -> Database:
    monkeypatch.setattr(assess_cmd, "probe_options",
                        lambda: options({"e-planning": "good", "e-budgeting": "good", "jdih": "fragile"}))
    return registry_loaded


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_usage_errors_exit_2(loaded: Database):
    r = run("assess")
    assert r.exit_code == 2 and "--all" in r.output
    assert run("assess", "e-planning", "--all").exit_code == 2
    assert run("assess", "e-planning", "--format", "xml").exit_code == 2
    assert run("assess", "e-planning", "--report-dir", "x", "--report-format", "pdf").exit_code == 2
    r = run("assess", "e-planing")
    assert r.exit_code == 2 and "e-planning" in r.output  # the close match is suggested
    assert run("assess", "answer", "e-planning", "SCA-005", "--answer", "maybe", "--by", "x").exit_code == 2
    r = run("--lang", "en", "assess", "answer", "e-planning", "REL-001", "--answer", "pass",
            "--evidence", "Doc|https://x.example", "--by", "Inspektorat")
    assert r.exit_code == 2 and "not a manual check" in r.output


def test_good_application_exits_0_with_a_summary_and_reports(loaded: Database, tmp_path: Path):
    reports = tmp_path / "laporan"
    r = run("assess", "e-planning", "e-budgeting", "--report-dir", str(reports), "--report-format", "html,junit")
    assert r.exit_code == 0, r.output
    assert "e-planning" in r.output and "e-budgeting" in r.output and "Interaksi (sementara)" in r.output
    assert "Tidak ada pemeriksaan yang gagal" in r.output
    names = sorted(p.suffix for p in reports.iterdir())
    assert names == [".html", ".html", ".xml", ".xml"]


def test_a_failing_application_exits_1(loaded: Database):
    r = run("--lang", "en", "assess", "jdih", "e-planning", "--format", "json")
    assert r.exit_code == 1
    items = json.loads(r.stdout)
    by_app = {i["app_id"]: i for i in items}
    assert "REL-003" in by_app["jdih"]["failed"] and by_app["e-planning"]["failed"] == []
    assert by_app["jdih"]["overall_score"] < by_app["e-planning"]["overall_score"]
    assert by_app["e-planning"]["level_name"] == "Interaction" and by_app["e-planning"]["measured"]


def test_answer_shows_the_score_change_then_history_compare_and_report(loaded: Database, tmp_path: Path):
    assert run("assess", "e-planning").exit_code == 0
    r = run("--lang", "en", "assess", "answer", "e-planning", "SCA-005", "--answer", "fail",
            "--evidence", "BAST missing|https://arsip.example/bast|checked in the archive", "--by", "Inspektorat")
    assert r.exit_code == 0, r.output
    assert "Overall score 100 →" in r.output and "New run:" in r.output

    r = run("assess", "runs", "e-planning", "--format", "json")
    runs = json.loads(r.stdout)["items"]
    assert [x["trigger"] for x in runs] == ["manual", "cli"]
    r = run("assess", "runs", "e-planning")
    assert r.exit_code == 0 and "manual" in r.output and runs[0]["run_id"][:12] in r.output

    r = run("--lang", "en", "assess", "compare", runs[1]["run_id"][:10], runs[0]["run_id"])
    assert r.exit_code == 0 and "SCA-005" in r.output and "not answered" in r.output.lower()

    out = tmp_path / "laporan.html"
    r = run("assess", "report", runs[0]["run_id"], "--format", "html", "--output", str(out))
    assert r.exit_code == 0 and "E-Planning Kota Blitar" in out.read_text("utf-8")
    assert run("assess", "report", runs[0]["run_id"], "--format", "xlsx").exit_code == 2
    r = run("assess", "report", runs[0]["run_id"], "--format", "junit")
    assert r.exit_code == 0 and r.stdout.startswith("<?xml")
    assert run("assess", "report", "0" * 32).exit_code == 2


def test_answer_before_any_assessment_is_kept_for_the_next_one(loaded: Database):
    r = run("assess", "answer", "jdih", "REL-007", "--answer", "not_applicable", "--note", "SLA oleh pusat",
            "--by", "Diskominfo")
    assert r.exit_code == 0 and "penilaian berikutnya" in r.output
    assert run("assess", "runs", "jdih").exit_code == 0
