"""Schedules of re-assessment and sync, kept in the database and fired by the workers.

A schedule is a cron expression (five fields: minute hour day-of-month month day-of-week, or ``@daily`` …) in a
time zone (WIB ``Asia/Jakarta`` by default; ``Asia/Makassar`` WITA, ``Asia/Jayapura`` WIT), for one application,
one area (``registry/data/areas.yaml``) or all applications. Every minute a worker's ``schedule_tick`` job takes
the schedules that are due (row locks: two workers never fire the same one), queues the work — an assessment job
with trigger ``schedule`` (lower priority than what users ask for) or one sync job per resource — and moves
``next_run_at`` on. A schedule missed while no worker ran fires once when one comes back, not once per miss.

    service = ScheduleService(db, principal, "en")
    s = service.create(ScheduleIn(kind="assess", scope="area", target="keuangan", cron="0 2 * * 1"))
    service.update(s.id, ScheduleUpdate(enabled=False))
"""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import CroniterBadCronError, CroniterBadDateError, CroniterNotAlphaError, croniter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from hub.errors import NotFound, RequestInvalid
from hub.exchange.db import write_session
from hub.i18n import both, t
from hub.logging import get_logger
from hub.services.registry_access import Principal
from hub.settings import get_settings
from registry.assessments import stamp
from registry.convert import aware
from registry.db import Database
from registry.tables_queue import ScheduleRow

log = get_logger("hub.services.schedules")
MIN_INTERVAL_S = 300  # no schedule fires more often than every five minutes (a full assessment takes minutes)
ALIASES = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
Kind = Literal["assess", "sync", "federation-pull"]
Scope = Literal["app", "area", "all"]


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"kind": "assess", "scope": "area", "target": "keuangan", "cron": "0 2 * * 1", "note": "Senin dini hari"},
        {"kind": "sync", "scope": "app", "target": "e-planning", "cron": "*/15 7-17 * * 1-5"}]})
    kind: Kind = Field(description="assess (re-assessment), sync (pull the application's data) or "
                                   "federation-pull (a provincial Simpul pulls its kabupaten/kota members; scope all)")
    scope: Scope = Field(description="app (one application), area (every application of an area), all")
    target: str | None = Field(default=None, max_length=80, description="Application id or area code")
    cron: str = Field(max_length=120, description="Five fields: minute hour day month weekday, e.g. '0 2 * * 1'")
    timezone: str | None = Field(default=None, max_length=60, description="IANA zone (default Asia/Jakarta)")
    enabled: bool = True
    note: str | None = Field(default=None, max_length=500)


class ScheduleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cron: str | None = Field(default=None, max_length=120)
    timezone: str | None = Field(default=None, max_length=60)
    enabled: bool | None = None
    note: str | None = Field(default=None, max_length=500)


class ScheduleOut(BaseModel):
    id: str
    kind: str
    scope: str
    target: str | None
    cron: str
    timezone: str
    enabled: bool
    note: str | None = None
    next_run_at: datetime | None = Field(description="Next firing, in the schedule's time zone")
    last_run_at: datetime | None = None
    last_result: dict[str, Any] | None = Field(default=None, description="What the last firing queued, or why "
                                                                         "it could not")
    created_at: datetime
    created_by: str
    updated_at: datetime


# -- cron ---------------------------------------------------------------------------------------------------------
def _invalid(field: str, key: str, **params: Any) -> RequestInvalid:
    return RequestInvalid(key, **params, extra={"errors": [{"pointer": f"/{field}", "field": field,
                                                            "message": t(key, "en", **params)}]})


def zone(name: str | None) -> ZoneInfo:
    name = (name or get_settings().schedule_timezone).strip()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError, TypeError):
        raise _invalid("timezone", "queue.schedule.bad_timezone", timezone=name[:60]) from None


