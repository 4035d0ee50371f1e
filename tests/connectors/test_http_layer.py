"""The HTTP layer: what is retried and what stops at once, Retry-After, budget, concurrency, size cap, timings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
import respx

from connectors.errors import (
    Action,
    AuthError,
    BudgetExhausted,
    FatalError,
    NotFoundError,
    ResponseTooLarge,
    RetriableError,
    rule_for_status,
)
from connectors.http import http_client_for, parse_retry_after

URL = "https://app.test/api/data"


@pytest.mark.parametrize(
    ("status", "action"),
    [(200, Action.OK), (204, Action.OK), (401, Action.FAIL), (403, Action.FAIL), (404, Action.FAIL),
     (422, Action.FAIL), (429, Action.RATE_LIMITED), (500, Action.FAIL), (502, Action.RETRY),
     (503, Action.RETRY), (504, Action.RETRY)],
)
def test_status_table_says_what_each_status_means(status: int, action: Action) -> None:
    assert rule_for_status(status).action is action


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_transient_statuses_are_retried_then_succeed(make_http, sleeps, status: int) -> None:
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL)
        route.side_effect = [httpx.Response(status), httpx.Response(status), httpx.Response(200, json=[1])]
        response = await http.get(URL)
    assert response.json() == [1]
    assert route.call_count == 3
    assert len(sleeps) == 2
    assert [t.attempt for t in http.timings] == [1, 2, 3]
    assert [t.status for t in http.timings] == [status, status, 200]


async def test_retries_stop_after_max_attempts(make_http) -> None:
    http = make_http(max_attempts=3)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL).respond(503)
        with pytest.raises(RetriableError) as info:
            await http.get(URL)
    assert route.call_count == 3
    assert "503" in info.value.messages()["en"]


async def test_retry_after_seconds_is_honoured(make_http, sleeps) -> None:
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).side_effect = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={})]
        await http.get(URL)
    assert sleeps == [7.0]


async def test_retry_after_http_date_is_honoured_and_capped(make_http, sleeps) -> None:
    http = make_http(retry_after_cap_s=30)
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).side_effect = [httpx.Response(503, headers={"Retry-After": later}),
                                     httpx.Response(200, json={})]
        await http.get(URL)
    assert sleeps == [30.0]


def test_retry_after_parsing() -> None:
    now = datetime(2024, 5, 1, 10, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 01 May 2024 10:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("Wed, 01 May 2024 09:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_backoff_grows_with_jitter(make_http, sleeps) -> None:
    http = make_http(backoff_initial_s=1, backoff_max_s=3, max_attempts=4)
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(502)
        with pytest.raises(RetriableError):
            await http.get(URL)
    first, second, third = sleeps
    assert 0.5 <= first <= 1 and 1 <= second <= 2 and 1.5 <= third <= 3


@pytest.mark.parametrize(("status", "error"), [(401, AuthError), (403, AuthError), (404, NotFoundError),
                                               (400, FatalError), (500, FatalError)])
async def test_fatal_statuses_stop_at_once(make_http, sleeps, status: int, error: type[Exception]) -> None:
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL).respond(status, text="nope")
        with pytest.raises(error):
            await http.get(URL)
    assert route.call_count == 1
    assert sleeps == []


async def test_connect_errors_and_timeouts_are_retried(make_http) -> None:
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL)
        route.side_effect = [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.Response(200, json=[])]
        await http.get(URL)
    assert route.call_count == 3
    assert [t.error for t in http.timings] == ["http.connect_error", "http.read_timeout", None]


async def test_post_is_not_retried_after_a_bad_gateway(make_http) -> None:
    """A 502 on POST may mean the application did process it: retrying could create a duplicate."""
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL).respond(502)
        with pytest.raises(RetriableError):
            await http.request("POST", URL, json={"a": 1})
    assert route.call_count == 1


async def test_post_is_retried_on_429(make_http) -> None:
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(URL)
        route.side_effect = [httpx.Response(429), httpx.Response(201, json={})]
        await http.request("POST", URL, json={"a": 1})
    assert route.call_count == 2


async def test_request_budget_stops_a_run(make_http) -> None:
    http = make_http(request_budget=2)
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(200, json=[])
        await http.get(URL)
        await http.get(URL)
        with pytest.raises(BudgetExhausted) as info:
            await http.get(URL)
    assert "2" in info.value.messages()["id"]


async def test_concurrency_is_capped(make_http) -> None:
    http = make_http(max_concurrency=2)
    in_flight = peak = 0

    async def slow(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return httpx.Response(200, json=[])

    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).mock(side_effect=slow)
        await asyncio.gather(*(http.get(URL) for _ in range(8)))
    assert peak == 2


async def test_declared_size_over_the_cap_is_refused(make_http) -> None:
    http = make_http(max_response_bytes=1024)
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(200, content=b"x" * 2048)
        with pytest.raises(ResponseTooLarge):
            await http.get(URL)


async def test_streamed_body_is_aborted_past_the_cap(make_http) -> None:
    http = make_http(max_response_bytes=1024)

    async def chunks():
        for _ in range(10):
            yield b"y" * 500

    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(200, stream=chunks())  # no Content-Length: the cap is met while streaming
        with pytest.raises(ResponseTooLarge) as info:
            await http.get(URL)
    assert "1024" in info.value.messages()["en"]


async def test_download_streams_into_a_file(make_http, tmp_path) -> None:
    http = make_http()
    target = tmp_path / "export.csv"
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(200, content=b"a,b\n1,2\n")
        response = await http.download(URL, target)
    assert target.read_bytes() == b"a,b\n1,2\n"
    assert response.content == b""


async def test_timings_carry_no_secret(make_http) -> None:
    http = make_http()
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(200, json=[])
        await http.get(URL, params={"api_key": "k-123456", "page": 2})
    timing = http.timings[-1]
    assert "k-123456" not in timing.url
    assert "page=2" in timing.url
    assert timing.method == "GET" and timing.status == 200 and timing.elapsed_ms >= 0 and timing.attempt == 1


async def test_one_shared_client_per_application() -> None:
    assert http_client_for("simpeg") is http_client_for("simpeg")
    assert http_client_for("simpeg") is not http_client_for("sipd")


async def test_the_budget_counts_per_verb_run() -> None:
    from connectors import build_connector

    connector = build_connector({"connector": {"type": "rest_json", "config": {
        "base_url": "https://app.test/api", "http": {"request_budget": 2}}},
        "resources": {"data": {"path": "/data"}}})
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(json=[])
        for _ in range(3):  # each read may make 2 requests; the budget is not shared between runs
            assert [r async for r in connector.read("data")] == []
            assert (await connector.check()).ok
