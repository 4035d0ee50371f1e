"""/v1/assessments as an auditor meets it: start a job, follow it, read the runs and their reports, answer a
manual check and see the scores change. Probes reach the example applications in-process."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hub.api.routers.assessments import probe_options
from registry import assessments as ra
from registry.db import Database

from ..services.test_assessments_kit import BAPPEDA, options

Headers = dict[str, str]


@pytest.fixture
def api(registry_api: TestClient, registry_loaded: Database) -> TestClient:
    registry_api.app.dependency_overrides[probe_options] = lambda: options({"e-planning": "good",  # type: ignore[attr-defined]
                                                                            "e-budgeting": "good"})
    return registry_api


@pytest.fixture
def auditor(registry_key: Callable[..., Headers]) -> Headers:
    return registry_key("auditor", "Inspektorat Kota Blitar")


def wait_done(api: TestClient, location: str, headers: Headers, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(location, headers=headers).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_job_lifecycle_from_post_to_stored_runs(api: TestClient, auditor: Headers):
    r = api.post("/v1/assessments", json={"app_ids": ["e-planning", "dapodik"]}, headers=auditor)
    assert r.status_code == 202, r.text
    location = r.headers["Location"]
    assert location == f"/v1/assessments/jobs/{r.json()['job_id']}"
    assert r.json()["status"] == "queued" and r.json()["app_ids"] == ["e-planning", "dapodik"]
    job = wait_done(api, location, auditor)
    assert job["status"] == "done", job
    # dapodik measured nothing (no address Simpul may probe): reported with the reason, never stored as a level
    assert len(job["run_ids"]) == 1 and job["progress"]["percent"] == 100.0
    assert [m["app_id"] for m in job["not_measured"]] == ["dapodik"] and job["not_measured"][0]["reason"]
    assert job["progress"]["done"] == job["progress"]["total"] > 0 and job["error"] is None

    runs = api.get("/v1/assessments/runs", headers=auditor).json()["items"]
    assert {r["run_id"] for r in runs} == set(job["run_ids"])
    good = next(r for r in runs if r["app_id"] == "e-planning")
    assert good["counts"]["fail"] == 0 and good["level_name"] and good["trigger"] == "api"
    detail = api.get(f"/v1/assessments/runs/{good['run_id']}", headers=auditor).json()
    rel = next(c for c in detail["run"]["results"] if c["check_id"] == "REL-001")
    assert rel["status"] == "pass" and rel["evidence"][0]["http"]["curl"].startswith("curl")
    assert not [r for r in runs if r["app_id"] == "dapodik"]


def test_reports_have_their_content_types_and_file_names(api: TestClient, auditor: Headers):
    job = wait_done(api, api.post("/v1/assessments", json={"app_ids": ["e-planning"]},
                                  headers=auditor).headers["Location"], auditor)
    run_id = job["run_ids"][0]
    expected = {"html": "text/html", "json": "application/json", "junit": "application/xml",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
    for fmt, media in expected.items():
        r = api.get(f"/v1/assessments/runs/{run_id}/report", params={"format": fmt}, headers=auditor)
        assert r.status_code == 200 and r.headers["content-type"].startswith(media), fmt
        assert f"penilaian-e-planning-{run_id[:8]}" in r.headers["content-disposition"]
    r = api.get(f"/v1/assessments/runs/{run_id}/report", params={"format": "html", "lang": "en"}, headers=auditor)
    assert "E-Planning Kota Blitar" in r.text
    assert api.get(f"/v1/assessments/runs/{run_id}/report", params={"format": "pdf"},
                   headers=auditor).status_code == 422


def test_answer_rescores_and_runs_can_be_compared(api: TestClient, auditor: Headers):
    job = wait_done(api, api.post("/v1/assessments", json={"app_ids": ["e-planning"]},
                                  headers=auditor).headers["Location"], auditor)
    before = job["run_ids"][0]
    body = {"answer": "fail", "evidence": [{"title": "BAST tidak ditemukan", "url": "https://arsip.example/bast"}],
            "note": "Kode sumber belum diserahkan"}
    r = api.put("/v1/applications/e-planning/manual-answers/SCA-005", json=body, headers=auditor)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["previous"]["run_id"] == before and out["run"]["based_on"] == before
    assert out["run"]["scores"]["scalable"] < out["previous"]["scores"]["scalable"]
    assert out["answer"]["answered_by"] == "Inspektorat Kota Blitar"
    assert out["comparison"]["changed"] == [{"check_id": "SCA-005", "before": "not_answered", "after": "fail"}]

    cmp = api.get("/v1/assessments/compare", params={"run_a": before, "run_b": out["run"]["run_id"]},
                  headers=auditor).json()
    assert cmp["overall_delta"] < 0 and cmp["level_before"] >= cmp["level_after"]
    answers = api.get("/v1/applications/e-planning/manual-answers", params={"history": "true"},
                      headers=auditor).json()
    assert [a["check_id"] for a in answers["answers"]] == ["SCA-005"] and "REL-007" in answers["pending"]
    assert len(answers["history"]) == 1

    first = api.get("/v1/assessments/runs", params={"app_id": "e-planning", "limit": 1}, headers=auditor)
    assert first.json()["items"][0]["run_id"] == out["run"]["run_id"] and 'rel="next"' in first.headers["link"]
    second = api.get("/v1/assessments/runs", params={"app_id": "e-planning", "limit": 1,
                                                      "cursor": first.json()["next_cursor"]}, headers=auditor)
    assert second.json()["items"][0]["run_id"] == before and second.json()["next_cursor"] is None


def test_manual_answers_are_validated(api: TestClient, auditor: Headers):
    evidence = [{"title": "Dokumen", "url": "https://arsip.example/x"}]
    r = api.put("/v1/applications/e-planning/manual-answers/REL-001", json={"answer": "pass", "evidence": evidence},
                headers={**auditor, "Accept-Language": "en"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    [error] = r.json()["errors"]
    assert error["pointer"] == "/check_id" and "SCA-005" in error["message"]
    r = api.put("/v1/applications/e-planning/manual-answers/REL-007", json={"answer": "pass",
                                                                            "evidence": [{"title": "x"}]},
                headers=auditor)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "evidence"
    r = api.put("/v1/applications/e-planning/manual-answers/REL-007", json={"answer": "maybe"}, headers=auditor)
    assert r.status_code == 422
    r = api.put("/v1/applications/e-plannin/manual-answers/REL-007", json={"answer": "pass", "evidence": evidence},
                headers=auditor)
    assert r.status_code == 404 and "e-planning" in r.json()["suggestions"]
    r = api.put("/v1/applications/e-planning/manual-answers/REL-007",
                json={"answer": "not_applicable", "note": "SLA\u0000"}, headers=auditor)
    assert r.status_code == 422
    r = api.put("/v1/applications/e-planning/manual-answers/REL-007",
                json={"answer": "not_applicable", "note": "SLA diatur pusat"}, headers=auditor)
    assert r.status_code == 200 and r.json()["run"] is None


@pytest.mark.parametrize("body", [{}, {"app_ids": []}, {"app_ids": ["e-planning"], "all": True},
                                  {"all": False}, {"app_ids": ["bad id!"]}, {"app_ids": "e-planning"},
                                  {"all": True, "extra": 1}])
def test_a_bad_request_body_is_422(api: TestClient, auditor: Headers, body: dict[str, Any]):
    r = api.post("/v1/assessments", json=body, headers=auditor)
    assert r.status_code == 422 and r.json()["type"] == "urn:simpul:problem:request-invalid"


def test_unknown_things_are_404_with_suggestions(api: TestClient, auditor: Headers):
    r = api.post("/v1/assessments", json={"app_ids": ["e-planing"]}, headers=auditor)
    assert r.status_code == 404 and "e-planning" in r.json()["suggestions"]
    assert api.get(f"/v1/assessments/jobs/{'0' * 32}", headers=auditor).status_code == 404
    assert api.get(f"/v1/assessments/runs/{'0' * 32}", headers=auditor).status_code == 404
    assert api.get("/v1/assessments/runs", params={"cursor": "bm9wZQ"}, headers=auditor).status_code == 400
    assert api.get("/v1/assessments/compare", params={"run_a": "0" * 32, "run_b": "1" * 32},
                   headers=auditor).status_code == 404


def test_401_and_403_are_distinct(api: TestClient, registry_key: Callable[..., Headers]):
    assert api.post("/v1/assessments", json={"all": True}).status_code == 401
    assert api.get("/v1/assessments/runs").status_code == 401
    assert api.get("/v1/assessments/runs", headers={"Authorization": "Bearer smpl_nope"}).status_code == 401
    vendor = registry_key("vendor")
    for method, url in (("post", "/v1/assessments"), ("get", "/v1/assessments/runs"),
                        ("get", "/v1/applications/e-planning/manual-answers")):
        r = api.request(method, url, json={"all": True} if method == "post" else None, headers=vendor)
        assert r.status_code == 403 and r.json()["type"] == "urn:simpul:problem:forbidden", url
    bappeda = registry_key("opd", "Bappeda", kode_pemda="35.72", kode_opd=BAPPEDA)
    assert api.post("/v1/assessments", json={"all": True}, headers=bappeda).status_code == 403
    assert api.get("/v1/assessments/runs", headers=bappeda).status_code == 200
    assert api.get("/v1/assessments/runs", params={"app_id": "e-planning"}, headers=bappeda).status_code == 200
    assert api.get("/v1/assessments/runs", params={"app_id": "simpeg"}, headers=bappeda).status_code == 403
    assert api.get("/v1/applications/simpeg/manual-answers", headers=bappeda).status_code == 403


def test_too_many_waiting_jobs_is_409(api: TestClient, auditor: Headers, registry_db: Database,
                                      monkeypatch: pytest.MonkeyPatch):
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_ASSESS_MAX_PENDING_JOBS", "1")
    get_settings.cache_clear()
    with registry_db.session() as s:
        ra.create_job(s, "a" * 32, ["e-planning"], actor="test", total=1)
    r = api.post("/v1/assessments", json={"app_ids": ["e-planning"]}, headers=auditor)
    assert r.status_code == 409 and r.json()["type"] == "urn:simpul:problem:conflict"


def test_a_job_interrupted_by_a_restart_is_failed_at_start_up(registry_db: Database, registry_loaded: Database,
                                                              registry_key: Callable[..., Headers]):
    from hub.api.app import create_app
    from hub.services.registry_db import get_database

    auditor = registry_key("auditor")
    with registry_db.session() as s:
        ra.create_job(s, "b" * 32, ["e-planning"], actor="key:old", total=33)
        ra.update_job(s, "b" * 32, status="running", progress_done=5)
    app = create_app()
    app.dependency_overrides[get_database] = lambda: registry_db
    with TestClient(app) as client:
        job = client.get(f"/v1/assessments/jobs/{'b' * 32}", headers={**auditor, "Accept-Language": "en"}).json()
    assert job["status"] == "failed" and "restarted" in job["error"] and job["progress"]["done"] == 5
