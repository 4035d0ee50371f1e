from fastapi.testclient import TestClient

from hub.api.app import create_app


def client() -> TestClient:
    return TestClient(create_app())


def test_health_answers_in_indonesian_by_default_and_english_on_request():
    c = client()
    assert c.get("/healthz").json()["message"] == "Simpul berjalan."
    assert c.get("/healthz", headers={"Accept-Language": "en"}).json()["message"] == "Simpul is running."
    assert c.get("/healthz?lang=en").json()["message"] == "Simpul is running."


def test_unknown_route_is_problem_json():
    r = client().get("/v1/tidak-ada")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["type"] == "urn:simpul:problem:not-found"
    assert "/docs" in body["detail"]
    assert body["request_id"] == r.headers["x-request-id"]


def test_wrong_method_is_problem_json_405():
    r = client().post("/healthz")
    assert r.status_code == 405
    assert r.headers["content-type"].startswith("application/problem+json")


def test_body_over_the_limit_is_413_naming_the_limit(monkeypatch):
    monkeypatch.setenv("SIMPUL_MAX_BODY_BYTES", "100")
    from hub.settings import get_settings

    get_settings.cache_clear()
    r = TestClient(create_app()).post("/healthz", content=b"x" * 500)
    assert r.status_code == 413
    assert "100" in r.json()["detail"]


def test_request_id_is_echoed():
    r = client().get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["x-request-id"] == "abc123"


def test_openapi_documents_problem_responses():
    spec = client().get("/openapi.json").json()
    assert "Problem" in spec["components"]["schemas"]
    assert "default" in spec["paths"]["/healthz"]["get"]["responses"]


def test_method_not_allowed_lists_every_method_of_the_path():
    from fastapi import APIRouter

    app = create_app()
    router = APIRouter()

    @router.get("/things/{name}")
    def _get(name: str) -> dict:
        return {}

    @router.delete("/things/{name}")
    def _delete(name: str) -> dict:
        return {}

    app.include_router(router)
    r = TestClient(app).post("/things/x")
    assert r.status_code == 405
    assert set(r.headers["allow"].split(", ")) >= {"GET", "DELETE"}
