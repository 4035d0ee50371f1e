"""The circuit breaker: an application that is down is left alone until its cool-down ends."""

from __future__ import annotations

import httpx
import pytest
import respx

from connectors.circuit import CircuitBreaker, State
from connectors.errors import CircuitOpenError, NotFoundError, RetriableError

URL = "https://down.test/api"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_n_consecutive_failures() -> None:
    breaker = CircuitBreaker("app", failure_threshold=3, cooldown_s=10, clock=Clock())
    for _ in range(2):
        breaker.before_call()
        breaker.record_failure()
    assert breaker.state is State.CLOSED
    breaker.before_call()
    breaker.record_failure()
    assert breaker.state is State.OPEN
    with pytest.raises(CircuitOpenError) as info:
        breaker.before_call()
    assert "3" in info.value.messages()["id"]


def test_a_success_resets_the_count() -> None:
    breaker = CircuitBreaker("app", failure_threshold=2, cooldown_s=10, clock=Clock())
    breaker.record_failure()
    breaker.record_success()
    breaker.record_failure()
    assert breaker.state is State.CLOSED


def test_half_open_after_cool_down_lets_one_trial_through() -> None:
    clock = Clock()
    breaker = CircuitBreaker("app", failure_threshold=1, cooldown_s=10, clock=clock)
    breaker.record_failure()
    clock.now += 10
    assert breaker.state is State.HALF_OPEN
    breaker.before_call()  # the trial
    with pytest.raises(CircuitOpenError):
        breaker.before_call()  # a second caller while the trial runs
    breaker.record_success()
    assert breaker.state is State.CLOSED


def test_a_failed_trial_opens_again_for_a_full_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker("app", failure_threshold=1, cooldown_s=10, clock=clock)
    breaker.record_failure()
    clock.now += 10
    breaker.before_call()
    breaker.record_failure()
    clock.now += 9
    assert breaker.state is State.OPEN


async def test_http_client_stops_calling_an_application_that_is_down(make_http) -> None:
    http = make_http(max_attempts=2, circuit_failure_threshold=4, circuit_cooldown_s=60)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL).respond(503)
        for _ in range(2):
            with pytest.raises(RetriableError):
                await http.get(URL)
        assert route.call_count == 4
        with pytest.raises(CircuitOpenError):
            await http.get(URL)
        assert route.call_count == 4  # refused without touching the network


async def test_a_4xx_answer_proves_the_application_is_up(make_http) -> None:
    http = make_http(max_attempts=1, circuit_failure_threshold=2)
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(URL)
        route.side_effect = [httpx.Response(503), httpx.Response(404), httpx.Response(503), httpx.Response(200)]
        with pytest.raises(RetriableError):
            await http.get(URL)
        with pytest.raises(NotFoundError):
            await http.get(URL)
        with pytest.raises(RetriableError):
            await http.get(URL)
        await http.get(URL)
    assert http.breaker.state is State.CLOSED


async def test_rate_limiting_does_not_open_the_circuit(make_http) -> None:
    """429 says the application is up but busy: Retry-After handles it, the breaker stays closed."""
    http = make_http(max_attempts=1, circuit_failure_threshold=1)
    with respx.mock(assert_all_called=True) as mock:
        mock.get(URL).respond(429)
        for _ in range(3):
            with pytest.raises(RetriableError):
                await http.get(URL)
    assert http.breaker.state is State.CLOSED
