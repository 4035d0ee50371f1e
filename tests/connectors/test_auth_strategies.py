"""Authentication strategies and secrets: references only, resolved at run time, cached tokens renewed."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import respx
from pydantic import TypeAdapter

from connectors import ConfigError, build_connector
from connectors.auth import AuthConfig, OAuth2ClientCredentials, build_auth
from connectors.errors import AuthError

BASE = "https://app.test/api"
TOKEN_URL = "https://sso.test/oauth/token"


def auth(**config: Any):
    return build_auth(TypeAdapter(AuthConfig).validate_python(config))


async def applied(strategy, http=None) -> tuple[dict[str, str], dict[str, Any]]:
    headers: dict[str, str] = {}
    params: dict[str, Any] = {}
    await strategy.apply(headers, params, http)
    return headers, params


async def test_none_adds_nothing() -> None:
    assert await applied(auth(type="none")) == ({}, {})


async def test_api_key_in_a_header(secrets_env) -> None:
    headers, params = await applied(auth(type="api_key", name="X-Key", value={"env": "EPLAN_KEY"}))
    assert headers == {"X-Key": secrets_env["EPLAN_KEY"]} and params == {}


async def test_api_key_in_the_query(secrets_env) -> None:
    headers, params = await applied(auth(type="api_key", name="apikey", value={"env": "EPLAN_KEY"}, **{"in": "query"}))
    assert params == {"apikey": secrets_env["EPLAN_KEY"]} and headers == {}


async def test_bearer(secrets_env) -> None:
    headers, _ = await applied(auth(type="bearer", token={"env": "SIMPEG_TOKEN"}))
    assert headers == {"Authorization": f"Bearer {secrets_env['SIMPEG_TOKEN']}"}


async def test_basic(secrets_env) -> None:
    headers, _ = await applied(auth(type="basic", username="simpul", password={"env": "DB_PASSWORD"}))
    expected = base64.b64encode(f"simpul:{secrets_env['DB_PASSWORD']}".encode()).decode()
    assert headers == {"Authorization": f"Basic {expected}"}


def _oauth(clock) -> OAuth2ClientCredentials:
    config = TypeAdapter(AuthConfig).validate_python({
        "type": "oauth2_client_credentials", "token_url": TOKEN_URL, "client_id": "simpul",
        "client_secret": {"env": "SSO_SECRET"}, "scope": "read", "refresh_margin_s": 30,
    })
    return OAuth2ClientCredentials(config, clock=clock)


async def test_oauth2_token_is_cached_then_renewed_before_expiry(secrets_env, make_http) -> None:
    now = [0.0]
    strategy = _oauth(lambda: now[0])
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        token_route = mock.post(TOKEN_URL)
        token_route.side_effect = [
            respx.MockResponse(200, json={"access_token": "first-token-aaaa", "expires_in": 120}),
            respx.MockResponse(200, json={"access_token": "second-token-bbbb", "expires_in": 120}),
        ]
        assert (await applied(strategy, http))[0]["Authorization"] == "Bearer first-token-aaaa"
        now[0] = 80.0  # still 40 s left: more than the 30 s margin
        assert (await applied(strategy, http))[0]["Authorization"] == "Bearer first-token-aaaa"
        now[0] = 95.0  # inside the margin: renew
        assert (await applied(strategy, http))[0]["Authorization"] == "Bearer second-token-bbbb"
    assert token_route.call_count == 2
    body = token_route.calls[0].request.content.decode()
    assert "grant_type=client_credentials" in body and "scope=read" in body
    assert token_route.calls[0].request.headers["Authorization"].startswith("Basic ")


async def test_oauth2_rejected_client_is_an_auth_error(secrets_env, make_http) -> None:
    strategy = _oauth(lambda: 0.0)
    with respx.mock(assert_all_called=True) as mock:
        mock.post(TOKEN_URL).respond(401, json={"error": "invalid_client"})
        with pytest.raises(AuthError) as info:
            await applied(strategy, make_http())
    assert TOKEN_URL in info.value.messages()["en"]


async def test_oauth2_through_a_connector_reuses_the_token_across_reads(secrets_env) -> None:
    connector = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "oauth2_client_credentials", "token_url": TOKEN_URL,
                                   "client_id": "simpul", "client_secret": {"env": "SSO_SECRET"}}}},
        "resources": {"opd": {"path": "/opd"}}})
    with respx.mock(assert_all_called=True) as mock:
        token = mock.post(TOKEN_URL).respond(json={"access_token": "tok-cccc-dddd", "expires_in": 3600})
        data = mock.get(f"{BASE}/opd").respond(json=[{"kode": "1"}])
        for _ in range(2):
            assert [r async for r in connector.read("opd")] == [{"kode": "1"}]
    assert token.call_count == 1 and data.call_count == 2
    assert data.calls[0].request.headers["Authorization"] == "Bearer tok-cccc-dddd"


def test_an_unset_variable_is_named(monkeypatch) -> None:
    monkeypatch.delenv("NOPE_TOKEN", raising=False)
    connector = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "bearer", "token": {"env": "NOPE_TOKEN"}}}}})
    with pytest.raises(ConfigError) as info:
        connector.validate()
    assert "NOPE_TOKEN" in info.value.messages()["id"] and "NOPE_TOKEN" in info.value.messages()["en"]
    assert info.value.errors[0].field == "config.auth.bearer.token"


def test_a_literal_secret_is_refused() -> None:
    connector = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "bearer", "token": "plain-text-token"}}}})
    with pytest.raises(ConfigError) as info:
        connector.validate()
    assert info.value.errors[0].key == "config.secret_literal"
    assert "plain-text-token" not in str(info.value.to_dict())
