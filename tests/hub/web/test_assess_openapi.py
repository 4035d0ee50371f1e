"""The assess form of the web workspace takes the CLI's --openapi: a URL, or an uploaded OpenAPI file, for the one
application selected (AssessmentService.use_openapi, as POST /v1/assessments)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest

from hub.api.routers.assessments import probe_options
from registry.db import Database

from ..services.test_assessments_kit import options

SWAGGER2 = {"swagger": "2.0", "info": {"title": "E-Planning (deskripsi lama)", "version": "1"},
            "paths": {"/api/v1/kegiatan": {"get": {"responses": {"200": {"description": "ok"}}}}}}


@pytest.fixture
def working(web_db: Database, monkeypatch: pytest.MonkeyPatch) -> Iterator:  # type: ignore[type-arg]
    """The workspace with its queue workers running in the process (the other web tests do without them)."""
    from fastapi.testclient import TestClient

    from hub.api.app import create_app
    from hub.services.registry_db import get_database
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_EXCHANGE_WORKERS", "true")
    get_settings.cache_clear()
    app = create_app()
    app.dependency_overrides[get_database] = lambda: web_db
    app.dependency_overrides[probe_options] = lambda: options({"e-planning": "good"})
    try:
        with TestClient(app, base_url="http://127.0.0.1:8000") as client:
            yield client
    finally:
        get_settings.cache_clear()


def test_an_uploaded_openapi_file_is_this_runs_description(working, sign_in, web_db: Database):  # type: ignore[no-untyped-def]
    web = working
    csrf = sign_in(web, "admin")
    page = web.get("/penilaian").text
    assert 'name="openapi_file"' in page and 'enctype="multipart/form-data"' in page
    r = web.post("/penilaian/mulai", data={"app_ids": "e-planning", "csrf_token": csrf},
                 files={"openapi_file": ("lama.json", json.dumps(SWAGGER2).encode(), "application/json")},
                 follow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    job_id = r.headers["location"].rsplit("/", 1)[-1]
    deadline = time.monotonic() + 60
    while True:
        status = web.get(f"/penilaian/tugas/{job_id}/status").json()
        if status["status"] in ("done", "failed") or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert status["status"] == "done" and status["run_ids"], status
    from registry.assessments import get_run

    with web_db.session() as s:
        run = get_run(s, status["run_ids"][0])
    assert run is not None and run.result["target"]["openapi_file"] == "upload:openapi"
    itg1 = next(c for c in run.result["results"] if c["check_id"] == "ITG-001")
    assert itg1["status"] == "warning"  # the uploaded Swagger 2.0, not the application's own OpenAPI 3


def test_a_path_or_a_non_document_is_refused_on_the_page(web, sign_in):  # type: ignore[no-untyped-def]
    web.app.dependency_overrides[probe_options] = lambda: options({"e-planning": "good"})
    csrf = sign_in(web, "admin")
    r = web.post("/penilaian/mulai", data={"app_ids": "e-planning", "openapi_url": "/etc/passwd",
                                           "csrf_token": csrf})
    assert r.status_code == 400 and "bukan path berkas di server Simpul" in r.text
    r = web.post("/penilaian/mulai", data={"app_ids": "e-planning", "csrf_token": csrf},
                 files={"openapi_file": ("catatan.txt", b"- bukan\n- openapi\n", "text/plain")})
    assert r.status_code == 400 and "bukan dokumen OpenAPI" in r.text
    r = web.post("/penilaian/mulai", data={"all": "1", "openapi_url": "https://x.example/openapi.json",
                                           "csrf_token": csrf})
    assert r.status_code == 400 and "satu aplikasi" in r.text
