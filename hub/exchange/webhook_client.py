"""The HTTP client of webhook deliveries: pinned and policy-checked like every outgoing connection of Simpul.

A subscriber's URL is connected to only where the network policy allows (loopback, ``SIMPUL_PROBE_ALLOW``, the
registry's ``probe_allow``; never metadata or link-local), each connection to the address that was checked.
Redirects are not followed: a webhook answers where it was registered. A refused delivery fails with the
policy's message (an ``httpx.ConnectError``), which names the setting to change.

:class:`WebhookSender` is what the delivery worker uses: HTTP/1.1 keep-alive POSTs straight on an ``httpcore``
connection pool whose network backend is the policy's :class:`connectors.netpolicy.PinnedBackend` — the same
checks and pinning as :func:`webhook_client`, without httpx's client layer (request building, header merging,
cookies, auth and redirect handling: about a third of the hub's CPU per delivery, docs/adr/0011-batched-delivery.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import httpcore
import httpx

from connectors.netpolicy import SCHEMES, NetPolicy, NetworkRefused, PinnedBackend, default_policy

MAX_ANSWER_BYTES = 64 * 1024  # of a consumer's answer, read for the error snippet; a longer answer is cut off
SEND_ERRORS = (httpcore.ConnectError, httpcore.NetworkError, httpcore.TimeoutException, httpcore.ProtocolError,
               httpcore.UnsupportedProtocol, httpx.HTTPError, OSError)


def webhook_client(timeout_s: float) -> httpx.AsyncClient:
    return default_policy().async_client(timeout=httpx.Timeout(timeout_s), follow_redirects=False)


@dataclass(frozen=True)
class Answer:
    status_code: int
    retry_after: str | None
    text: str


@lru_cache(maxsize=1024)
def _target(url: str) -> tuple[bytes, bytes]:
    """The URL as httpcore wants it and its ``Host`` header (parsed once per subscription URL)."""
    parsed = httpx.URL(url)
    if parsed.scheme not in SCHEMES or not parsed.host:
        raise NetworkRefused("scheme", url[:120])
    return str(parsed).encode("ascii"), parsed.netloc


class WebhookSender:
    """POSTs over a pinned ``httpcore`` pool (one per worker process; keep-alive to each consumer)."""

    def __init__(self, timeout_s: float, policy: NetPolicy | None = None) -> None:
        self.policy = policy or default_policy()
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), max_connections=100, max_keepalive_connections=20,
            keepalive_expiry=5.0, http1=True, http2=False, network_backend=PinnedBackend(self.policy))
        self._timeout = {"connect": min(5.0, timeout_s), "read": timeout_s, "write": timeout_s, "pool": timeout_s}

    async def post(self, url: str, body: bytes, headers: list[tuple[bytes, bytes]]) -> Answer:
        target, host = _target(url)
        sent = [(b"Host", host), (b"Content-Length", str(len(body)).encode("ascii")), *headers]
        async with self._pool.stream(b"POST", target, headers=sent, content=body,
                                     extensions={"timeout": self._timeout}) as response:
            ok = 200 <= response.status < 300
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_stream():  # read to the end so the connection is kept alive
                if not ok and size < MAX_ANSWER_BYTES:
                    chunks.append(chunk)
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    break  # a consumer that answers this much loses its keep-alive connection, not our memory
        retry_after = None
        for name, value in response.headers:
            if name.lower() == b"retry-after":
                retry_after = value.decode("latin-1")
        text = b"".join(chunks)[:MAX_ANSWER_BYTES].decode("utf-8", "replace") if chunks else ""
        return Answer(response.status, retry_after, text)

    async def aclose(self) -> None:
        await self._pool.aclose()


def webhook_sender(timeout_s: float) -> WebhookSender:
    return WebhookSender(timeout_s)
