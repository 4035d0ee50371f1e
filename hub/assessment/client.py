"""The probes' HTTP client: raw answers (no retries, no raising on status), a request budget, a deadline,
the host policy on every hop, and every exchange kept for evidence.

It sits on ``httpx.AsyncClient`` directly (not the connectors' client): an assessment must see each 503 and each
slow answer as it is, where a connector would retry it away. Its transport is the run's pinned transport
(:meth:`HostPolicy.transport`): a connection goes only to an address the policy checked.
"""

from __future__ import annotations

import json
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from connectors.auth import OAuth2ClientCredentials, OAuth2ClientCredentialsConfig
from connectors.config import literal_secret
from connectors.errors import ConnectorError
from connectors.http import HttpClient, HttpSettings
from hub import __version__
from hub.assessment.evidence import build_exchange, redact_text
from hub.assessment.models import AssessmentTarget, HttpExchange, OAuth2Grant, ProbeLimits
from hub.assessment.safety import HostPolicy, RefusedHost

REDIRECTS = (301, 302, 303, 307, 308)
_SSL_CONTEXT: ssl.SSLContext | None = None


def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every probe client (building one reads the CA bundle: ~30 ms)."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


class BudgetExhausted(Exception):
    """Simpul's own request budget for this target is used up (an ``error``, not the application's fault)."""


class DeadlineExceeded(Exception):
    """Simpul's own time budget for this target is used up (an ``error``, not the application's fault)."""


@dataclass
class Response:
    label: str
    method: str
    url: str
    status: int | None
    headers: httpx.Headers
    content: bytes
    elapsed_ms: float
    error: str | None = None
    truncated: bool = False
    request_headers: dict[str, str] = field(default_factory=dict)
    request_body: bytes | None = None
    redacted: HttpExchange | None = field(default=None, repr=False, compare=False)
    started: float = 0.0  # time.perf_counter() when the request was sent and when its answer was read: the lag
    finished: float = 0.0  # monitor (hub/assessment/lag.py) tells how long the hub itself was busy in between

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/"

    @property
    def answered(self) -> bool:
        return self.status is not None

    @property
    def server_error(self) -> bool:
        return self.status is None or self.status >= 500

    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class ProbeToken:
    """The OAuth2 token of one run: fetched from the token endpoint through the run's own pinned client (so
    through the network policy), cached until shortly before it expires, renewed once per request on a 401. A
    token endpoint that fails leaves the probes unauthenticated (the application's 401 then says why) and keeps
    the reason in ``error``; a token endpoint the policy refuses stops the check (``RefusedHost``)."""

    def __init__(self, grant: OAuth2Grant, client: ProbeClient) -> None:
        self.strategy = OAuth2ClientCredentials(OAuth2ClientCredentialsConfig(
            type="oauth2_client_credentials", token_url=grant.token_url, client_id=grant.client_id,
            client_secret=literal_secret(grant.client_secret.get_secret_value()), scope=grant.scope,
            audience=grant.audience, client_auth=grant.client_auth))
        self.http = HttpClient(f"assessment:{client.target.app_id}:oauth2", HttpSettings(
            connect_timeout_s=client.limits.connect_timeout_s, read_timeout_s=client.limits.read_timeout_s,
            max_attempts=2, backoff_initial_s=0.2, backoff_max_s=1.0, request_budget=50,
            max_response_bytes=64 * 1024), client=client._client)
        self.client = client
        self.error: str | None = None
        self.renewals = 0

    async def token(self) -> str | None:
        if self.error is not None:
            return None
        await self.client.policy.network.check(self.strategy.config.token_url)  # also with a test transport
        try:
            value = await self.strategy.token(self.http)
        except RefusedHost:
            raise
        except ConnectorError as exc:
            self.error = redact_text(exc.messages()["en"], self.client.secrets)
            return None
        if value not in self.client.secrets:
            self.client.secrets.append(value)
        return value

    def renew(self) -> bool:
        """Drop the token so that the next request fetches a fresh one; False once renewals are used up."""
        if self.error is not None or self.renewals >= 20:
            return False
        self.renewals += 1
        self.strategy.invalidate()
        return True


def join(base_url: str, path: str) -> str:
    """``base_url`` + ``path`` (a path keeps the base's prefix; an absolute URL is used as is)."""
    if path.startswith(("http://", "https://")):
        return path
    return base_url.rstrip("/") + "/" + path.lstrip("/")


