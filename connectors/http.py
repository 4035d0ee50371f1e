"""The one HTTP layer of the connectors (httpx.AsyncClient + tenacity).

Per application (:class:`HttpClient`): connections only where the network policy allows, each pinned to the
address it checked (:mod:`connectors.netpolicy`); explicit connect/read timeouts; retries with exponential backoff and
jitter only for transient failures (connect errors, timeouts, 429, 502, 503, 504) honouring ``Retry-After``
(seconds or HTTP-date, capped); a request budget; a concurrency cap; a circuit breaker; a response size cap
(bodies are streamed and the download aborted past the cap); every request timed (method, URL without secrets,
status, elapsed ms, attempt) for evidence. URLs in logs and timings never carry secrets.

:func:`http_client_for` hands out one shared client per application per process; :func:`close_all` closes them.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import random
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
from pydantic import Field
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from connectors.circuit import CircuitBreaker
from connectors.config import StrictModel
from connectors.errors import (
    AuthError,
    BadPayload,
    BudgetExhausted,
    CircuitOpenError,
    ConnectorError,
    ResponseTooLarge,
    RetriableError,
    error_for_exception,
    error_for_status,
)
from connectors.masking import get_logger, mask_text, redact_url
from connectors.netpolicy import NetPolicy, NetworkRefused, default_policy

log = get_logger("http")
ERROR_BODY_BYTES = 64 * 1024


class HttpSettings(StrictModel):
    """Network behaviour towards one application; every field has a safe default."""

    connect_timeout_s: float = Field(5.0, gt=0, description="Seconds to open a connection")
    read_timeout_s: float = Field(30.0, gt=0, description="Seconds to wait for data")
    max_attempts: int = Field(4, ge=1, le=20, description="Attempts per request, the first included")
    backoff_initial_s: float = Field(0.5, ge=0, description="First back-off; doubles each attempt, with jitter")
    backoff_max_s: float = Field(30.0, ge=0)
    retry_after_cap_s: float = Field(60.0, ge=0, description="Longest Retry-After honoured")
    request_budget: int = Field(10_000, ge=1, description="Most requests per verb run (retries count)")
    max_concurrency: int = Field(4, ge=1, le=64, description="Requests in flight at once")
    max_response_bytes: int = Field(50 * 1024 * 1024, ge=1024, description="Largest body accepted")
    circuit_failure_threshold: int = Field(5, ge=1, description="Consecutive failures that open the circuit")
    circuit_cooldown_s: float = Field(30.0, ge=0, description="Seconds before a trial call when open")
    verify_tls: bool = True
    user_agent: str = "Simpul-connector/0.1 (+https://github.com/simpul)"


class Auth(Protocol):
    async def apply(self, headers: dict[str, str], params: dict[str, Any], http: HttpClient) -> None: ...


@dataclass(frozen=True)
class RequestTiming:
    method: str
    url: str
    status: int | None
    elapsed_ms: float
    attempt: int
    error: str | None = None
    bytes: int = 0


@dataclass
class HttpResponse:
    status_code: int
    headers: httpx.Headers
    content: bytes
    url: str
    elapsed_ms: float

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        try:
            return jsonlib.loads(self.content)
        except ValueError as exc:
            raise BadPayload("http.not_json", url=redact_url(self.url), detail=str(exc)[:120]) from None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


# Retrying a POST is only safe when the application certainly did not process it.
_SAFE_FOR_UNSAFE_METHODS = {"http.rate_limited", "http.connect_error", "http.connect_timeout"}


class HttpClient:
    """HTTP towards one application. Use one per application (:func:`http_client_for`)."""

    def __init__(
        self,
        app: str,
        settings: HttpSettings | None = None,
        *,
        client: httpx.AsyncClient | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        timings_kept: int = 10_000,
        policy: NetPolicy | None = None,
    ) -> None:
        self.app = app
        self.policy = policy  # None: the process-wide policy (connectors.netpolicy.default_policy)
        self.settings = settings or HttpSettings()
        self.breaker = CircuitBreaker(app, self.settings.circuit_failure_threshold, self.settings.circuit_cooldown_s)
        self.timings: deque[RequestTiming] = deque(maxlen=timings_kept)
        self.waits: list[float] = []
        self._given_client = client
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sem: asyncio.Semaphore | None = None
        self._sleep = sleep
        self.requests_made = 0

    # -- lifecycle -------------------------------------------------------------------------------------------
    def _ensure(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._sem is None:
            self._loop = loop
            self._sem = asyncio.Semaphore(self.settings.max_concurrency)
            self._client = None
        if self._client is None:
            s = self.settings
            self._client = self._given_client or (self.policy or default_policy()).async_client(
                timeout=httpx.Timeout(s.read_timeout_s, connect=s.connect_timeout_s),
                limits=httpx.Limits(max_connections=s.max_concurrency, max_keepalive_connections=s.max_concurrency),
                verify=s.verify_tls,
                follow_redirects=True,  # every hop is a new connection, checked by the policy again
                headers={"User-Agent": s.user_agent},
            )
        return self._client, self._sem

    async def aclose(self) -> None:
        if self._client is not None and self._client is not self._given_client:
            await self._client.aclose()
        self._client = None

    def reset_budget(self) -> None:
        self.requests_made = 0

    # -- public verbs ----------------------------------------------------------------------------------------
    async def get(self, url: str, **kwargs: Any) -> HttpResponse:
        return await self.request("GET", url, **kwargs)

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        auth: Auth | None = None,
        max_bytes: int | None = None,
        sink: Path | None = None,
    ) -> HttpResponse:
        """Send with retries; the body is read into memory, or streamed into ``sink`` when given.

        When the application answers 401 and ``auth`` can renew its credentials (an OAuth2 token), the cached
        token is dropped and the request sent once more with a fresh one; a second 401 is the answer."""
        try:
            return await self._request(method, url, params=params, headers=headers, json=json, data=data,
                                       auth=auth, max_bytes=max_bytes, sink=sink)
        except AuthError as exc:
            renew = getattr(auth, "invalidate", None)
            if renew is None or exc.key != "http.unauthorized":
                raise
            log.info("app %s: credentials rejected (401), renewing the token once", self.app)
            renew()
            return await self._request(method, url, params=params, headers=headers, json=json, data=data,
                                       auth=auth, max_bytes=max_bytes, sink=sink)

    async def _request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        json: Any,
        data: Mapping[str, Any] | None,
        auth: Auth | None,
        max_bytes: int | None,
        sink: Path | None,
    ) -> HttpResponse:
        method = method.upper()
        idempotent = method in {"GET", "HEAD", "OPTIONS", "PUT", "DELETE"}
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            retry=retry_if_exception(lambda e: self._should_retry(e, idempotent)),
            wait=self._wait,
            sleep=self._record_sleep,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                hdrs = dict(headers or {})
                prms = dict(params or {})
                if auth is not None:
                    await auth.apply(hdrs, prms, self)
                return await self._send_once(
                    method, url, prms, hdrs, json, data,
                    max_bytes or self.settings.max_response_bytes, attempt.retry_state.attempt_number, sink,
                )
        raise AssertionError("unreachable")  # pragma: no cover

    async def download(self, url: str, dest: Path, **kwargs: Any) -> HttpResponse:
        """Stream a (large) body into ``dest`` under the size cap; the returned ``content`` is empty."""
        return await self.request("GET", url, sink=dest, **kwargs)

    # -- one attempt -----------------------------------------------------------------------------------------
    async def _send_once(
        self, method: str, url: str, params: dict[str, Any], headers: dict[str, str], json: Any,
        data: Mapping[str, Any] | None, max_bytes: int, attempt: int, sink: Path | None,
    ) -> HttpResponse:
        if self.requests_made >= self.settings.request_budget:
            raise BudgetExhausted("http.budget", app=self.app, budget=self.settings.request_budget)
        self.breaker.before_call()
        self.requests_made += 1
        client, sem = self._ensure()
        safe_url = redact_url(url)
        async with sem:
            start = time.perf_counter()
            status: int | None = None
            size = 0
            try:
                request = client.build_request(method, url, params=params or None, headers=headers, json=json,
                                               data=data)
                safe_url = redact_url(str(request.url))
                response = await client.send(request, stream=True)
                status = response.status_code
                try:
                    retry_after = parse_retry_after(response.headers.get("retry-after"))
                    error = error_for_status(status, safe_url, retry_after)
                    if error is None:
                        content, size = await _read_capped(response, max_bytes, safe_url, sink)
                    else:
                        body, size = await _read_capped(response, ERROR_BODY_BYTES, safe_url, None, truncate=True)
                        error.params.setdefault("detail", mask_text(body[:300].decode("utf-8", "replace")))
                finally:
                    await response.aclose()
            except NetworkRefused as exc:  # Simpul's own rule, not the application's failure: never retried
                self._finish(method, safe_url, None, start, attempt, exc, 0)
                raise
            except httpx.TransportError as exc:
                error = error_for_exception(exc, safe_url)
                self._finish(method, safe_url, None, start, attempt, error, 0)
                self.breaker.record_failure()
                raise error from None
            except ConnectorError as exc:  # e.g. the body passed the size cap: the application did answer
                self._finish(method, safe_url, status, start, attempt, exc, size)
                self.breaker.record_success()
                raise
            elapsed = self._finish(method, safe_url, status, start, attempt, error, size)
        if isinstance(error, RetriableError):
            if error.key == "http.rate_limited":
                self.breaker.release()  # the application is up, only busy: Retry-After handles it
            else:
                self.breaker.record_failure()
            raise error
        self.breaker.record_success()
        if error is not None:
            raise error
        return HttpResponse(status, response.headers, content, str(response.url), elapsed)

    def _finish(self, method: str, url: str, status: int | None, start: float, attempt: int,
                error: Exception | None, size: int) -> float:
        elapsed = round((time.perf_counter() - start) * 1000, 2)
        err = getattr(error, "key", None) if error is not None else None
        self.timings.append(RequestTiming(method, url, status, elapsed, attempt, err, size))
        log.debug("%s %s -> %s in %.1f ms (attempt %d)%s", method, url, status, elapsed, attempt,
                  f" [{err}]" if err else "")
        return elapsed

    # -- retry policy ----------------------------------------------------------------------------------------
    def _should_retry(self, exc: BaseException, idempotent: bool) -> bool:
        if not isinstance(exc, RetriableError) or isinstance(exc, CircuitOpenError):
            return False
        return idempotent or exc.key in _SAFE_FOR_UNSAFE_METHODS or exc.params.get("status") == 503

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        s = self.settings
        if isinstance(exc, RetriableError) and exc.retry_after is not None:
            return min(exc.retry_after, s.retry_after_cap_s)
        ceiling = min(s.backoff_max_s, s.backoff_initial_s * (2 ** (state.attempt_number - 1)))
        return random.uniform(ceiling / 2, ceiling)  # "equal jitter": never zero, never in lock-step

    async def _record_sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        if seconds > 0:
            log.info("app %s: waiting %.2f s before retrying", self.app, seconds)
        await self._sleep(seconds)


async def _read_capped(
    response: httpx.Response, limit: int, url: str, sink: Path | None, *, truncate: bool = False,
) -> tuple[bytes, int]:
    declared = response.headers.get("content-length")
    if not truncate and declared and declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge("http.too_large", url=url, limit=limit, size=int(declared))
    total = 0
    chunks: list[bytes] = []
    handle = sink.open("wb") if sink is not None else None
    try:
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > limit:
                if truncate:
                    chunks.append(chunk[: max(0, limit - (total - len(chunk)))])
                    break
                raise ResponseTooLarge("http.too_large", url=url, limit=limit, size=f">{limit}")
            if handle is not None:
                handle.write(chunk)
            else:
                chunks.append(chunk)
    finally:
        if handle is not None:
            handle.close()
    return b"".join(chunks), total


_SHARED: dict[tuple[str, str, int], HttpClient] = {}
_LOOPS: dict[tuple[str, str, int], asyncio.AbstractEventLoop | None] = {}


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def http_client_for(app: str, settings: HttpSettings | None = None) -> HttpClient:
    """The shared client of ``app`` in this process and event loop (one per application and settings).

    A client belongs to the event loop it was made in; clients of loops that have since closed (one
    ``asyncio.run`` per CLI step) are dropped instead of being reused on a dead loop.
    """
    for stale in [k for k, loop in _LOOPS.items() if loop is not None and loop.is_closed()]:
        _SHARED.pop(stale, None)
        _LOOPS.pop(stale, None)
    settings = settings or HttpSettings()
    loop = _current_loop()
    key = (app, settings.model_dump_json(), id(loop) if loop is not None else 0)
    client = _SHARED.get(key)
    if client is None:
        client = _SHARED[key] = HttpClient(app, settings)
        _LOOPS[key] = loop
    return client


async def close_all() -> None:
    """Close every shared client (at the end of a CLI command or on API shutdown)."""
    # a client made on an event loop that is closed now (an earlier asyncio.run in this process) cannot be closed
    # any more: its connections went with that loop, so it is only dropped
    clients = [c for k, c in _SHARED.items() if (loop := _LOOPS.get(k)) is None or not loop.is_closed()]
    _SHARED.clear()
    _LOOPS.clear()
    for client in clients:
        await client.aclose()
