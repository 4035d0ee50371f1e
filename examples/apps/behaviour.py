"""The one middleware that applies a profile's latency, single-worker bottleneck and failures.

- ``latency``: every request waits that many seconds before it is served.
- ``single_worker``: requests are served one at a time (an ``asyncio.Lock`` around wait + handler), so with k
  concurrent requests the last one waits about k × latency: latency grows with load, like a one-process PHP app.
- ``failure_rate``: exactly that share of requests (outside ``exempt`` paths) is answered 503, spread evenly and
  deterministically (request n fails when ⌊(n+1)·rate⌋ > ⌊n·rate⌋); every other failure carries ``Retry-After``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from examples.apps.config import Profile
from examples.apps.errors import PROBLEM_JSON, TITLES, text

Scope = dict[str, Any]


class Behaviour:
    def __init__(self, app: Any, profile: Profile):
        self.app, self.profile = app, profile
        self.lock = asyncio.Lock() if profile.single_worker else None
        self.permille = round(profile.failure_rate * 1000)
        self.requests = 0  # requests that could fail
        self.failures = 0

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        elif self.lock is not None:
            async with self.lock:
                await self._serve(scope, receive, send)
        else:
            await self._serve(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Any, send: Any) -> None:
        if self.profile.latency > 0:
            await asyncio.sleep(self.profile.latency)
        if self._fails(scope["path"]):
            await self._unavailable(scope, send)
            return
        await self.app(scope, receive, send)

    def _fails(self, path: str) -> bool:
        if self.permille <= 0 or path in self.profile.exempt:
            return False
        n = self.requests
        self.requests += 1
        return (n + 1) * self.permille // 1000 > n * self.permille // 1000

    async def _unavailable(self, scope: Scope, send: Any) -> None:
        headers = [(b"content-type", PROBLEM_JSON.encode())]
        if self.profile.retry_after > 0 and self.failures % 2 == 0:
            headers.append((b"retry-after", str(self.profile.retry_after).encode()))
        self.failures += 1
        lang = "en" if self.profile.errors == "fragile" else "id"
        body = json.dumps({"type": "about:blank", "title": TITLES[503][lang == "en"], "status": 503,
                           "detail": text("unavailable", lang), "kode": "unavailable"}).encode()
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})