class ProbeClient:
    def __init__(self, target: AssessmentTarget, limits: ProbeLimits, policy: HostPolicy,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.target, self.limits, self.policy = target, limits, policy
        self.requests_made = 0
        self.answered = 0  # requests that got any HTTP answer
        self.started = time.monotonic()
        self.deadline = self.started + limits.total_timeout_s
        self.secrets = target.auth.secret_values()
        self.secret_headers = list(target.auth.headers) + (["Authorization"] if target.auth.oauth2 else [])
        self.secret_params = list(target.auth.query)
        pool = httpx.Limits(max_connections=max(limits.load_levels) + 2, max_keepalive_connections=8)
        self._client = httpx.AsyncClient(
            transport=transport or policy.transport(verify=ssl_context(), limits=pool),
            timeout=httpx.Timeout(limits.read_timeout_s, connect=limits.connect_timeout_s),
            follow_redirects=False,  # redirects are followed by request(), through policy.check
            trust_env=False,  # an environment proxy would connect where the policy cannot see
            headers={"User-Agent": f"Simpul-assessment/{__version__}", "Accept-Language": "id",
                     "Accept": "application/json, */*;q=0.5"},
        )

        self.oauth = ProbeToken(target.auth.oauth2, self) if target.auth.oauth2 is not None else None

    async def aclose(self) -> None:
        await self._client.aclose()

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def url(self, path: str) -> str:
        return join(self.target.base_url, path)

    async def _auth(self, headers: dict[str, str], params: dict[str, Any]) -> bool:
        """Add the credentials; True when an OAuth2 token was added (a 401 may then renew it once)."""
        for name, value in self.target.auth.headers.items():
            headers.setdefault(name, value.get_secret_value())
        for name, value in self.target.auth.query.items():
            params.setdefault(name, value.get_secret_value())
        if self.oauth is None or "Authorization" in headers:
            return False
        token = await self.oauth.token()
        if token is None:
            return False
        headers["Authorization"] = f"Bearer {token}"
        return True

    async def request(self, method: str, path: str, *, params: dict[str, Any] | None = None,
                      headers: dict[str, str] | None = None, content: bytes | None = None, label: str = "",
                      authenticate: bool = True) -> Response:
        """One request (and its redirects), never retried. Raises BudgetExhausted, DeadlineExceeded, RefusedHost."""
        url, method = self.url(path), method.upper()
        params = {k: v for k, v in (params or {}).items() if v is not None}
        for _hop in range(4):
            if self.requests_made >= self.limits.max_requests:
                raise BudgetExhausted(self.limits.max_requests)
            remaining = self.remaining()
            if remaining < 0.05:
                raise DeadlineExceeded(self.limits.total_timeout_s)
            await self.policy.check(url)
            req_headers = dict(headers or {})
            req_params = dict(params)
            with_token = await self._auth(req_headers, req_params) if authenticate else False
            self.requests_made += 1
            response = await self._send(method, url, req_params, req_headers, content, label,
                                        min(self.limits.read_timeout_s, remaining))
            if with_token and response.status == 401 and self.oauth is not None and self.oauth.renew():
                continue  # the token was refused: one fresh token, the same hop again (counted)
            location = response.headers.get("location")
            if response.status in REDIRECTS and location:
                url, params = urljoin(response.url, location), {}
                if response.status == 303:
                    method, content = "GET", None
                continue
            return response
        return response

    async def _send(self, method: str, url: str, params: dict[str, Any], headers: dict[str, str],
                    content: bytes | None, label: str, timeout: float) -> Response:
        start = time.perf_counter()
        chunks: list[bytes] = []
        size, truncated, status, resp_headers, error = 0, False, None, httpx.Headers(), None
        sent_url = url
        sent_headers = headers
        try:
            t = httpx.Timeout(timeout, connect=min(self.limits.connect_timeout_s, timeout))
            async with self._client.stream(method, url, params=params, headers=headers, content=content,
                                           timeout=t) as resp:
                status, resp_headers, sent_url = resp.status_code, resp.headers, str(resp.request.url)
                sent_headers = dict(resp.request.headers)
                async for chunk in resp.aiter_bytes():
                    size += len(chunk)
                    if size > self.limits.max_response_bytes:
                        truncated = True
                        break
                    chunks.append(chunk)
        except RefusedHost:
            raise  # Simpul's own rule: an error of the check, never the application's failure
        except httpx.TimeoutException:
            error = "timeout"
        except httpx.ConnectError as exc:
            error = f"connect: {str(exc)[:120]}"
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            error = "reset"
        except httpx.HTTPError as exc:
            error = f"http: {type(exc).__name__}"
        finished = time.perf_counter()
        body = b"".join(chunks)
        if status is not None:
            self.answered += 1
        if status is None and sent_url == url and params:
            sent_url = str(httpx.URL(url, params=params))
        return Response(label=label, method=method, url=sent_url, status=status if error is None else None,
                        headers=resp_headers, content=body, elapsed_ms=(finished - start) * 1000,
                        error=error, truncated=truncated, request_headers=sent_headers, request_body=content,
                        started=start, finished=finished)

    def exchange(self, response: Response) -> HttpExchange:
        """The redacted, replayable form of ``response`` for the evidence (built once per response)."""
        if response.redacted is not None and response.redacted.label == response.label:
            return response.redacted
        response.redacted = build_exchange(
            label=response.label, method=response.method, url=response.url,
            request_headers=response.request_headers, request_body=response.request_body,
            status=response.status, response_headers=dict(response.headers), body=response.content,
            elapsed_ms=response.elapsed_ms, error=response.error, limit=self.limits.evidence_body_bytes,
            secrets=self.secrets, secret_headers=self.secret_headers, secret_params=self.secret_params,
        )
        return response.redacted

