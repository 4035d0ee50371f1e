"""``simpul schedules``, ``simpul jobs``, ``simpul worker`` and ``simpul queue`` as a Diskominfo engineer types
them: readable lines, exit 2 with one line for a mistake, JSON for scripts."""

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


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


def run(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def test_schedules_from_add_to_remove(registry_loaded: Database):
    r = run("schedules", "add", "--kind", "assess", "--area", "keuangan", "--cron", "0 2 * * 1", "--note", "Senin")
    assert r.exit_code == 0, r.output
    listed = json.loads(run("schedules", "list", "--json").output)
    assert [(s["kind"], s["scope"], s["target"], s["cron"]) for s in listed] == [("assess", "area", "keuangan",
                                                                                 "0 2 * * 1")]
    sid = listed[0]["id"]
    r = run("schedules", "set", sid, "--cron", "30 1 * * *", "--disable")
    assert r.exit_code == 0 and "30 1 * * *" in r.output
    assert json.loads(run("schedules", "show", sid).output)["enabled"] is False
    assert run("schedules", "remove", sid).exit_code == 0
    assert "simpul schedules add" in run("schedules", "list").output


def test_schedule_mistakes_are_one_line_in_the_chosen_language(registry_loaded: Database):
    r = run("schedules", "add", "--kind", "assess", "--all", "--cron", "0 2 * *")
    assert r.exit_code == 2 and "harus 5" in r.output and "Traceback" not in r.output
    r = run("--lang", "en", "schedules", "add", "--kind", "sync", "--all", "--cron", "*/2 * * * *")
    assert r.exit_code == 2 and "too often" in r.output
    r = run("--lang", "en", "schedules", "add", "--kind", "assess", "--app", "e-planning", "--all", "--cron", "@daily")
    assert r.exit_code == 2 and "one target" in r.output
    r = run("--lang", "en", "schedules", "next", "0 7 * * 1-5", "--timezone", "Asia/Jayapura", "--count", "3")
    assert r.exit_code == 0 and r.output.count("WIT") == 3


def test_schedules_run_due_fires_here_without_workers(registry_loaded: Database, monkeypatch: pytest.MonkeyPatch):
    import time

    from registry.tables_queue import ScheduleRow

    monkeypatch.setattr(assess_cmd, "probe_options", lambda: options({"e-planning": "good"}))
    assert run("schedules", "add", "--kind", "assess", "--app", "dapodik", "--cron", "@daily").exit_code == 0
    with registry_loaded.session() as s:
        for row in s.query(ScheduleRow):
            row.next_run_at = time.time() - 60
    r = run("--lang", "en", "schedules", "run-due")
    assert r.exit_code == 0 and "1 schedules fired" in r.output
    jobs = json.loads(run("jobs", "list", "--json").output)
    assert jobs[0]["trigger"] == "schedule" and jobs[0]["app_ids"] == ["dapodik"]
    if registry_loaded.backend == "sqlite":  # ran in the command's own process
        # dapodik has no address to probe: a scheduled run that measured nothing is reported, not stored
        assert jobs[0]["status"] == "done" and jobs[0]["run_ids"] == [] and list(jobs[0]["not_measured"]) == ["dapodik"]


def test_jobs_submit_list_and_show(registry_loaded: Database, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(assess_cmd, "probe_options", lambda: options({"e-planning": "good"}))
    if registry_loaded.backend != "sqlite":
        pytest.skip("on PostgreSQL the job waits for a worker process (tests/hub/queue/test_fault.py)")
    r = run("jobs", "submit", "e-planning", "dapodik", "--json")
    assert r.exit_code == 0, r.output
    job = json.loads(r.output)
    assert job["status"] == "done" and job["percent"] == 100.0 and len(job["run_ids"]) == 1
    shown = json.loads(run("jobs", "show", job["job_id"], "--json").output)
    assert [i["app_id"] for i in shown["items"]] == ["e-planning", "dapodik"]
    assert [i["status"] for i in shown["items"]] == ["done", "not_measured"]
    text = run("--lang", "en", "jobs", "show", job["job_id"]).output
    assert "1 of 2 applications not measured" in text and "dapodik:" in text
    assert job["job_id"] in run("jobs", "list").output
    assert run("jobs", "submit").exit_code == 2
    assert run("jobs", "show", "f" * 32).exit_code == 2


def test_worker_and_queue_commands(registry_db: Database):
    if registry_db.backend == "sqlite":
        r = run("--lang", "en", "worker", "--concurrency", "2")
        assert r.exit_code == 2 and "needs PostgreSQL" in r.output
    r = run("--lang", "en", "worker", "--queue", "nope")
    assert r.exit_code == 2 and "Unknown queue" in r.output
    status = json.loads(run("queue", "status", "--json").output)
    assert status["backend"] == registry_db.backend and isinstance(status["workers"], list)
