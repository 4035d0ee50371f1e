"""Security headers on every answer of the API, HSTS only over TLS, CORS closed unless configured."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx
import pytest
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.testclient import TestClient

from hub.api.app import create_app
from hub.api.security_headers import route_csp
from hub.errors import BadRequest
from hub.settings import get_settings


def app_with_extras():  # type: ignore[no-untyped-def]
    app = create_app()

    async def boom() -> None:
        raise RuntimeError("a bug")

    async def page() -> HTMLResponse:
        return HTMLResponse("<!doctype html><html lang=id><body><p>Halo</p></body></html>")

    async def cached() -> JSONResponse:
        return JSONResponse({"ok": True}, headers={"Cache-Control": "max-age=60"})

    app.add_api_route("/uji/boom", boom)
    app.add_api_route("/uji/halaman", page)
    async def scripted() -> HTMLResponse:
        return HTMLResponse("<!doctype html><html lang=id><body><script>window.siap = 1;</script></body></html>")

    app.add_api_route("/uji/cached", cached)
    app.add_api_route("/uji/skrip", scripted)
    return app


@pytest.fixture
def client():  # type: ignore[no-untyped-def]
    with TestClient(app_with_extras(), raise_server_exceptions=False) as c:
        yield c


def settings_env(monkeypatch, **env: str) -> None:  # type: ignore[no-untyped-def]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()


COMMON = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin",
          "cross-origin-opener-policy": "same-origin"}


@pytest.mark.parametrize(("path", "status"), [("/healthz", 200), ("/v1/tidak-ada", 404), ("/uji/boom", 500),
                                              ("/v1/applications", 401)])
def test_every_answer_carries_the_headers_errors_included(client, path, status):
    r = client.get(path)
    assert r.status_code == status
    for name, value in COMMON.items():
        assert r.headers[name] == value, name
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["cache-control"] == "no-store"  # API answers may hold personal data
    assert "camera=()" in r.headers["permissions-policy"]
    assert "strict-transport-security" not in r.headers  # plain HTTP
    assert "access-control-allow-origin" not in r.headers


def test_an_html_page_gets_the_strict_page_policy_without_inline_scripts(client):
    r = client.get("/uji/halaman")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "cache-control" not in r.headers  # pages decide their own caching


def test_a_route_keeps_a_header_it_set_itself(client):
    assert client.get("/uji/cached").headers["cache-control"] == "max-age=60"


def test_the_openapi_pages_load_nothing_from_outside_and_run_no_inline_script(client):
    for page in ("/docs", "/redoc"):
        r = client.get(page)
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", r.text, re.DOTALL)
        assert "https://" not in csp and "https://" not in r.text
        script_src = next(p for p in csp.split(";") if p.strip().startswith("script-src"))
        assert script_src.strip() == "script-src 'self'"


def test_a_policy_can_allow_a_page_its_own_inline_scripts_by_hash(client):
    route_csp("/uji/skrip", "default-src 'none'; script-src {script_hashes}")
    try:
        r = client.get("/uji/skrip")
        digest = base64.b64encode(hashlib.sha256(b"window.siap = 1;").digest()).decode()
        assert r.headers["content-security-policy"] == f"default-src 'none'; script-src 'sha256-{digest}'"
    finally:
        from hub.api import security_headers

        security_headers._ROUTE_CSP.pop("/uji/skrip", None)


def test_a_route_prefix_can_have_its_own_policy(client):
    route_csp("/uji/halaman", "default-src 'self'; img-src 'self' https://peta.kotablitar.go.id")
    try:
        assert "peta.kotablitar.go.id" in client.get("/uji/halaman").headers["content-security-policy"]
    finally:
        from hub.api import security_headers

        security_headers._ROUTE_CSP.pop("/uji/halaman", None)


async def _get(app, url: str, peer: str, headers: dict[str, str] | None = None) -> httpx.Response:  # type: ignore[no-untyped-def]
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url=url.split("/healthz")[0]) as c:
        return await c.get("/healthz", headers=headers or {})


async def test_hsts_only_over_tls_or_from_a_trusted_proxy():
    app = create_app()
    over_tls = await _get(app, "https://simpul.kotablitar.go.id/healthz", "203.0.113.9")
    assert over_tls.headers["strict-transport-security"].startswith("max-age=31536000")
    proxied = await _get(app, "http://simpul/healthz", "127.0.0.1", {"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" in proxied.headers
    spoofed = await _get(app, "http://simpul/healthz", "203.0.113.9", {"X-Forwarded-Proto": "https"})
    assert "strict-transport-security" not in spoofed.headers  # anyone can send that header
    plain = await _get(app, "http://simpul/healthz", "127.0.0.1")
    assert "strict-transport-security" not in plain.headers


@pytest.mark.parametrize(("mode", "scheme", "present"), [("always", "http", True), ("never", "https", False)])
async def test_hsts_setting_overrides(monkeypatch, mode, scheme, present):
    settings_env(monkeypatch, SIMPUL_HSTS=mode, SIMPUL_HSTS_MAX_AGE_S="600")
    r = await _get(create_app(), f"{scheme}://simpul/healthz", "198.51.100.7")
    assert ("strict-transport-security" in r.headers) is present
    if present:
        assert r.headers["strict-transport-security"] == "max-age=600; includeSubDomains"


def test_cors_is_closed_by_default(client):
    origin = {"Origin": "https://portal.kotablitar.go.id"}
    preflight = client.options("/v1/applications", headers={**origin, "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in client.get("/healthz", headers=origin).headers


def test_cors_opens_only_for_the_configured_origins(monkeypatch):
    settings_env(monkeypatch, SIMPUL_CORS_ORIGINS="https://portal.kotablitar.go.id, http://localhost:5173")
    with TestClient(create_app()) as c:
        ok = c.options("/v1/applications", headers={"Origin": "https://portal.kotablitar.go.id",
                                                    "Access-Control-Request-Method": "GET",
                                                    "Access-Control-Request-Headers": "Authorization"})
        assert ok.status_code == 200
        assert ok.headers["access-control-allow-origin"] == "https://portal.kotablitar.go.id"
        assert "access-control-allow-credentials" not in ok.headers  # bearer keys, never cookies
        assert ok.headers["x-content-type-options"] == "nosniff"
        other = c.options("/v1/applications", headers={"Origin": "https://evil.example",
                                                       "Access-Control-Request-Method": "GET"})
        assert "access-control-allow-origin" not in other.headers
        simple = c.get("/healthz", headers={"Origin": "http://localhost:5173"})
        assert simple.headers["access-control-allow-origin"] == "http://localhost:5173"
        assert "ETag" in simple.headers["access-control-expose-headers"]


@pytest.mark.parametrize(("name", "value"), [("SIMPUL_CORS_ORIGINS", "portal.kotablitar.go.id"),
                                             ("SIMPUL_CORS_ORIGINS", "https://portal.kotablitar.go.id/app"),
                                             ("SIMPUL_TRUSTED_PROXIES", "10.0.0.0/33")])
def test_a_bad_setting_is_named(monkeypatch, name, value):
    settings_env(monkeypatch, **{name: value})
    with pytest.raises(BadRequest) as err:
        create_app()
    assert name in err.value.message("en") and value in err.value.message("id")
