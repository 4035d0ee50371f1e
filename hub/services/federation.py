"""The members of a provincial Simpul (its kabupaten/kota Simpuls) and their pulled copies.

    service = FederationService(db, principal, "id")
    service.add(MemberIn(name="Kota Blitar", kode_pemda="35.72", base_url="https://simpul.blitarkota.go.id",
                         key={"env": "SIMPUL_FED_3572_KEY"}))
    results = await service.pull()           # every member, at once; a failure keeps that member's last copy
    service.status()                         # freshness of each copy ("data dari 3 hari lalu")

Managing members and pulling needs the action ``federation:manage`` (admin); reading the status, the comparison
and the province inventory needs ``inventory:read``. The API key of a member is never stored: only the name of the
environment variable holding it (like every secret of Simpul, registry/secrets.py).
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, date, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import delete, select

from connectors.netpolicy import NetworkRefused, default_policy
from hub.errors import Conflict, NotFound, RequestInvalid
from hub.exchange.db import write_session
from hub.federation import view
from hub.federation.client import MemberClient, MemberCopy, PullFailed
from hub.federation.view import Comparison
from hub.i18n import t
from hub.inventory.models import Inventory
from hub.logging import get_logger
from hub.services.registry_access import Principal
from registry.assessments import stamp
from registry.convert import aware
from registry.db import Database
from registry.secrets import ENV_VAR
from registry.tables_federation import (
    FederationApplicationRow,
    FederationMemberRow,
    FederationOpdRow,
    FederationRunRow,
)

log = get_logger("hub.services.federation")
PULL_CONCURRENCY = 4
MANAGE, READ = "federation:manage", "inventory:read"
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class KeyRef(BaseModel):
    model_config = ConfigDict(extra="forbid")
    env: str = Field(max_length=128, description="Environment variable holding the member's API key")


class MemberIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"name": "Kota Blitar", "kode_pemda": "35.72", "base_url": "https://simpul.blitarkota.go.id",
         "key": {"env": "SIMPUL_FED_3572_KEY"}}]})
    name: str = Field(min_length=1, max_length=200, description="Name of the kabupaten/kota, e.g. Kota Blitar")
    kode_pemda: str = Field(pattern=r"^\d{2}\.\d{2}$", description="Its kode wilayah (kabupaten/kota), e.g. 35.72")
    base_url: str = Field(max_length=500, description="Where its Simpul API answers, e.g. https://simpul.kota.go.id")
    key: KeyRef = Field(description="Its API key (role federation) by reference: {\"env\": \"VAR\"}")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return " ".join(value.split())


class MemberOut(BaseModel):
    kode_pemda: str
    name: str
    base_url: str
    key_env: str
    created_at: datetime
    created_by: str
    status: str = Field(description="never (not pulled yet) | ok (last pull succeeded) | failed (last pull failed)")
    fetched_at: datetime | None = Field(description="When the copy kept now was taken")
    last_attempt_at: datetime | None = None
    last_error: dict[str, Any] | None = Field(default=None, description="{code, http_status, id, en} of the last "
                                                                        "failed pull")
    last_duration_s: float | None = None
    applications: int = 0
    runs: int = 0
    age: str = Field(default="", description='Age of the copy, e.g. "data dari 3 hari lalu"')


class PullResult(BaseModel):
    kode_pemda: str
    name: str
    ok: bool
    applications: int = Field(description="Applications in the copy kept now (the old one when the pull failed)")
    runs: int
    fetched_runs: int = Field(default=0, description="Run details fetched by this pull (others were unchanged)")
    duration_s: float
    fetched_at: datetime | None
    error: dict[str, Any] | None = None


def _invalid(field: str, key: str, **params: Any) -> RequestInvalid:
    return RequestInvalid(key, **params, extra={"errors": [{"pointer": f"/{field}", "field": field,
                                                            "message": t(key, "en", **params)}]})


def _counts(s: Any, kode: str) -> tuple[int, int]:
    apps = len(list(s.scalars(select(FederationApplicationRow.app_id).where(
        FederationApplicationRow.kode_pemda == kode))))
    runs = len(list(s.scalars(select(FederationRunRow.app_id).where(FederationRunRow.kode_pemda == kode))))
    return apps, runs


def member_out(s: Any, row: FederationMemberRow, lang: str = "id", now: datetime | None = None) -> MemberOut:
    from hub.federation.view import age_text

    apps, runs = _counts(s, row.kode_pemda)
    fetched = aware(row.fetched_at) if row.fetched_at else None
    return MemberOut(age=age_text(fetched, lang, now or datetime.now(UTC)), kode_pemda=row.kode_pemda,
                     name=row.name, base_url=row.base_url, key_env=row.key_env,
                     created_at=aware(row.created_at), created_by=row.created_by, status=row.last_status,
                     fetched_at=fetched, last_attempt_at=aware(row.last_attempt_at) if row.last_attempt_at else None,
                     last_error=row.last_error, last_duration_s=row.last_duration_s, applications=apps, runs=runs)


class FederationService:
    def __init__(self, db: Database, principal: Principal, lang: str = "id", *,
                 transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> None:
        self.db, self.principal, self.lang = db, principal, lang
        self.transports = transports or {}  # kode_pemda -> in-process transport (benches only)

    # -- members ----------------------------------------------------------------------------------------------
    def _row(self, s: Any, ref: str) -> FederationMemberRow:
        if _CONTROL.search(ref):  # never sent to the database (PostgreSQL refuses NUL in text)
            raise NotFound.with_suggestions("federation.what.member", ref.replace("\x00", "")[:80], [])
        row = s.get(FederationMemberRow, ref) or s.scalar(
            select(FederationMemberRow).where(FederationMemberRow.name == " ".join(ref.split())))
        if row is None:
            known = [r.kode_pemda for r in s.scalars(select(FederationMemberRow))]
            known += [r.name for r in s.scalars(select(FederationMemberRow))]
            raise NotFound.with_suggestions("federation.what.member", ref, known)
        return row

    def add(self, body: MemberIn) -> MemberOut:
        self.principal.require(MANAGE)
        base = body.base_url.strip().rstrip("/")
        if _CONTROL.search(body.name):
            raise _invalid("name", "federation.bad_name")
        if _CONTROL.search(base) or any(ch.isspace() for ch in base):
            raise _invalid("base_url", "federation.bad_base_url", url=_CONTROL.sub("", base)[:120])
        try:
            default_policy().check_url(base)
        except NetworkRefused:
            raise _invalid("base_url", "federation.bad_base_url", url=base[:120]) from None
        if not ENV_VAR.match(body.key.env):
            raise _invalid("key", "federation.bad_key_env", env=body.key.env[:128])
        with write_session(self.db) as s:
            for clash in (s.get(FederationMemberRow, body.kode_pemda), s.scalar(
                    select(FederationMemberRow).where(FederationMemberRow.name == body.name))):
                if clash is not None:
                    raise Conflict("federation.member_exists", name=clash.name, kode=clash.kode_pemda)
            row = FederationMemberRow(kode_pemda=body.kode_pemda, name=body.name, base_url=base, key_env=body.key.env,
                                      created_at=stamp(), created_by=self.principal.actor[:200], last_status="never")
            s.add(row)
            s.flush()
            return member_out(s, row, self.lang)

    def list(self, *, now: datetime | None = None) -> list[MemberOut]:
        self.principal.require(READ)
        with self.db.session() as s:
            return [member_out(s, r, self.lang, now) for r in s.scalars(select(FederationMemberRow)
                                                        .order_by(FederationMemberRow.kode_pemda))]

    def get(self, ref: str) -> MemberOut:
        self.principal.require(READ)
        with self.db.session() as s:
            return member_out(s, self._row(s, ref), self.lang)

    def remove(self, ref: str) -> MemberOut:
        """Forget a member and its copies (the member's own Simpul is not touched)."""
        self.principal.require(MANAGE)
        with write_session(self.db) as s:
            row = self._row(s, ref)
            out = member_out(s, row, self.lang)
            for table in (FederationRunRow, FederationApplicationRow, FederationOpdRow):
                s.execute(delete(table).where(table.kode_pemda == row.kode_pemda))
            s.delete(row)
            return out

    # -- pulling ----------------------------------------------------------------------------------------------
    def _targets(self, refs: list[str] | None) -> list[tuple[str, str, str, str]]:
        with self.db.session() as s:
            rows = ([self._row(s, r) for r in dict.fromkeys(refs)] if refs else
                    list(s.scalars(select(FederationMemberRow).order_by(FederationMemberRow.kode_pemda))))
            return [(r.kode_pemda, r.name, r.base_url, r.key_env) for r in rows]

    def _known_runs(self, kode: str) -> dict[str, tuple[str, Any]]:
        from hub.assessment.models import AssessmentRun

        with self.db.session() as s:
            rows = s.scalars(select(FederationRunRow).where(FederationRunRow.kode_pemda == kode))
            return {r.app_id: (r.run_id, AssessmentRun.model_validate(r.result)) for r in rows}

    async def pull(self, refs: list[str] | None = None) -> list[PullResult]:
        """Pull the given members (default: all), up to four at once. Never raises for a member's failure."""
        self.principal.require(MANAGE)
        targets = await asyncio.to_thread(self._targets, refs)
        gate = asyncio.Semaphore(PULL_CONCURRENCY)

        async def one(kode: str, name: str, base: str, env: str) -> PullResult:
            async with gate:
                started = time.perf_counter()
                known = await asyncio.to_thread(self._known_runs, kode)
                client = MemberClient(name, kode, base, env, transport=self.transports.get(kode))
                try:
                    copy = await client.pull(known)
                except PullFailed as exc:
                    log.info("federation_pull_failed", member=kode, code=exc.code, status=exc.http_status)
                    return await asyncio.to_thread(self._failed, kode, exc, time.perf_counter() - started)
                return await asyncio.to_thread(self._store, kode, copy, time.perf_counter() - started)

        return list(await asyncio.gather(*(one(*t) for t in targets)))

    def _failed(self, kode: str, exc: PullFailed, duration: float) -> PullResult:
        with write_session(self.db) as s:
            row = s.get(FederationMemberRow, kode)
            if row is None:  # removed while it was being pulled
                return PullResult(kode_pemda=kode, name=kode, ok=False, applications=0, runs=0,
                                  duration_s=round(duration, 3), fetched_at=None, error=exc.as_dict())
            row.last_attempt_at, row.last_status, row.last_error = stamp(), "failed", exc.as_dict()
            row.last_duration_s = round(duration, 3)
            apps, runs = _counts(s, kode)
            return PullResult(kode_pemda=kode, name=row.name, ok=False, applications=apps, runs=runs,
                              duration_s=round(duration, 3), error=exc.as_dict(),
                              fetched_at=aware(row.fetched_at) if row.fetched_at else None)

    def _store(self, kode: str, copy: MemberCopy, duration: float) -> PullResult:
        """Replace the member's copy with ``copy`` in one transaction."""
        now = stamp()
        with write_session(self.db) as s:
            row = s.get(FederationMemberRow, kode)
            if row is None:
                return PullResult(kode_pemda=kode, name=kode, ok=False, applications=0, runs=0,
                                  duration_s=round(duration, 3), fetched_at=None)
            for table in (FederationRunRow, FederationApplicationRow, FederationOpdRow):
                s.execute(delete(table).where(table.kode_pemda == kode))
            s.add_all([FederationOpdRow(kode_pemda=kode, kode=o.kode, data=o.model_dump(mode="json"), fetched_at=now)
                       for o in copy.opds])
            s.add_all([FederationApplicationRow(kode_pemda=kode, app_id=a.id, data=a.model_dump(mode="json"),
                                                fetched_at=now) for a in copy.apps])
            s.add_all([FederationRunRow(kode_pemda=kode, app_id=app_id, run_id=run.run_id,
                                        finished_at=run.finished_at, level=run.maturity.level,
                                        result=run.model_dump(mode="json"), fetched_at=now)
                       for app_id, run in copy.runs.items()])
            row.pemda = copy.pemda.model_dump(mode="json")
            row.fetched_at = row.last_attempt_at = now
            row.last_status, row.last_error, row.last_duration_s = "ok", None, round(duration, 3)
            return PullResult(kode_pemda=kode, name=row.name, ok=True, applications=len(copy.apps),
                              runs=len(copy.runs), fetched_runs=copy.fetched_runs, duration_s=round(duration, 3),
                              fetched_at=now)

    # -- reading the copies -----------------------------------------------------------------------------------
    def comparison(self, *, now: datetime | None = None, as_of: date | None = None) -> Comparison:
        """One row per member from its last copy (with its age) and a row for the whole province."""
        self.principal.require(READ)
        return view.comparison(view.load_copies(self.db), self.lang, now=now, as_of=as_of)

    def inventory(self, province: str | None = None, *, as_of: date | None = None) -> Inventory:
        """The gap inventory over every member's copy; ``province``: the kode wilayah (NN) of this Simpul's own
        provinsi record, named in the header."""
        self.principal.require(READ)
        pemda = None
        if province:
            from hub.services.registry import RegistryService

            pemda = RegistryService(self.db, self.principal, self.lang).get_pemda(province)
        return view.province_inventory(view.load_copies(self.db), pemda, self.lang, as_of=as_of)
