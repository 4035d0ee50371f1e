"""Pull one kabupaten/kota Simpul through its existing API (GET /v1/pemda/{kode}, /v1/opd, /v1/applications,
/v1/assessments/runs, /v1/assessments/runs/{id}) with a ``federation:read`` key, through the network policy.

Every failure becomes a :class:`PullFailed` with a bilingual reason (``federation.error.*``): unreachable, refused by
the network policy, key missing or refused (401), key without ``federation:read`` (403), another HTTP answer, or
an answer that is not what a Simpul sends.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError

from connectors.netpolicy import NetworkRefused, default_policy
from hub.assessment.models import AssessmentRun
from hub.i18n import both
from registry.models import Application, Opd, Pemda

PAGE = 500
DETAIL_CONCURRENCY = 8
MAX_PAGES = 200  # 100,000 items: far beyond any kota; a server that never ends its pages is cut off


class PullFailed(Exception):
    def __init__(self, code: str, http_status: int | None = None, **params: Any) -> None:
        super().__init__(code)
        self.code, self.http_status = code, http_status
        self.text = both(f"federation.error.{code}", **params)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "http_status": self.http_status, **self.text}


@dataclass
class MemberCopy:
    pemda: Pemda
    opds: list[Opd] = field(default_factory=list)
    apps: list[Application] = field(default_factory=list)
    runs: dict[str, AssessmentRun] = field(default_factory=dict)  # app_id -> latest run
    fetched_runs: int = 0  # run details fetched by this pull (the others were already copied)


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("title") or "")[:300]
    return ""


class MemberClient:
    def __init__(self, name: str, kode_pemda: str, base_url: str, key_env: str, *,
                 transport: httpx.AsyncBaseTransport | None = None, timeout_s: float = 20.0) -> None:
        self.name, self.kode, self.base = name, kode_pemda, base_url.rstrip("/")
        self.key_env, self.transport, self.timeout_s = key_env, transport, timeout_s

    def _client(self, token: str) -> httpx.AsyncClient:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        timeout = httpx.Timeout(self.timeout_s, connect=5.0)
        if self.transport is not None:  # an in-process transport (benches); real pulls go through the policy
            return httpx.AsyncClient(transport=self.transport, headers=headers, timeout=timeout, trust_env=False)
        return default_policy().async_client(headers=headers, timeout=timeout)

    async def _get(self, client: httpx.AsyncClient, path: str, params: dict[str, Any] | None = None) -> Any:
        url = self.base + path
        try:
            response = await client.get(url, params=params)
        except NetworkRefused as exc:
            raise PullFailed("refused", url=self.base, detail=str(exc)[:200]) from None
        except httpx.HTTPError as exc:
            raise PullFailed("unreachable", url=self.base, detail=(str(exc) or type(exc).__name__)[:200]) from None
        if response.status_code == 401:
            raise PullFailed("unauthenticated", 401, name=self.name, env=self.key_env)
        if response.status_code == 403:
            raise PullFailed("forbidden", 403, name=self.name, detail=_detail(response))
        if response.status_code >= 400:
            raise PullFailed("http", response.status_code, status=response.status_code, path=path,
                             detail=_detail(response))
        try:
            return response.json()
        except ValueError:
            raise PullFailed("bad_data", name=self.name, detail=f"{path}: not JSON") from None

    async def _pages(self, client: httpx.AsyncClient, path: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor = None
        for _ in range(MAX_PAGES):
            body = await self._get(client, path, {**params, "limit": PAGE, **({"cursor": cursor} if cursor else {})})
            if not isinstance(body, dict) or not isinstance(body.get("items"), list):
                raise PullFailed("bad_data", name=self.name, detail=f"{path}: no items")
            items.extend(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                return items
        raise PullFailed("bad_data", name=self.name, detail=f"{path}: more than {MAX_PAGES} pages")

    async def pull(self, known_runs: dict[str, tuple[str, AssessmentRun]] | None = None) -> MemberCopy:
        """The member's Pemda, OPDs, applications and the latest run of each application. ``known_runs``
        (app_id -> (run_id, run)) are reused when the member's latest run is still the same one."""
        token = os.environ.get(self.key_env, "").strip()
        if not token:
            raise PullFailed("no_key", env=self.key_env, name=self.name)
        known = known_runs or {}
        try:
            async with self._client(token) as client:
                pemda = Pemda.model_validate(await self._get(client, f"/v1/pemda/{self.kode}"))
                opds = [Opd.model_validate(o) for o in await self._pages(client, "/v1/opd", {"pemda": self.kode})]
                apps = [Application.model_validate(a) for a in
                        await self._pages(client, "/v1/applications", {"pemda": self.kode, "sort": "id"})]
                mine = {a.id for a in apps}
                latest: dict[str, str] = {}
                # only the newest run of each application; a member older than ?latest ignores it and sends every
                # run, newest first, so the first one seen per application is still its latest
                for summary in await self._pages(client, "/v1/assessments/runs", {"latest": "true"}):
                    if summary.get("app_id") in mine:
                        latest.setdefault(str(summary["app_id"]), str(summary["run_id"]))
                copy = MemberCopy(pemda=pemda, opds=opds, apps=apps)
                todo = []
                for app_id, run_id in latest.items():
                    if app_id in known and known[app_id][0] == run_id:
                        copy.runs[app_id] = known[app_id][1]
                    else:
                        todo.append((app_id, run_id))
                gate = asyncio.Semaphore(DETAIL_CONCURRENCY)

                async def detail(app_id: str, run_id: str) -> None:
                    async with gate:
                        body = await self._get(client, f"/v1/assessments/runs/{run_id}")
                    copy.runs[app_id] = AssessmentRun.model_validate((body or {}).get("run") or {})

                await asyncio.gather(*(detail(a, r) for a, r in todo))
                copy.fetched_runs = len(todo)
                return copy
        except ValidationError as exc:
            first = exc.errors()[0] if exc.errors() else {}
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise PullFailed("bad_data", name=self.name, detail=f"{where}: {first.get('msg', '')}"[:200]) from None
