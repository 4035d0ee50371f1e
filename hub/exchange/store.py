"""Storing pulled records: new versions with provenance, quarantine, and outbox rows — in ONE transaction.

A record whose content hash equals its current version is left alone (re-pulls are idempotent). A new hash makes
version n+1, marks it current, and enqueues one outbox row per matching webhook subscription in the same
transaction as the version itself (the transactional outbox): after a crash either both exist or neither.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.exchange import metrics
from hub.exchange.db import write_session
from hub.exchange.identity import base_key, content_hash, opd_of, record_key, year_of
from registry.db import Database
from registry.tables_exchange import OutboxRow, QuarantineRow, RecordRow, SubscriptionRow, SyncCursorRow


@dataclass
class Incoming:
    """One pulled record as the store sees it."""

    raw: dict[str, Any]
    document: dict[str, Any] | None
    valid: bool
    report: dict[str, Any]  # the validation report (or mapping errors) when not valid


@dataclass
class BatchCounts:
    read: int = 0
    valid: int = 0
    invalid: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    enqueued: int = 0

    def add(self, other: BatchCounts) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class Provenance:
    app: str
    resource: str
    schema_version: str  # versioned key, e.g. perencanaan/sub_kegiatan:1
    run_id: str
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def new_delivery_id() -> str:
    return "dlv_" + uuid.uuid4().hex


def subscription_matches(sub: SubscriptionRow, kode_opd: str | None, tahun: int | None) -> bool:
    if sub.kode_opd and sub.kode_opd != kode_opd:
        return False
    return not (sub.tahun and sub.tahun != tahun)


def enqueue(s: Session, sub: SubscriptionRow, row: RecordRow, event: str, *, now: float | None = None) -> OutboxRow:
    out = OutboxRow(delivery_id=new_delivery_id(), subscription_id=sub.id, record_id=row.id,
                    schema_key=row.schema_key, record_key=row.record_key, event=event, status="pending", attempts=0,
                    next_attempt_at=time.time() if now is None else now)
    s.add(out)
    return out


def webhook_subscriptions(s: Session, schema: str) -> list[SubscriptionRow]:
    """Webhook subscriptions of ``schema``, paused ones included: a paused subscription keeps its queue and gets
    everything when resumed."""
    return list(s.execute(select(SubscriptionRow).where(
        SubscriptionRow.schema_key == schema, SubscriptionRow.mode == "webhook")).scalars().all())


def store_batch(db: Database, prov: Provenance, items: list[Incoming]) -> BatchCounts:
    counts = BatchCounts(read=len(items))
    schema = base_key(prov.schema_version)
    with write_session(db) as s:
        subs = webhook_subscriptions(s, schema)
        currents = _currents(s, schema, items)
        for item in items:
            if not item.valid or item.document is None:
                counts.invalid += 1
                _quarantine(s, prov, schema, item)
                continue
            counts.valid += 1
            outcome = _store_one(s, prov, schema, item.document, subs, currents)
            setattr(counts, outcome[0], getattr(counts, outcome[0]) + 1)
            counts.enqueued += outcome[1]
    metrics.records_pulled.labels(prov.app, prov.resource).inc(counts.read)
    metrics.records_valid.labels(prov.app, prov.resource).inc(counts.valid)
    metrics.records_invalid.labels(prov.app, prov.resource).inc(counts.invalid)
    metrics.records_stored.labels(schema).inc(counts.new + counts.changed)
    return counts


def _currents(s: Session, schema: str, items: list[Incoming]) -> dict[str, RecordRow]:
    """The current versions of the batch's records, in one query."""
    keys = {k for i in items if i.valid and i.document is not None
            for k in [record_key(schema, i.document)] if k is not None}
    found: dict[str, RecordRow] = {}
    chunk = sorted(keys)
    for start in range(0, len(chunk), 500):
        rows = s.execute(select(RecordRow).where(RecordRow.schema_key == schema, RecordRow.is_current.is_(True),
                                                 RecordRow.record_key.in_(chunk[start:start + 500]))).scalars()
        found.update({r.record_key: r for r in rows})
    return found


