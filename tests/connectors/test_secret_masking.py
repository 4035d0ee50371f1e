"""No secret reaches a log line, an error message or the recorded timings."""

from __future__ import annotations

import logging

import pytest
import respx

from connectors import build_connector, get_logger, mask_text, redact_url
from connectors.masking import SECRET_FILTER, remember_secret

BASE = "https://app.test/api"


def test_known_secret_values_are_masked_anywhere() -> None:
    remember_secret("s3cr3t-value-xyz")
    assert mask_text("token was s3cr3t-value-xyz, sorry") == "token was ***, sorry"


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("authorization=Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("GET https://x.test/a?api_key=K123456&page=2", "K123456"),
        ("GET https://x.test/a?access_token=T987654", "T987654"),
        ('{"client_secret": "cs-112233"}', "cs-112233"),
        ("postgresql://simpul:pa55word@db/simpeg", "pa55word"),
        ("X-API-Key: k-77889900", "k-77889900"),
    ],
)
def test_credential_patterns_are_masked(text: str, leak: str) -> None:
    assert leak not in mask_text(text)


def test_redact_url_keeps_what_is_useful() -> None:
    url = redact_url("https://user:pw-4455@x.test/api?page=2&apikey=K-1&token=T-2")
    assert "page=2" in url and "pw-4455" not in url and "K-1" not in url and "T-2" not in url


def test_connector_loggers_mask_messages_and_arguments(caplog: pytest.LogCaptureFixture) -> None:
    remember_secret("arg-secret-9911")
    log = get_logger("test")
    assert SECRET_FILTER in log.filters
    with caplog.at_level(logging.INFO, logger="simpul.connectors.test"):
        log.info("calling with %s and Authorization: Bearer zz-top-123", "arg-secret-9911")
    text = caplog.records[-1].getMessage()
    assert "arg-secret-9911" not in text and "zz-top-123" not in text and "***" in text


async def test_a_whole_run_logs_no_secret(secrets_env, caplog: pytest.LogCaptureFixture) -> None:
    """api key in the query string, httpx's own request log, our debug log, errors and timings."""
    connector = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "api_key", "name": "api_key", "value": {"env": "EPLAN_KEY"},
                                   "in": "query"}, "http": {"backoff_initial_s": 0}}},
        "resources": {"program": {"path": "/program"}}})
    with caplog.at_level(logging.DEBUG), respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{BASE}/program")
        route.side_effect = [respx.MockResponse(503), respx.MockResponse(200, json=[{"a": 1}])]
        assert [r async for r in connector.read("program")] == [{"a": 1}]
    secret = secrets_env["EPLAN_KEY"]
    assert route.calls[0].request.url.params["api_key"] == secret  # it was sent...
    assert caplog.records, "the run should have logged something"
    assert all(secret not in r.getMessage() for r in caplog.records)  # ...but never logged
    assert all(secret not in t.url for t in connector.http().timings)


async def test_errors_carry_no_secret(secrets_env) -> None:
    connector = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "api_key", "name": "key", "value": {"env": "EPLAN_KEY"},
                                   "in": "query"}}}, "resources": {"program": {"path": "/program"}}})
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/program").respond(401, text=f"bad key {secrets_env['EPLAN_KEY']}")
        result = await connector.check()
    assert result.status == "failed"
    assert secrets_env["EPLAN_KEY"] not in result.model_dump_json()
