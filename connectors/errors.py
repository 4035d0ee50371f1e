"""The error tree of the connectors, and the table that decides what an HTTP outcome means.

Every error carries a message key of ``messages.yaml`` and its parameters, so the hub can show it in Bahasa
Indonesia or English (``err.messages()`` → ``{"id": ..., "en": ...}``).

    ConnectorError
    ├── ConfigError            every configuration problem at once (``.errors``: list of FieldError)
    ├── FatalError             stop at once, never retried
    │   ├── AuthError          401 / 403: credentials missing, wrong or without rights
    │   ├── NotFoundError      404, or a resource the connector does not offer
    │   ├── ResponseTooLarge   the body passed the size cap (the download was aborted)
    │   ├── BudgetExhausted    the request budget of the application is spent
    │   ├── BadPayload         the application answered, but not with what was expected
    │   └── Unsupported        e.g. ``write()`` on a read-only connector
    └── RetriableError         connect errors, timeouts, 429, 502, 503, 504 (``retry_after`` in seconds)
        └── CircuitOpenError   the application failed too often; not called until the cool-down ends

The status → action table is data (``STATUS_RULES``), read top to bottom; the first match wins.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import httpx

from connectors.messages import message


class ConnectorError(Exception):
    key = "error.connector"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.messages()["en"])

    def messages(self) -> dict[str, str]:
        return message(self.key, **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "key": self.key, "message": self.messages()}


@dataclass(frozen=True)
class FieldError:
    """One configuration problem: where (dotted path) and why (bilingual)."""

    field: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> dict[str, str]:
        return message(self.key, field=self.field, **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "key": self.key, "message": self.message}


class ConfigError(ConnectorError):
    key = "error.config"

    def __init__(self, errors: list[FieldError], *, what: str = "config") -> None:
        self.errors = list(errors)
        lines = {lang: "; ".join(e.message[lang] for e in self.errors) for lang in ("id", "en")}
        self._lines = lines
        super().__init__(self.key, count=len(self.errors), what=what, details=lines["en"])

    def messages(self) -> dict[str, str]:
        base = message(self.key, count=len(self.errors), what=self.params.get("what", "config"))
        return {lang: f"{base[lang]} {self._lines[lang]}" for lang in base}

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "errors": [e.to_dict() for e in self.errors]}


class FatalError(ConnectorError):
    key = "error.fatal"


class AuthError(FatalError):
    key = "http.unauthorized"


class NotFoundError(FatalError):
    key = "http.not_found"


class ResponseTooLarge(FatalError):
    key = "http.too_large"


class BudgetExhausted(FatalError):
    key = "http.budget"


class BadPayload(FatalError):
    key = "http.bad_payload"


class Unsupported(FatalError):
    key = "error.unsupported"


class RetriableError(ConnectorError):
    key = "error.retriable"

    def __init__(self, key: str | None = None, /, *, retry_after: float | None = None, **params: Any) -> None:
        self.retry_after = retry_after
        super().__init__(key, **params)


class CircuitOpenError(RetriableError):
    key = "http.circuit_open"


class Action(StrEnum):
    OK = "ok"
    RETRY = "retry"            # transient: back off and try again
    RATE_LIMITED = "rate_limited"  # retry, honouring Retry-After
    FAIL = "fail"              # stop at once


@dataclass(frozen=True)
class StatusRule:
    low: int
    high: int
    action: Action
    error: type[ConnectorError] | None
    key: str


STATUS_RULES: tuple[StatusRule, ...] = (
    StatusRule(200, 399, Action.OK, None, ""),
    StatusRule(401, 401, Action.FAIL, AuthError, "http.unauthorized"),
    StatusRule(403, 403, Action.FAIL, AuthError, "http.forbidden"),
    StatusRule(404, 404, Action.FAIL, NotFoundError, "http.not_found"),
    StatusRule(429, 429, Action.RATE_LIMITED, RetriableError, "http.rate_limited"),
    StatusRule(400, 499, Action.FAIL, FatalError, "http.client_error"),
    StatusRule(502, 504, Action.RETRY, RetriableError, "http.unavailable"),
    StatusRule(500, 599, Action.FAIL, FatalError, "http.server_error"),
)

# Exceptions of httpx that mean "the application did not answer (in time)": always transient.
RETRIABLE_EXCEPTIONS: tuple[type[Exception], ...] = (httpx.TransportError,)
EXCEPTION_KEYS: tuple[tuple[type[Exception], str], ...] = (
    (httpx.ConnectTimeout, "http.connect_timeout"),
    (httpx.ConnectError, "http.connect_error"),
    (httpx.TimeoutException, "http.read_timeout"),
    (httpx.TransportError, "http.transport_error"),
)


def rule_for_status(status: int) -> StatusRule:
    for rule in STATUS_RULES:
        if rule.low <= status <= rule.high:
            return rule
    return StatusRule(status, status, Action.FAIL, FatalError, "http.server_error")


def error_for_status(status: int, url: str, retry_after: float | None = None) -> ConnectorError | None:
    """The error an HTTP status means (``None`` for success), following ``STATUS_RULES``."""
    rule = rule_for_status(status)
    if rule.error is None:
        return None
    if issubclass(rule.error, RetriableError):
        return rule.error(rule.key, status=status, url=url, retry_after=retry_after)
    return rule.error(rule.key, status=status, url=url)


def error_for_exception(exc: Exception, url: str) -> RetriableError:
    for kind, key in EXCEPTION_KEYS:
        if isinstance(exc, kind):
            return RetriableError(key, url=url, detail=type(exc).__name__)
    return RetriableError("http.transport_error", url=url, detail=type(exc).__name__)
