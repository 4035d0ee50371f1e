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

from sqlalchemy import insert, select, text, true, update
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
    """Store one batch in one transaction, with a few set-wise statements (not a round trip per record): the
    current versions in one query, the superseded ones in one UPDATE, the new versions in one multi-row INSERT
    (ids back in order), their quarantine entries resolved in one UPDATE, the outbox rows in one INSERT. Outbox
    ids follow the order of the batch, which keeps the per-record-key delivery order."""
    counts = BatchCounts(read=len(items))
    schema = base_key(prov.schema_version)
    with write_session(db) as s:
        subs = webhook_subscriptions(s, schema)
        currents = _currents(s, schema, items)
        plan = _plan(prov, schema, items, currents, counts)
        _write(s, prov, schema, plan, subs, counts)
    metrics.records_pulled.labels(prov.app, prov.resource).inc(counts.read)
    metrics.records_valid.labels(prov.app, prov.resource).inc(counts.valid)
    metrics.records_invalid.labels(prov.app, prov.resource).inc(counts.invalid)
    metrics.records_stored.labels(schema).inc(counts.new + counts.changed)
    return counts


# The PostgreSQL form of the look-up: one index probe per key, whatever the planner knows about the table. The
# ``record_key IN (...)`` form let PostgreSQL choose, and a table filled from empty in the same run has no
# statistics (autovacuum may be off or late): it guessed ~50 rows for ``schema_key = :s`` and scanned every current
# row of the schema through ``ix_exchange_record_current``, testing each against the 500 keys (psycopg prepares the
# statement after five runs, and a generic plan's parameter list is searched linearly, not hashed): 15 ms per batch
# at 5k records, 0.4-0.9 s at 50k, so the sync was quadratic. The keys as one array, joined LATERAL (``OFFSET 0``
# keeps the subquery from being flattened into a hash join), leave only the per-key probe of
# ``ix_exchange_record_current_key``: < 1 ms per 500 keys at 50k, with or without statistics.
_PG_CURRENTS = text(
    "SELECT r.id, r.record_key, r.version, r.content_hash FROM unnest(CAST(:keys AS VARCHAR[])) AS k(key) "
    "CROSS JOIN LATERAL (SELECT id, record_key, version, content_hash FROM exchange_record "
    "WHERE schema_key = :schema AND is_current = true AND record_key = k.key OFFSET 0) AS r")


def _currents(s: Session, schema: str, items: list[Incoming]) -> dict[str, Any]:
    """The current versions (id, record_key, version, content_hash) of the batch's records, one statement per 500
    keys, each key an index probe of the partial index ``ix_exchange_record_current_key``. On SQLite:
    ``schema_key = :s AND is_current = true AND record_key IN (...)``, its predicate written like the index's so the
    planner matches it; ``is_current IS true`` would not match. On PostgreSQL: ``_PG_CURRENTS`` above. Only the
    four columns the plan needs are read (not the stored documents)."""
    keys = {k for i in items if i.valid and i.document is not None
            for k in [record_key(schema, i.document)] if k is not None}
    found: dict[str, Any] = {}
    postgres = s.get_bind().dialect.name == "postgresql"
    r = RecordRow.__table__
    for chunk in _chunks(sorted(keys)):
        if postgres:
            rows = s.execute(_PG_CURRENTS, {"keys": chunk, "schema": schema})
        else:
            rows = s.execute(select(r.c.id, r.c.record_key, r.c.version, r.c.content_hash).where(
                r.c.schema_key == schema, r.c.is_current == true(), r.c.record_key.in_(chunk)))
        found.update({row.record_key: row for row in rows})
    return found


@dataclass
class _Plan:
    superseded: list[int] = field(default_factory=list)  # ids of current versions that stop being current
    versions: list[dict[str, Any]] = field(default_factory=list)  # new RecordRow values, in batch order
    events: list[str] = field(default_factory=list)
    quarantine: list[tuple[int, Incoming, str | None]] = field(default_factory=list)  # (position, item, key)
    stored_at: dict[str, int] = field(default_factory=dict)  # key → position of its last new version


