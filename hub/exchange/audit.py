"""The audit log: append-only and hash-chained (non-repudiation).

Each entry carries the hash of the entry before it; ``hash = sha256(canonical JSON of the entry + prev_hash)``.
Appends are serialised by locking the head row (``exchange_audit_head``, id 1): ``SELECT ... FOR UPDATE`` on
PostgreSQL, the database write lock on SQLite. ``verify()`` walks the chain and reports the first entry that was
altered, removed (a gap in the ids, or a head that points past the end) or reordered.

Other features call :func:`record` (own transaction) or :func:`append` (inside their own session, so the entry
commits or rolls back with the change it describes)::

    from hub.exchange import audit
    audit.record("key:Diskominfo#1", "registry.application.update", "application", "e-planning",
                 {"changed": ["status"]})
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.exchange.db import database, is_sqlite, write_session
from hub.exchange.identity import canonical_json
from registry.db import Database
from registry.tables_exchange import AuditHeadRow, AuditRow

GENESIS = "0" * 64
CHUNK = 1000


def entry_hash(entry_id: int, at: str, actor: str, action: str, entity: str, entity_id: str | None,
               details: dict[str, Any], prev_hash: str) -> str:
    body = canonical_json({"id": entry_id, "at": at, "actor": actor, "action": action, "entity": entity,
                           "entity_id": entity_id, "details": details})
    return hashlib.sha256((body + prev_hash).encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _head(s: Session) -> AuditHeadRow:
    if s.get_bind().dialect.name == "sqlite":
        # take the write lock before reading the head (no-op update), so two appends never read the same head
        s.execute(update(AuditHeadRow).where(AuditHeadRow.id == 1).values(last_id=AuditHeadRow.last_id))
        head = s.get(AuditHeadRow, 1, populate_existing=True)
    else:
        head = s.execute(select(AuditHeadRow).where(AuditHeadRow.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:  # a freshly truncated database (tests): the chain starts again
        head = AuditHeadRow(id=1, last_id=0, last_hash=GENESIS)
        s.add(head)
        s.flush()
    return head


def append(s: Session, actor: str, action: str, entity: str, entity_id: str | None = None,
           details: dict[str, Any] | None = None) -> AuditRow:
    """Append one entry inside the caller's transaction (the only way entries are written)."""
    clean = json.loads(canonical_json(details or {}))  # exactly what the JSON column gives back
    head = _head(s)
    entry_id, at = head.last_id + 1, _now()
    digest = entry_hash(entry_id, at, actor, action, entity, entity_id, clean, head.last_hash)
    row = AuditRow(id=entry_id, at=at, actor=actor[:200], action=action, entity=entity,
                   entity_id=None if entity_id is None else str(entity_id)[:300], details=clean,
                   prev_hash=head.last_hash, hash=digest)
    s.add(row)
    head.last_id, head.last_hash = entry_id, digest
    s.flush()
    return row


def record(actor: str, action: str, entity: str, entity_id: str | None = None,
           details: dict[str, Any] | None = None, *, db: Database | None = None) -> int:
    """Append one entry in its own transaction; returns its id. For registry changes, key use, operations."""
    with write_session(database(db)) as s:
        return append(s, actor, action, entity, entity_id, details).id


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    head_id: int
    head_hash: str
    broken_id: int | None = None
    problem: str | None = None  # altered | removed | reordered | head_mismatch | unexpected_head
    detail: str = ""
    checked_head: bool = field(default=False)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _rows(s: Session) -> Iterator[AuditRow]:
    last = 0
    while True:
        rows = s.execute(select(AuditRow).where(AuditRow.id > last).order_by(AuditRow.id).limit(CHUNK)).scalars().all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id
        s.expunge_all()


def verify(db: Database | None = None, *, expect_head: tuple[int, str] | None = None) -> VerifyResult:
    """Walk the chain from the first entry; stop at the first broken one."""
    db = database(db)
    with db.session() as s:
        head = s.get(AuditHeadRow, 1)
        head_id, head_hash = (head.last_id, head.last_hash) if head else (0, GENESIS)
        prev_id, prev_hash, count = 0, GENESIS, 0
        for row in _rows(s):
            count += 1
            if row.id != prev_id + 1:
                return VerifyResult(False, count, head_id, head_hash, prev_id + 1, "removed",
                                    f"entries {prev_id + 1}..{row.id - 1} are missing")
            if row.prev_hash != prev_hash:
                problem = "reordered" if row.hash == entry_hash(
                    row.id, row.at, row.actor, row.action, row.entity, row.entity_id, row.details,
                    row.prev_hash) else "altered"
                return VerifyResult(False, count, head_id, head_hash, row.id, problem,
                                    "prev_hash does not match the hash of the entry before")
            expected = entry_hash(row.id, row.at, row.actor, row.action, row.entity, row.entity_id, row.details,
                                  row.prev_hash)
            if expected != row.hash:
                return VerifyResult(False, count, head_id, head_hash, row.id, "altered",
                                    "the content of the entry no longer matches its hash")
            prev_id, prev_hash = row.id, row.hash
    if (prev_id, prev_hash) != (head_id, head_hash):
        return VerifyResult(False, count, head_id, head_hash, prev_id + 1, "removed",
                            f"the head says the chain ends at {head_id}, the log ends at {prev_id}")
    if expect_head is not None:
        eid, ehash = expect_head
        if eid > head_id:
            return VerifyResult(False, count, head_id, head_hash, head_id + 1, "removed",
                                f"an earlier verification saw entry {eid}; the log now ends at {head_id}")
        with db.session() as s:
            row = s.get(AuditRow, eid)
            if row is None or row.hash != ehash:
                return VerifyResult(False, count, head_id, head_hash, eid, "unexpected_head",
                                    "the anchored hash does not match the entry")
    return VerifyResult(True, count, head_id, head_hash, checked_head=expect_head is not None)


def entries(db: Database | None = None, *, limit: int = 50, action: str | None = None,
            entity_id: str | None = None) -> list[AuditRow]:
    with database(db).session() as s:
        q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if action:
            q = q.where(AuditRow.action.like(f"{action}%"))
        if entity_id:
            q = q.where(AuditRow.entity_id == entity_id)
        return list(s.execute(q).scalars().all())


__all__ = ["VerifyResult", "append", "entries", "entry_hash", "is_sqlite", "record", "verify"]
