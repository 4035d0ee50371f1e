"""/v1/schedules and the job list through HTTP: CRUD, 422 problems naming the bad field in the asked language."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from registry.db import Database

Headers = dict[str, str]


def test_schedules_crud_and_bilingual_problems(registry_api: TestClient, registry_loaded: Database,
                                               registry_key: Callable[..., Headers]):
    admin = registry_key("admin")
    r = registry_api.post("/v1/schedules", json={"kind": "sync", "scope": "app", "target": "e-planning",
                                                 "cron": "*/15 7-17 * * 1-5"}, headers=admin)
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    assert r.headers["Location"] == f"/v1/schedules/{sid}" and r.json()["timezone"] == "Asia/Jakarta"
    assert [s["id"] for s in registry_api.get("/v1/schedules", headers=admin).json()] == [sid]
    r = registry_api.patch(f"/v1/schedules/{sid}", json={"enabled": False}, headers=admin)
    assert r.status_code == 200 and r.json()["enabled"] is False and r.json()["next_run_at"] is None

    bad = {"kind": "assess", "scope": "all", "cron": "0 25 * * *"}
    r = registry_api.post("/v1/schedules", json=bad, headers=admin)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert "tidak sah" in r.json()["detail"] and r.json()["errors"][0]["pointer"] == "/cron"
    r = registry_api.post("/v1/schedules", json=bad, headers={**admin, "Accept-Language": "en"})
    assert "is not valid" in r.json()["detail"]
    r = registry_api.get("/v1/schedules/preview", params={"cron": "@daily", "count": 2}, headers=admin)
    assert r.status_code == 200 and len(r.json()["next"]) == 2
    vendor = registry_key("vendor")
    assert registry_api.post("/v1/schedules", json={**bad, "cron": "@daily"}, headers=vendor).status_code == 403
    assert registry_api.delete(f"/v1/schedules/{sid}", headers=admin).status_code == 204
    assert registry_api.get(f"/v1/schedules/{sid}", headers=admin).status_code == 404


def test_job_list_shows_every_job(registry_api: TestClient, registry_loaded: Database,
                                  registry_key: Callable[..., Headers]):
    from registry import assessments as ra

    with registry_loaded.session() as s:
        ra.create_job(s, "e" * 32, ["e-planning"], actor="key:x", total=33)
    r = registry_api.get("/v1/assessments/jobs", headers=registry_key("auditor"))
    assert r.status_code == 200 and [j["job_id"] for j in r.json()] == ["e" * 32]
