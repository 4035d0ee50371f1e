"""Sync jobs: per application and resource, pull (incrementally where the source allows) → map → validate →
store with provenance. Valid records become versions and outbox rows; the others go to quarantine with their
report. The cursor (``since``) advances only after every batch of the run has committed, so a crash mid-run
repeats the run from the old cursor — harmless, because an unchanged record (same content hash) is not stored or
delivered again.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hub.errors import BadRequest, SimpulError
from hub.exchange import audit
from hub.exchange.db import database
from hub.exchange.store import BatchCounts, Incoming, Provenance, get_cursor, set_cursor, store_batch
from hub.logging import get_logger, mask_text
from hub.services import connections
from hub.settings import get_settings
from registry.db import Database

log = get_logger("hub.exchange.sync")
SYSTEM_ACTOR = "system:sync"


@dataclass
class SyncResult:
    app: str
    resource: str
    schema: str | None
    since: str | None
    next_since: str | None
    status: str = "ok"
    counts: BatchCounts = field(default_factory=BatchCounts)
    error: str | None = None
    run_id: str = ""
    warnings: int = 0  # warning findings on the records read (ADR 0008): kept, but shown
    warning_notes: list[dict[str, Any]] = field(default_factory=list)  # the first ones, {record, rule, message}

    def as_dict(self) -> dict[str, Any]:
        return {"app": self.app, "resource": self.resource, "schema": self.schema, "since": self.since,
                "next_since": self.next_since, "status": self.status, "counts": self.counts.as_dict(),
                "warnings": self.warnings, "warning_notes": self.warning_notes, "error": self.error,
                "run_id": self.run_id}


def resolve_spec(target: str, db: Database | None = None) -> connections.ConnectionSpec:
    """A spec file (``.yaml``/``.json``) or the id of a registry application with ``integration.connector``."""
    path = Path(target)
    if path.suffix.lower() in {".yaml", ".yml", ".json"} or path.exists():
        return connections.load_spec(path)
    from hub.services.registry import find_application

    app = find_application(target, database(db))
    if app is None:
        raise BadRequest("exchange.unknown_app", app=target)
    return connections.spec_from_application(app)


def syncable_applications(db: Database | None = None) -> list[str]:
    """Ids of registry applications whose connector declares resources."""
    from hub.services.registry import RegistryService
    from hub.services.registry_access import Principal

    service = RegistryService(database(db), Principal.cli())
    ids: list[str] = []
    cursor = None
    while True:
        page = service.list_applications(limit=200, cursor=cursor)
        for app in page.items:
            connector = (app.model_dump(mode="json").get("integration") or {}).get("connector") or {}
            if (connector.get("config") or {}).get("resources") or connector.get("resources"):
                ids.append(app.id)
        cursor = page.next_cursor
        if not cursor:
            return ids


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:  # the examples (and most Pemda systems) mean WIB without an offset
        from datetime import timedelta, timezone

        parsed = parsed.replace(tzinfo=timezone(timedelta(hours=7)))
    return parsed


def _incoming(pulled: connections.Pulled, check: Callable[[dict[str, Any]], Any] | None) -> Incoming:
    if pulled.record is None:
        return Incoming(pulled.raw, None, False,
                        {"kind": "mapping", "errors": [e.to_dict() for e in pulled.mapping_errors]})
    report = pulled.validation
    if report is None and check is not None:
        report = check(pulled.record)
    if report is None:
        raise BadRequest("exchange.no_validator")
    if report.valid:
        return Incoming(pulled.raw, pulled.record, True, {})
    issues = [i.model_dump(mode="json") if hasattr(i, "model_dump") else dict(i) for i in report.issues]
    return Incoming(pulled.raw, pulled.record, False,
                    {"kind": "validation", "schema": report.schema, "valid": False, "issues": issues})


async def sync_resource(spec: connections.ConnectionSpec, resource: str, *, db: Database | None = None,
                        full: bool = False, limit: int | None = None, actor: str = SYSTEM_ACTOR,
                        progress: Callable[[int], None] | None = None) -> SyncResult:
    db = database(db)
    if resource not in spec.resources:
        raise BadRequest("exchange.unknown_resource", app=spec.name, resource=resource,
                         known=", ".join(sorted(spec.resources)) or "-")
    mapper = connections.mapper_for(spec, resource)
    schema = mapper.schema_key if mapper else spec.resources[resource].get("schema")
    if not schema:
        raise BadRequest("exchange.no_schema", app=spec.name, resource=resource)
    from hub.validation.store import get_store

    entry = get_store().get(schema)
    check = connections.record_validator(entry.key)
    since = None if full else await asyncio.to_thread(get_cursor, db, spec.name, resource)
    run_id = "run_" + uuid.uuid4().hex[:16]
    result = SyncResult(spec.name, resource, entry.key, since, since, run_id=run_id)
    prov = Provenance(spec.name, resource, entry.versioned_key, run_id)
    batch_size = max(1, get_settings().exchange_sync_batch)
    newest: datetime | None = _parse_time(since)
    batch: list[Incoming] = []

    async def flush() -> None:
        if batch:
            prov.fetched_at = datetime.now(UTC)
            result.counts.add(await asyncio.to_thread(store_batch, db, prov, list(batch)))
            batch.clear()
            if progress:
                progress(result.counts.read)

    stats = connections.PullStats(resource=resource)
    try:
        async for pulled in connections.pull(spec, resource, since=since, limit=limit, validate=True, stats=stats):
            batch.append(_incoming(pulled, check))
            for source in (pulled.record or {}, pulled.raw):
                stamp = _parse_time(source.get("updated_at")) if isinstance(source, dict) else None
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
            if len(batch) >= batch_size:
                await flush()
        await flush()
    except (SimpulError, OSError, RuntimeError) as exc:
        result.status, result.error = "failed", _error_text(exc)
    result.warnings, result.warning_notes = stats.warnings, stats.warning_notes
    result.next_since = newest.isoformat() if newest else since
    advance = result.status == "ok" and limit is None
    await asyncio.to_thread(set_cursor, db, spec.name, resource, since=result.next_since, status=result.status,
                            counts=result.counts.as_dict(), error=result.error, advance=advance)
    await asyncio.to_thread(audit.record, actor, "sync.run", "sync", f"{spec.name}/{resource}",
                            result.as_dict(), db=db)
    from hub.exchange import metrics

    metrics.sync_runs.labels(spec.name, resource, result.status).inc()
    log.info("sync", app=spec.name, resource=resource, status=result.status, **result.counts.as_dict())
    return result


def _error_text(exc: Exception) -> str:
    """The failure as stored in the sync cursor and the audit log and shown by the CLI and API: a URL or an answer
    in it may carry a NIK or NIP (a resource per person, a filter), so it is masked like a log line."""
    if isinstance(exc, SimpulError):
        return mask_text(exc.message("en"))
    return mask_text(f"{type(exc).__name__}: {str(exc)[:300]}")


async def sync_app(target: str, *, resources: list[str] | None = None, db: Database | None = None,
                   full: bool = False, limit: int | None = None, actor: str = SYSTEM_ACTOR) -> list[SyncResult]:
    spec = resolve_spec(target, db)
    names = resources or sorted(spec.resources)
    if not names:
        raise BadRequest("exchange.no_resources", app=spec.name)
    return [await sync_resource(spec, name, db=db, full=full, limit=limit, actor=actor) for name in names]


async def sync_all(*, db: Database | None = None, full: bool = False, actor: str = SYSTEM_ACTOR) -> list[SyncResult]:
    results: list[SyncResult] = []
    for app_id in await asyncio.to_thread(syncable_applications, db):
        try:
            results.extend(await sync_app(app_id, db=db, full=full, actor=actor))
        except SimpulError as exc:
            results.append(SyncResult(app_id, "*", None, None, None, "failed", error=_error_text(exc)))
    return results
