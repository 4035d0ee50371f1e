"""OAuth2 client credentials against a real authorisation server on loopback (the example e-planning, profile
``oauth2``): cached token, one renewal on 401, token requests through the network policy, secrets never logged."""

from __future__ import annotations

import logging

import pytest

from connectors import build_connector
from connectors.errors import AuthError
from connectors.netpolicy import NetworkRefused
from examples.apps.config import AppConfig
from examples.apps.server import build_app
from tests.connectors.netkit import ConnectRecorder
from tests.hub.assessment.apps import LoopbackServer

SECRET = "s3cret-eplanning-client-7781"


@pytest.fixture
def eplanning():  # type: ignore[no-untyped-def]
    app = build_app(AppConfig.create("e-planning", "oauth2", token=SECRET))
    with LoopbackServer(app) as server:
        yield server, app.state.example.issuer


def spec(base: str, token_url: str | None = None, **auth: object) -> dict[str, object]:
    return {"connector": {"type": "rest_json", "config": {
        "base_url": f"{base}/api/v1", "record_path": "data",
        "auth": {"type": "oauth2_client_credentials", "token_url": token_url or f"{base}/oauth/token",
                 "client_id": "e-planning", "client_secret": {"env": "EPLAN_OAUTH_SECRET"}, **auth}}},
        "resources": {"program": {"path": "/program"}}}


async def read_all(connector) -> list[dict]:  # type: ignore[no-untyped-def]
    return [r async for r in connector.read("program")]


async def test_the_token_is_fetched_once_then_renewed_once_when_the_application_says_401(
        eplanning, monkeypatch):
    server, issuer = eplanning
    monkeypatch.setenv("EPLAN_OAUTH_SECRET", SECRET)
    connector = build_connector(spec(server.url, scopes=["read"]))
    recorder = ConnectRecorder()
    with recorder.active(monkeypatch):
        first = await read_all(connector)
        assert first and await read_all(connector) == first
        assert issuer.issued == 1  # cached across reads
        issuer.revoke_all()  # the authorisation server forgot every token (a restart)
        assert await read_all(connector) == first
    assert issuer.issued == 2  # one renewal, then the read went through
    assert recorder.outside == [] and set(recorder.connects) == {f"127.0.0.1:{server.port}"}
    await connector.http(connector.config.http).aclose()


async def test_a_second_401_is_the_answer_not_a_loop(eplanning, monkeypatch):
    server, issuer = eplanning
    monkeypatch.setenv("EPLAN_OAUTH_SECRET", SECRET)
    monkeypatch.setattr(issuer, "valid", lambda token, scope="read": False)  # tokens issued, never accepted
    connector = build_connector(spec(server.url))
    with pytest.raises(AuthError) as err:
        await read_all(connector)
    assert err.value.params["status"] == 401
    assert issuer.issued == 2  # the first token and exactly one renewal
    await connector.http(connector.config.http).aclose()


async def test_a_wrong_client_secret_is_named_without_the_secret(eplanning, monkeypatch):
    server, issuer = eplanning
    monkeypatch.setenv("EPLAN_OAUTH_SECRET", "not-the-secret-4410")
    connector = build_connector(spec(server.url))
    with pytest.raises(AuthError) as err:
        await read_all(connector)
    text = " ".join(err.value.messages().values())
    assert "/oauth/token" in text and "not-the-secret-4410" not in text
    assert issuer.issued == 0
    await connector.http(connector.config.http).aclose()


async def test_the_token_request_goes_through_the_network_policy(monkeypatch):
    monkeypatch.setenv("EPLAN_OAUTH_SECRET", SECRET)
    connector = build_connector(spec("http://127.0.0.1:9", token_url="http://169.254.169.254/oauth/token"))
    recorder = ConnectRecorder()
    with recorder.active(monkeypatch), pytest.raises(NetworkRefused) as err:
        await read_all(connector)
    assert err.value.reason == "metadata" and recorder.connects == []
    await connector.http(connector.config.http).aclose()


async def test_neither_the_client_secret_nor_a_token_reaches_a_log(eplanning, monkeypatch, caplog):
    server, issuer = eplanning
    monkeypatch.setenv("EPLAN_OAUTH_SECRET", SECRET)
    caplog.set_level(logging.DEBUG)
    connector = build_connector(spec(server.url))
    await read_all(connector)
    issuer.revoke_all()
    await read_all(connector)
    await connector.http(connector.config.http).aclose()
    tokens = list(issuer.tokens)
    assert tokens and caplog.records
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in logged and not any(t in logged for t in tokens)
