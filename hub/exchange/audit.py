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

Reads by a key (``data.read``) go through :func:`record_buffered`: the entry is stamped with the time of the read
and kept in a per-process append buffer, written (in order, on the same chain) when it holds
``exchange_audit_buffer`` entries or its oldest entry is ``exchange_audit_flush_s`` seconds old, when the process
shuts down cleanly (API lifespan, ``atexit``), and before :func:`entries` / :func:`verify` read the log. What a
crash (SIGKILL, power loss) can lose is the buffer: at most that many read entries / that many seconds of reads of
the process. Changes (grants, deliveries, registry edits) are never buffered: they commit with their entry.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.exchange.db import database, is_sqlite, write_session
from hub.exchange.identity import canonical_json
from hub.logging import get_logger
from registry.db import Database
from registry.tables_exchange import AuditHeadRow, AuditRow

log = get_logger("hub.exchange.audit")
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
           details: dict[str, Any] | None = None, *, at: str | None = None) -> AuditRow:
    """Append one entry inside the caller's transaction (the only way entries are written). ``at`` is given by
    the append buffer (the time of the read, not of the flush)."""
    clean = json.loads(canonical_json(details or {}))  # exactly what the JSON column gives back
    head = _head(s)
    entry_id, at = head.last_id + 1, at or _now()
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
class _Pending:
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str | None
    details: dict[str, Any]


class AppendBuffer:
    """Entries waiting to be appended to one database's chain (module doc). A daemon thread flushes by age;
    the request that fills the buffer only wakes it, so no request waits for the write."""

    def __init__(self, db: Database, max_entries: int, max_age_s: float) -> None:
        self.db, self.max_entries, self.max_age_s = db, max(1, max_entries), max(0.01, max_age_s)
        self._pending: list[_Pending] = []
        self._lock = threading.Lock()  # guards _pending
        self._flushing = threading.Lock()  # one flush at a time keeps the buffer's order on the chain
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._closed = False

    def add(self, entry: _Pending) -> None:
        with self._lock:
            self._pending.append(entry)
            full = len(self._pending) >= self.max_entries
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="simpul-audit-flush", daemon=True)
                self._thread.start()
        if full:
            self._wake.set()

    def __len__(self) -> int:
        return len(self._pending)

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.max_age_s)
            self._wake.clear()
            try:
                self.flush()
            except Exception as exc:  # the database is away: keep the entries, try again on the next tick
                log.warning("audit.flush_failed", error=f"{type(exc).__name__}: {str(exc)[:200]}",
                            pending=len(self._pending))

    def flush(self) -> int:
        """Append every waiting entry in one transaction; on failure they stay in the buffer, in order."""
        with self._flushing:
            with self._lock:
                batch, self._pending = self._pending, []
            if not batch:
                return 0
            try:
                with write_session(self.db) as s:
                    for e in batch:
                        append(s, e.actor, e.action, e.entity, e.entity_id, e.details, at=e.at)
            except BaseException:
                with self._lock:
                    self._pending[:0] = batch
                raise
            return len(batch)

    def close(self) -> None:
        self._closed = True
        self._wake.set()
        self.flush()


_buffers: dict[int, AppendBuffer] = {}
_buffers_lock = threading.Lock()


def _existing(db: Database) -> AppendBuffer | None:
    with _buffers_lock:
        buf = _buffers.get(id(db))
        return buf if buf is not None and buf.db is db else None


def _buffer(db: Database) -> AppendBuffer:
    from hub.settings import get_settings

    with _buffers_lock:
        buf = _buffers.get(id(db))
        if buf is None or buf.db is not db:
            settings = get_settings()
            buf = _buffers[id(db)] = AppendBuffer(db, settings.exchange_audit_buffer, settings.exchange_audit_flush_s)
        return buf


def record_buffered(actor: str, action: str, entity: str, entity_id: str | None = None,
                    details: dict[str, Any] | None = None, *, db: Database | None = None) -> None:
    """Queue one entry for the chain without a write now (reads by a key). ``exchange_audit_buffer = 0`` writes
    it at once, like :func:`record`."""
    from hub.settings import get_settings

    db = database(db)
    if get_settings().exchange_audit_buffer <= 0:
        record(actor, action, entity, entity_id, details, db=db)
        return
    clean = json.loads(canonical_json(details or {}))
    _buffer(db).add(_Pending(_now(), actor[:200], action, entity, None if entity_id is None else str(entity_id)[:300],
                     clean))


def flush(db: Database | None = None) -> int:
    """Write what the append buffer of ``db`` holds (all databases when ``db`` is None); returns entries written."""
    if db is not None:
        buf = _existing(db)
        return buf.flush() if buf is not None else 0
    with _buffers_lock:
        buffers = list(_buffers.values())
    return sum(b.flush() for b in buffers)


def close_buffers() -> None:
    """Clean shutdown: flush every buffer and stop its thread (API lifespan end, ``atexit``)."""
    with _buffers_lock:
        buffers = list(_buffers.values())
        _buffers.clear()
    for buf in buffers:
        started = time.monotonic()
        try:
            buf.close()
        except Exception as exc:
            log.error("audit.flush_at_shutdown_failed", error=f"{type(exc).__name__}: {str(exc)[:200]}",
                      lost=len(buf), seconds=round(time.monotonic() - started, 3))


def _forget_in_child() -> None:
    """A forked child must not write its parent's buffered entries a second time (the parent writes them)."""
    global _buffers_lock
    _buffers.clear()
    _buffers_lock = threading.Lock()


atexit.register(close_buffers)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


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
    flush(db)
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
    db = database(db)
    flush(db)
    with db.session() as s:
        q = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
        if action:
            q = q.where(AuditRow.action.like(f"{action}%"))
        if entity_id:
            q = q.where(AuditRow.entity_id == entity_id)
        return list(s.execute(q).scalars().all())


__all__ = ["AppendBuffer", "VerifyResult", "append", "close_buffers", "entries", "entry_hash", "flush", "is_sqlite",
           "record", "record_buffered", "verify"]
