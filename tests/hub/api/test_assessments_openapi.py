"""POST /v1/assessments with ``openapi`` (the CLI's ``--openapi``): a URL or the document itself, for one
application and this run only; a path on the Simpul server is refused with problem+json."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from registry.db import Database

from .test_assessments_api import Headers, api, auditor, wait_done  # noqa: F401  (fixtures)

SWAGGER2 = {"swagger": "2.0", "info": {"title": "E-Planning (deskripsi lama)", "version": "1"},
            "paths": {"/api/v1/kegiatan": {"get": {"responses": {"200": {"description": "ok"}}}}}}


def run_of(api: TestClient, auditor: Headers, body: dict) -> dict:  # noqa: F811
    r = api.post("/v1/assessments", json=body, headers=auditor)
    assert r.status_code == 202, r.text
    job = wait_done(api, r.headers["Location"], auditor)
    assert job["status"] == "done" and job["run_ids"], job
    return api.get(f"/v1/assessments/runs/{job['run_ids'][0]}", headers=auditor).json()["run"]


def test_an_inline_document_is_the_description_of_this_run_only(api: TestClient, auditor: Headers):  # noqa: F811
    run = run_of(api, auditor, {"app_ids": ["e-planning"], "openapi": SWAGGER2})
    assert run["target"]["openapi_file"] == "upload:openapi" and run["target"]["openapi_url"] is None
    itg1 = next(c for c in run["results"] if c["check_id"] == "ITG-001")
    assert itg1["status"] == "warning"  # Swagger 2.0: the document sent was judged, not the one the app serves
    again = run_of(api, auditor, {"app_ids": ["e-planning"]})  # the next run reads the application's own again
    assert again["target"]["openapi_file"] is None
    assert next(c for c in again["results"] if c["check_id"] == "ITG-001")["status"] == "pass"


def test_a_url_is_taken_for_one_application(api: TestClient, auditor: Headers):  # noqa: F811
    run = run_of(api, auditor, {"app_ids": ["e-planning"], "openapi": "http://127.0.0.1:8101/openapi.json"})
    assert run["target"]["openapi_url"] == "http://127.0.0.1:8101/openapi.json"


@pytest.mark.parametrize("value", ["/etc/passwd", "../registry.yaml", "file:///etc/passwd", "C:\\\\simpul.db",
                                   "openapi.yaml"])
def test_a_server_side_path_is_refused_as_problem_json(api: TestClient, auditor: Headers, value: str,  # noqa: F811
                                                       registry_loaded: Database):
    r = api.post("/v1/assessments", json={"app_ids": ["e-planning"], "openapi": value},
                 headers={**auditor, "Accept-Language": "en"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("application/problem+json")
    assert "not a file path on the Simpul server" in r.json()["detail"]
    r = api.post("/v1/assessments", json={"app_ids": ["e-planning"], "openapi": value}, headers=auditor)
    assert "bukan path berkas di server Simpul" in r.json()["detail"]
    with registry_loaded.session() as s:  # nothing was queued
        from registry.assessments import count_jobs

        assert count_jobs(s, ("queued", "running", "done", "failed")) == 0


def test_one_application_and_a_real_document_only(api: TestClient, auditor: Headers,  # noqa: F811
                                                  registry_key: Callable[..., Headers]):
    en = {**auditor, "Accept-Language": "en"}
    for body in ({"all": True, "openapi": SWAGGER2}, {"app_ids": ["e-planning", "simpeg"], "openapi": SWAGGER2}):
        r = api.post("/v1/assessments", json=body, headers=en)
        assert r.status_code == 400 and "one application only" in r.json()["detail"], r.text
    r = api.post("/v1/assessments", json={"app_ids": ["e-planning"], "openapi": {"title": "bukan OpenAPI"}},
                 headers=en)
    assert r.status_code == 400 and "not an OpenAPI document" in r.json()["detail"]
    opd = registry_key("opd", "Bappeda", kode_pemda="35.72", kode_opd="5.01.5.05.0.00.01.0000")
    assert api.post("/v1/assessments", json={"app_ids": ["e-planning"], "openapi": SWAGGER2},
                    headers=opd).status_code == 403  # the rights are checked as without it


def test_the_override_is_stored_with_the_job_for_a_worker_in_another_process(
        api: TestClient, auditor: Headers, registry_loaded: Database):  # noqa: F811
    """A separate ``simpul worker`` has no in-memory seam of the API process: it reads the job's own copy."""
    from hub.services.assessments import AssessmentService
    from registry.assessments import job_openapi

    r = api.post("/v1/assessments", json={"app_ids": ["e-planning"], "openapi": SWAGGER2}, headers=auditor)
    job_id = r.json()["job_id"]
    wait_done(api, r.headers["Location"], auditor)
    url = "http://127.0.0.1:8101/openapi.json"
    r2 = api.post("/v1/assessments", json={"app_ids": ["e-planning"], "openapi": url}, headers=auditor)
    wait_done(api, r2.headers["Location"], auditor)
    plain = api.post("/v1/assessments", json={"app_ids": ["e-planning"]}, headers=auditor)
    wait_done(api, plain.headers["Location"], auditor)
    with registry_loaded.session() as s:
        stored, by_url, none = (job_openapi(s, job_id), job_openapi(s, r2.json()["job_id"]),
                                job_openapi(s, plain.json()["job_id"]))
    assert stored == {"e-planning": {"document": SWAGGER2}} and by_url == {"e-planning": {"url": url}}
    assert none == {}
    options = AssessmentService.options_for_job(stored)
    assert options.openapi_documents == {"e-planning": SWAGGER2} and options.openapi is None
    assert AssessmentService.options_for_job(by_url).openapi == {"e-planning": url}
    assert AssessmentService.options_for_job({}).openapi is None
