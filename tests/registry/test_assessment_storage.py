"""Stored assessments on SQLite and PostgreSQL: runs (with the columns auditors query), answers with their
history, background jobs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, text

from registry import assessments as ra
from registry.db import Database, current_revision
from registry.errors import InvalidCursor

STANDARDS = ("reliable", "interoperable", "scalable", "user_friendly", "integrateable")


def run_json(app_id: str = "e-planning", *, level: int = 3, overall: float | None = 72.5,
             statuses: tuple[str, ...] = ("pass", "pass", "fail", "error", "not_answered", "inconclusive"),
             scores: dict[str, float | None] | None = None) -> dict[str, Any]:
    """The JSON shape of hub.assessment.AssessmentRun (model_dump(mode="json")), kept small."""
    started = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    scores = scores or {"reliable": 80.0, "interoperable": 65.5, "scalable": None, "user_friendly": 100.0,
                        "integrateable": 44.4}
    return {
        "run_id": uuid.uuid4().hex, "started_at": started.isoformat().replace("+00:00", "Z"),
        "finished_at": (started + timedelta(seconds=42)).isoformat(), "catalog_version": "2025.1+abcdef123456",
        "target": {"app_id": app_id, "name": f"Aplikasi {app_id}", "base_url": "http://127.0.0.1:8101"},
        "limits": {"max_requests": 300}, "requests_made": 12, "refused": None,
        "results": [{"check_id": f"REL-00{i + 1}", "status": s, "evidence": [{"kind": "note", "title": "catatan",
                                                                               "note": "ünïcødé ✓ \u0000-free"}]}
                    for i, s in enumerate(statuses)],
        "scores": [{"standard": k, "score": scores.get(k)} for k in STANDARDS],
        "maturity": {"level": level, "overall_score": overall},
    }


def test_the_migration_creates_the_assessment_tables(registry_db: Database):
    tables = set(inspect(registry_db.engine).get_table_names())
    assert {"assessment_run", "assessment_manual_answer", "assessment_job"} <= tables
    indexes = {i["name"] for i in inspect(registry_db.engine).get_indexes("assessment_run")}
    assert "ix_assessment_run_app_created" in indexes
    assert current_revision(registry_db.engine)


def test_a_run_round_trips_with_its_queryable_columns(registry_db: Database):
    data = run_json()
    with registry_db.session() as s:
        saved = ra.save_run(s, data, trigger="cli", actor="cli:rina")
    with registry_db.session() as s:
        got = ra.get_run(s, data["run_id"])
        summary = ra.get_run(s, data["run_id"], with_result=False)
    assert got is not None and summary is not None
    assert got.result == data
    assert summary.result is None
    assert got.app_id == "e-planning" and got.app_name == "Aplikasi e-planning"
    assert got.level == 3 and got.overall_score == 72.5
    assert got.scores == {"reliable": 80.0, "interoperable": 65.5, "scalable": None, "user_friendly": 100.0,
                          "integrateable": 44.4}
    assert got.counts == {"pass": 2, "warning": 0, "fail": 1, "not_applicable": 0, "error": 1, "not_answered": 1,
                          "inconclusive": 1}
    assert got.trigger == "cli" and got.actor == "cli:rina"
    assert got.started_at == datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    assert got.created_at.tzinfo is not None and got.created_at == saved.created_at
    with registry_db.session() as s:  # plain SQL works for auditors
        row = s.execute(text("SELECT level, score_reliable, count_fail, count_inconclusive FROM assessment_run")).one()
    assert tuple(row) == (3, 80.0, 1, 1)


def test_runs_are_listed_newest_first_in_cursor_pages(registry_db: Database):
    with registry_db.session() as s:
        ids = [ra.save_run(s, run_json("e-planning"), trigger="api", actor="key:x").run_id for _ in range(5)]
        ra.save_run(s, run_json("simpeg"), trigger="api", actor="key:x")
    with registry_db.session() as s:
        first = ra.list_runs(s, "e-planning", limit=2)
        second = ra.list_runs(s, "e-planning", limit=2, cursor=first.next_cursor)
        third = ra.list_runs(s, "e-planning", limit=2, cursor=second.next_cursor)
        everything = ra.list_runs(s)
        only = ra.list_runs(s, app_ids=["simpeg"])
        none = ra.list_runs(s, app_ids=[])
    seen = [r.run_id for page in (first, second, third) for r in page.items]
    assert seen == list(reversed(ids))
    assert third.next_cursor is None
    assert all(r.result is None for r in first.items)
    assert len(everything.items) == 6
    assert [r.app_id for r in only.items] == ["simpeg"] and none.items == []


@pytest.mark.parametrize("cursor", ["nonsense", "W10", "WyIyMDI2IiwgMV0", "!!!"])
def test_a_foreign_cursor_is_refused(registry_db: Database, cursor: str):
    with registry_db.session() as s, pytest.raises(InvalidCursor):
        ra.list_runs(s, cursor=cursor)


def test_latest_run_per_application(registry_db: Database):
    with registry_db.session() as s:
        ra.save_run(s, run_json("e-planning", level=2), trigger="cli", actor="cli:a")
        newest = ra.save_run(s, run_json("e-planning", level=4), trigger="manual", actor="cli:a", based_on="x")
        only = ra.save_run(s, run_json("jdih", level=1, overall=None), trigger="cli", actor="cli:a")
    with registry_db.session() as s:
        latest = ra.latest_runs(s)
        some = ra.latest_runs(s, ["jdih"], with_result=False)
        one = ra.latest_run(s, "e-planning")
        missing = ra.latest_run(s, "tidak-ada")
    assert {k: v.run_id for k, v in latest.items()} == {"e-planning": newest.run_id, "jdih": only.run_id}
    assert latest["e-planning"].level == 4 and latest["e-planning"].based_on == "x"
    assert list(some) == ["jdih"] and some["jdih"].result is None and some["jdih"].overall_score is None
    assert one is not None and one.run_id == newest.run_id and missing is None


def test_a_short_run_id_prefix_is_found(registry_db: Database):
    with registry_db.session() as s:
        saved = ra.save_run(s, run_json(), trigger="cli", actor="cli:a")
    with registry_db.session() as s:
        assert ra.find_run_ids(s, saved.run_id[:8]) == [saved.run_id]
        assert ra.find_run_ids(s, "%") == []  # wildcards are not special
        assert ra.find_run_ids(s, "zzzzzz") == []


def test_answers_keep_their_history_and_the_newest_counts(registry_db: Database):
    with registry_db.session() as s:
        ra.save_answer(s, "e-planning", "SCA-005", "fail", [{"title": "BAST", "url": "https://a.example/1"}],
                       answered_by="Inspektorat", actor="key:inspektorat#1")
        ra.save_answer(s, "e-planning", "SCA-005", "pass", [{"title": "BAST baru", "file_name": "bast.pdf"}],
                       answered_by="Inspektorat", actor="key:inspektorat#1", note="Sudah diserahkan")
        ra.save_answer(s, "e-planning", "REL-007", "not_applicable", [{"title": "SLA", "note": "nasional"}],
                       answered_by="Diskominfo", actor="cli:root")
        ra.save_answer(s, "simpeg", "SCA-005", "fail", [{"title": "x", "url": "https://a.example/2"}],
                       answered_by="Inspektorat", actor="cli:root")
    with registry_db.session() as s:
        latest = ra.latest_answers(s, "e-planning")
        history = ra.answer_history(s, "e-planning", "SCA-005")
        all_of_app = ra.answer_history(s, "e-planning")
    assert sorted(latest) == ["REL-007", "SCA-005"]
    assert latest["SCA-005"].answer == "pass" and latest["SCA-005"].note == "Sudah diserahkan"
    assert latest["SCA-005"].evidence == [{"title": "BAST baru", "file_name": "bast.pdf"}]
    assert latest["SCA-005"].answered_at.tzinfo is not None
    assert [a.answer for a in history] == ["pass", "fail"]
    assert len(all_of_app) == 3


def test_job_lifecycle_and_interrupted_jobs(registry_db: Database):
    with registry_db.session() as s:
        job = ra.create_job(s, "a" * 32, ["e-planning", "simpeg"], actor="key:auditor#2", total=66)
        ra.create_job(s, "b" * 32, ["jdih"], actor="key:auditor#2", total=33)
        ra.create_job(s, "c" * 32, ["jdih"], actor="key:auditor#2", total=33)
    assert job.status == "queued" and job.progress_total == 66 and job.run_ids == []
    with registry_db.session() as s:
        ra.update_job(s, "a" * 32, status="running", progress_done=10, current_check="simpeg " + "X" * 200)
        ra.update_job(s, "c" * 32, status="done", run_ids=["r1"], progress_done=33)
        assert ra.update_job(s, "f" * 32, status="done") is None
        with pytest.raises(ValueError, match="unknown job fields"):
            ra.update_job(s, "a" * 32, actor="someone else")
        with pytest.raises(ValueError, match="status"):
            ra.update_job(s, "a" * 32, status="paused")
        assert ra.count_jobs(s) == 2
    with registry_db.session() as s:
        running = ra.get_job(s, "a" * 32)
        assert running is not None and running.status == "running" and running.progress_done == 10
        assert running.current_check is not None and len(running.current_check) == 120
        assert running.updated_at >= running.created_at
        reason = {"id": "Server dimulai ulang", "en": "Server restarted"}
        assert ra.fail_unfinished_jobs(s, reason) == 2
    with registry_db.session() as s:
        failed = ra.get_job(s, "a" * 32)
        done = ra.get_job(s, "c" * 32)
        assert failed is not None and failed.status == "failed" and failed.error == reason
        assert done is not None and done.status == "done" and done.run_ids == ["r1"]
        assert ra.count_jobs(s) == 0 and ra.get_job(s, "nope") is None


def test_runs_stored_before_0013_count_no_inconclusive_check(tmp_path):
    """0013_inconclusive adds count_inconclusive; a run stored before it keeps its columns and counts 0."""
    from registry.db import head_revision, make_engine, upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    assert upgrade(url, "0012_federation") == "0012_federation"
    engine = make_engine(url)
    columns = ", ".join(["id", "app_id", "app_name", "started_at", "finished_at", "created_at", "catalog_version",
                         "level", *(f"count_{k}" for k in ("pass", "warning", "fail", "not_applicable", "error",
                                                           "not_answered")), "trigger", "actor", "result"])
    with engine.begin() as conn:
        conn.execute(text(f"INSERT INTO assessment_run ({columns}) VALUES ('r1', 'e-planning', 'E-Planning', "
                          "'2026-11-20 08:00:00', '2026-11-20 08:01:00', '2026-11-20 08:01:00', '2025.1', 3, "
                          "5, 1, 1, 0, 0, 2, 'cli', 'cli:rina', '{}')"))
    engine.dispose()
    assert upgrade(url, "head") == head_revision()
    db = Database(url)
    with db.session() as s:
        got = ra.get_run(s, "r1", with_result=False)
    assert got is not None and got.counts["inconclusive"] == 0 and got.counts["pass"] == 5