def check_cron(expression: str, tz: ZoneInfo | None = None) -> str:
    """The expression, normalised (single spaces); a bilingual 422 naming the problem when it is not valid."""
    expr = " ".join(expression.split())
    if expr.lower() in ALIASES:
        expr = expr.lower()
    elif len(expr.split(" ")) != 5:
        raise _invalid("cron", "queue.schedule.bad_cron_fields", cron=expr[:120], count=len(expr.split()))
    try:
        upcoming = next_times(expr, tz or zone(None), count=12)
    except (CroniterBadCronError, CroniterNotAlphaError, CroniterBadDateError, ValueError, KeyError, IndexError,
            OverflowError, TypeError) as exc:
        raise _invalid("cron", "queue.schedule.bad_cron", cron=expr[:120], detail=str(exc)[:160]) from None
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(upcoming)]
    if gaps and min(gaps) < MIN_INTERVAL_S:
        raise _invalid("cron", "queue.schedule.too_often", cron=expr, minutes=MIN_INTERVAL_S // 60)
    return expr


def next_times(expression: str, tz: ZoneInfo, *, count: int = 5, after: float | None = None) -> list[datetime]:
    start = datetime.fromtimestamp(time.time() if after is None else after, tz)
    it = croniter(expression, start)
    return [it.get_next(datetime) for _ in range(count)]


def next_run(expression: str, timezone: str, after: float) -> float:
    return next_times(expression, ZoneInfo(timezone), count=1, after=after)[0].timestamp()


# -- the service ---------------------------------------------------------------------------------------------------
def _out(row: ScheduleRow) -> ScheduleOut:
    tz = ZoneInfo(row.timezone)

    def when(ts: float | None) -> datetime | None:
        return datetime.fromtimestamp(ts, tz) if ts is not None else None

    return ScheduleOut(id=row.id, kind=row.kind, scope=row.scope, target=row.target, cron=row.cron,
                       timezone=row.timezone, enabled=row.enabled, note=row.note, next_run_at=when(row.next_run_at),
                       last_run_at=when(row.last_run_at), last_result=row.last_result,
                       created_at=aware(row.created_at), created_by=row.created_by, updated_at=aware(row.updated_at))


class ScheduleService:
    def __init__(self, db: Database, principal: Principal, lang: str = "id") -> None:
        self.db, self.principal, self.lang = db, principal, lang

    def _may_write(self, kind: str) -> None:
        actions = {"assess": "assessment:write", "federation-pull": "federation:manage"}
        self.principal.require(actions.get(kind, "exchange:manage"))

    def _check_target(self, kind: str, scope: str, target: str | None) -> str | None:
        from registry import repository as repo
        from registry.vocab import vocab

        if kind == "federation-pull" and scope != "all":
            raise _invalid("scope", "queue.schedule.federation_all", scope=scope)
        if scope == "all":
            if target:
                raise _invalid("target", "queue.schedule.target_unexpected", target=target[:80])
            return None
        if not target:
            raise _invalid("target", "queue.schedule.target_needed", scope=scope)
        if scope == "area":
            areas = vocab("area")
            code = areas.normalize(target)
            if code not in areas.codes:
                raise _invalid("target", "queue.schedule.bad_area", area=target[:80], known=", ".join(areas.codes))
            return str(code)
        from hub.services.registry_errors import mapped

        with mapped(self.lang), self.db.session() as s:
            repo.get_application(s, target)  # 404 with suggestions for an unknown application
        return target

    def list(self, kind: str | None = None) -> list[ScheduleOut]:
        self.principal.require("assessment:read")
        with self.db.session() as s:
            q = select(ScheduleRow).order_by(ScheduleRow.created_at, ScheduleRow.id)
            if kind:
                q = q.where(ScheduleRow.kind == kind)
            return [_out(r) for r in s.scalars(q)]

    def _row(self, s: Any, schedule_id: str) -> ScheduleRow:
        row = s.get(ScheduleRow, schedule_id)
        if row is None:
            ids = list(s.scalars(select(ScheduleRow.id)))
            raise NotFound.with_suggestions("queue.schedule.what", schedule_id, ids)
        return row

    def get(self, schedule_id: str) -> ScheduleOut:
        self.principal.require("assessment:read")
        with self.db.session() as s:
            return _out(self._row(s, schedule_id))

    def create(self, body: ScheduleIn) -> ScheduleOut:
        self._may_write(body.kind)
        tz = zone(body.timezone)
        expr = check_cron(body.cron, tz)
        target = self._check_target(body.kind, body.scope, body.target)
        now = stamp()
        row = ScheduleRow(id="sch_" + uuid.uuid4().hex[:12], kind=body.kind, scope=body.scope, target=target,
                          cron=expr, timezone=tz.key, enabled=body.enabled, note=body.note,
                          next_run_at=next_run(expr, tz.key, time.time()) if body.enabled else None,
                          created_at=now, created_by=self.principal.actor[:200], updated_at=now)
        with write_session(self.db) as s:
            s.add(row)
            s.flush()
            return _out(row)

    def update(self, schedule_id: str, body: ScheduleUpdate) -> ScheduleOut:
        with write_session(self.db) as s:
            row = self._row(s, schedule_id)
            self._may_write(row.kind)
            tz = zone(body.timezone or row.timezone)
            expr = check_cron(body.cron if body.cron is not None else row.cron, tz)
            row.cron, row.timezone = expr, tz.key
            if body.enabled is not None:
                row.enabled = body.enabled
            if body.note is not None:
                row.note = body.note or None
            row.next_run_at = next_run(expr, tz.key, time.time()) if row.enabled else None
            row.updated_at = stamp()
            s.flush()
            return _out(row)

    def delete(self, schedule_id: str) -> None:
        with write_session(self.db) as s:
            row = self._row(s, schedule_id)
            self._may_write(row.kind)
            s.delete(row)

    def preview(self, cron: str, timezone: str | None = None, count: int = 5) -> list[datetime]:
        tz = zone(timezone)
        return next_times(check_cron(cron, tz), tz, count=count)


# -- firing --------------------------------------------------------------------------------------------------------
def take_due(db: Database, now: float) -> list[dict[str, Any]]:
    """Lock the due schedules, move their next run on, and return what each must queue."""
    taken: list[dict[str, Any]] = []
    with write_session(db) as s:
        q = (select(ScheduleRow).where(ScheduleRow.enabled.is_(True), ScheduleRow.next_run_at <= now)
             .order_by(ScheduleRow.next_run_at).limit(100))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        for row in s.scalars(q):
            taken.append({"id": row.id, "kind": row.kind, "scope": row.scope, "target": row.target,
                          "actor": f"schedule:{row.id}"})
            row.last_run_at = now
            row.next_run_at = next_run(row.cron, row.timezone, now)
    return taken


def _app_ids(db: Database, scope: str, target: str | None, kind: str) -> list[str]:
    from hub.exchange.sync import syncable_applications
    from registry import repository as repo

    with db.session() as s:
        if scope == "app":
            ids = [target or ""]
        else:
            filters = repo.ApplicationFilter(area=[target] if scope == "area" and target else [])
            ids = [a.id for a in repo.iter_applications(s, filters) if a.status != "retired"]
    if kind == "sync" and scope != "app":
        syncable = set(syncable_applications(db))
        ids = [i for i in ids if i in syncable]
    return ids


async def fire(db: Database, queue: Any, item: dict[str, Any]) -> dict[str, Any]:
    """Queue the work of one schedule; returns what was queued (stored as the schedule's ``last_result``)."""
    from hub.services.assessments import AssessmentService

    if item["kind"] == "federation-pull":  # a provincial Simpul: pull every member now (docs/federation.md)
        from hub.services.federation import FederationService

        admin = Principal(actor=item["actor"], role="admin", name=item["actor"])
        pulled = await FederationService(db, admin).pull()
        return {"queued": 0, "pulled": sum(1 for p in pulled if p.ok), "failed": sum(1 for p in pulled if not p.ok)}
    app_ids = await asyncio.to_thread(_app_ids, db, item["scope"], item["target"], item["kind"])
    if not app_ids:
        return {"queued": 0, "message": both("queue.schedule.nothing")}
    if item["kind"] == "assess":
        from hub.queue import submit_job
        from hub.queue.runtime import Runtime

        service = AssessmentService(db, Principal(actor=item["actor"], role="admin", name=item["actor"]))
        job, _ = await asyncio.to_thread(service.create_job, app_ids, trigger="schedule")
        await submit_job(Runtime(db, queue), job.job_id, trigger="schedule")
        return {"queued": len(app_ids), "job_id": job.job_id}
    from hub.exchange.workers import queue_sync
    from hub.queue.runtime import Runtime

    runtime = Runtime(db, queue)
    queued = 0
    for app_id in app_ids:
        queued += sum(1 for i in await queue_sync(runtime, app_id, actor=item["actor"], trigger="schedule") if i)
    return {"queued": queued, "apps": len(app_ids)}


async def fire_due(db: Database, queue: Any, *, now: float | None = None) -> list[dict[str, Any]]:
    now = time.time() if now is None else now
    results = []
    for item in await asyncio.to_thread(take_due, db, now):
        try:
            result = await fire(db, queue, item)
        except Exception as exc:
            from hub.services.jobs import error_text

            log.warning("schedule_failed", schedule=item["id"], error=f"{type(exc).__name__}: {exc}"[:300])
            result = {"queued": 0, "error": error_text(exc)}
        result["at"] = datetime.fromtimestamp(now, UTC).isoformat()
        await asyncio.to_thread(_record, db, item["id"], result)
        results.append({**item, **result})
    return results


def _record(db: Database, schedule_id: str, result: dict[str, Any]) -> None:
    with write_session(db) as s:
        row = s.get(ScheduleRow, schedule_id)
        if row is not None:
            row.last_result = result