def _plan(prov: Provenance, schema: str, items: list[Incoming], currents: dict[str, Any],
          counts: BatchCounts) -> _Plan:
    plan = _Plan()
    newest: dict[str, tuple[int, str, int | None]] = {  # key → (version, hash, index in plan.versions or None)
        k: (r.version, r.content_hash, None) for k, r in currents.items()}
    for position, item in enumerate(items):
        if not item.valid or item.document is None:
            counts.invalid += 1
            plan.quarantine.append((position, item, _key_or_none(schema, item.document)))
            continue
        counts.valid += 1
        document = item.document
        key = record_key(schema, document)
        if key is None:  # validated documents carry their identity fields; keep the guard anyway
            plan.quarantine.append((position, Incoming(document, document, False,
                                                       {"kind": "identity", "schema": schema, "issues": []}), None))
            counts.unchanged += 1
            continue
        digest = content_hash(document)
        before = newest.get(key)
        if before is not None and before[1] == digest:
            counts.unchanged += 1
            continue
        if before is None:
            version, event = 1, "record.created"
            counts.new += 1
        else:
            version, event = before[0] + 1, "record.updated"
            counts.changed += 1
            if before[2] is None:
                plan.superseded.append(currents[key].id)
            else:  # the same key twice in one batch: the first new version is no longer current
                plan.versions[before[2]]["is_current"] = False
        plan.versions.append({
            "schema_key": schema, "record_key": key, "version": version, "is_current": True, "content_hash": digest,
            "document": document, "schema_version": prov.schema_version, "source_app": prov.app,
            "source_resource": prov.resource, "fetched_at": prov.fetched_at, "kode_opd": opd_of(schema, document),
            "tahun": year_of(schema, document), "sync_run": prov.run_id})
        plan.events.append(event)
        newest[key] = (version, digest, len(plan.versions) - 1)
        plan.stored_at[key] = position
    return plan


def _write(s: Session, prov: Provenance, schema: str, plan: _Plan, subs: list[SubscriptionRow],
           counts: BatchCounts) -> None:
    r = RecordRow.__table__
    for chunk in _chunks(plan.superseded):
        s.execute(update(r).where(r.c.id.in_(chunk)).values(is_current=False))
    ids: list[int] = []
    if plan.versions:
        ids = list(s.execute(insert(r).returning(r.c.id, sort_by_parameter_order=True), plan.versions).scalars())
        for chunk in _chunks(sorted(plan.stored_at)):
            q = QuarantineRow.__table__
            s.execute(update(q).where(q.c.schema_key == schema, q.c.record_key.in_(chunk),
                                      q.c.resolved_at.is_(None)).values(resolved_at=prov.fetched_at))
    _quarantine_all(s, prov, schema, plan)
    if not subs or not ids:
        return
    now = time.time()
    rows = [{"delivery_id": new_delivery_id(), "subscription_id": sub.id, "record_id": record_id,
             "schema_key": schema, "record_key": values["record_key"], "event": event, "status": "pending",
             "attempts": 0, "next_attempt_at": now}
            for record_id, values, event in zip(ids, plan.versions, plan.events, strict=True)
            for sub in subs if subscription_matches(sub, values["kode_opd"], values["tahun"])]
    if rows:
        s.execute(insert(OutboxRow.__table__), rows)
        counts.enqueued += len(rows)


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i:i + size] for i in range(0, len(values), size)]


def _key_or_none(schema: str, document: dict[str, Any] | None) -> str | None:
    if document is None:
        return None
    try:
        return record_key(schema, document)
    except Exception:
        return None


def _quarantine_all(s: Session, prov: Provenance, schema: str, plan: _Plan) -> None:
    """Quarantine entries of the batch: one query for those already held (same content), one INSERT for the
    rest. An entry whose record has a new valid version later in the same batch is stored already resolved."""
    if not plan.quarantine:
        return
    digests: dict[str, tuple[int, Incoming, str | None]] = {}
    for position, item, key in plan.quarantine:
        digests.setdefault(content_hash(item.raw), (position, item, key))
    q = QuarantineRow.__table__
    held: set[str] = set()
    for chunk in _chunks(sorted(digests)):
        held.update(s.execute(select(q.c.content_hash).where(
            q.c.source_app == prov.app, q.c.source_resource == prov.resource,
            q.c.content_hash.in_(chunk))).scalars())
    rows = []
    for digest, (position, item, key) in sorted(digests.items(), key=lambda kv: kv[1][0]):
        if digest in held:
            continue
        resolved = key is not None and plan.stored_at.get(key, -1) > position
        rows.append({"source_app": prov.app, "source_resource": prov.resource, "schema_key": schema,
                     "record_key": key, "content_hash": digest, "kind": str(item.report.get("kind") or "validation"),
                     "raw": item.raw, "document": item.document, "report": item.report,
                     "fetched_at": prov.fetched_at, "resolved_at": prov.fetched_at if resolved else None})
    if rows:
        s.execute(insert(q), rows)


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