def _store_one(s: Session, prov: Provenance, schema: str, document: dict[str, Any],
               subs: list[SubscriptionRow], currents: dict[str, RecordRow]) -> tuple[str, int]:
    key = record_key(schema, document)
    if key is None:  # validated documents carry their identity fields; keep the guard anyway
        _quarantine(s, prov, schema, Incoming(document, document, False,
                                              {"kind": "identity", "schema": schema, "issues": []}))
        return "unchanged", 0
    digest = content_hash(document)
    current = currents.get(key)
    if current is not None and current.content_hash == digest:
        return "unchanged", 0
    version = 1
    if current is not None:
        version = current.version + 1
        current.is_current = False
    kode_opd, tahun = opd_of(schema, document), year_of(schema, document)
    row = RecordRow(schema_key=schema, record_key=key, version=version, is_current=True, content_hash=digest,
                    document=document, schema_version=prov.schema_version, source_app=prov.app,
                    source_resource=prov.resource, fetched_at=prov.fetched_at, kode_opd=kode_opd, tahun=tahun,
                    sync_run=prov.run_id)
    s.add(row)
    s.flush()
    currents[key] = row  # the same key twice in one batch: the second compares with the first
    s.execute(update(QuarantineRow).where(QuarantineRow.schema_key == schema, QuarantineRow.record_key == key,
                                          QuarantineRow.resolved_at.is_(None)).values(resolved_at=prov.fetched_at))
    event = "record.created" if current is None else "record.updated"
    enqueued = 0
    for sub in subs:
        if subscription_matches(sub, kode_opd, tahun):
            enqueue(s, sub, row, event)
            enqueued += 1
    return ("new" if current is None else "changed"), enqueued


def _quarantine(s: Session, prov: Provenance, schema: str, item: Incoming) -> None:
    digest = content_hash(item.raw)
    exists = s.execute(select(QuarantineRow.id).where(
        QuarantineRow.source_app == prov.app, QuarantineRow.source_resource == prov.resource,
        QuarantineRow.content_hash == digest)).first()
    if exists:
        return
    key = None
    if item.document is not None:
        try:
            key = record_key(schema, item.document)
        except Exception:
            key = None
    s.add(QuarantineRow(source_app=prov.app, source_resource=prov.resource, schema_key=schema, record_key=key,
                        content_hash=digest, kind=str(item.report.get("kind") or "validation"), raw=item.raw,
                        document=item.document, report=item.report, fetched_at=prov.fetched_at))
    s.flush()


# -- sync cursors -------------------------------------------------------------------------------------------
def get_cursor(db: Database, app: str, resource: str) -> str | None:
    with db.session() as s:
        row = s.get(SyncCursorRow, (app, resource))
        return row.since if row else None


def set_cursor(db: Database, app: str, resource: str, *, since: str | None, status: str,
               counts: dict[str, Any], error: str | None = None, advance: bool = True) -> None:
    with write_session(db) as s:
        row = s.get(SyncCursorRow, (app, resource))
        if row is None:
            row = SyncCursorRow(app=app, resource=resource)
            s.add(row)
        if advance and since:
            row.since = since
        row.last_run_at = datetime.now(UTC)
        row.last_status, row.last_counts, row.last_error = status, counts, error


def reset_cursor(db: Database, app: str, resource: str | None = None) -> int:
    with write_session(db) as s:
        q = select(SyncCursorRow).where(SyncCursorRow.app == app)
        if resource:
            q = q.where(SyncCursorRow.resource == resource)
        rows = s.execute(q).scalars().all()
        for row in rows:
            row.since = None
        return len(rows)


def list_cursors(db: Database) -> list[SyncCursorRow]:
    with db.session() as s:
        return list(s.execute(select(SyncCursorRow).order_by(SyncCursorRow.app, SyncCursorRow.resource)).scalars())
