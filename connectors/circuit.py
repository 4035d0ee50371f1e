"""A circuit breaker: stop hammering an application that is down.

closed ──(N consecutive failures)──► open ──(cool-down elapsed)──► half-open ──(trial succeeds)──► closed
                                      ▲                                  │
                                      └──────────(trial fails)───────────┘

While open, calls are refused at once (:class:`~connectors.errors.CircuitOpenError`) without touching the
network. Half-open lets exactly one trial call through; others are refused until it finishes.
Only transient failures count (connect errors, timeouts, 502/503/504, 429): a 404 says the application is up.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum

from connectors.errors import CircuitOpenError


class State(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    def __init__(
        self,
        name: str,
        failure_threshold: int = 5,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.failure_threshold = max(1, failure_threshold)
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._state = State.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_in_flight = False

    @property
    def state(self) -> State:
        if self._state is State.OPEN and self._clock() - self._opened_at >= self.cooldown_s:
            return State.HALF_OPEN
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def before_call(self) -> None:
        """Raise :class:`CircuitOpenError` when the call must not be made now."""
        state = self.state
        if state is State.CLOSED:
            return
        if state is State.HALF_OPEN and not self._trial_in_flight:
            self._state = State.HALF_OPEN
            self._trial_in_flight = True
            return
        remaining = max(0.0, self.cooldown_s - (self._clock() - self._opened_at))
        raise CircuitOpenError(
            "http.circuit_open", app=self.name, failures=self._failures,
            seconds=round(remaining, 1), retry_after=remaining,
        )

    def record_success(self) -> None:
        self._failures = 0
        self._state = State.CLOSED
        self._trial_in_flight = False

    def record_failure(self) -> None:
        self._failures += 1
        self._trial_in_flight = False
        if self._state is State.HALF_OPEN or self._failures >= self.failure_threshold:
            self._state = State.OPEN
            self._opened_at = self._clock()

    def release(self) -> None:
        """The call ended without saying anything about the application's health (e.g. a 404)."""
        if self._state is State.HALF_OPEN and self._trial_in_flight:
            self.record_success()
