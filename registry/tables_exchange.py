"""Storage of the data exchange (hub/exchange): canonical records with provenance, quarantine, sync cursors,
subscriptions, the transactional outbox, consumer scopes and the hash-chained audit log.

Scheduling columns of the outbox (``next_attempt_at``, ``claimed_until``) are Unix seconds (float) so that
"due now" compares the same way on SQLite and PostgreSQL. Audit times are ISO-8601 text: the hash of an entry is
computed over exactly what is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, Text, UniqueConstraint, column, literal_column, true
from sqlalchemy.orm import Mapped, mapped_column

from registry.tables import Base, utcnow

# Predicates of the partial indexes, written once and used verbatim by the queries they serve: SQLite uses a partial
# index only when the query carries the same term with literal constants (a bound parameter does not match), and
# PostgreSQL's generic plans (psycopg prepares repeated statements) cannot prove a predicate from parameters either.
OPEN_LITERALS = (literal_column("'pending'"), literal_column("'retrying'"))  # status IN ('pending', 'retrying')
CURRENT = column("is_current") == true()  # "is_current = true" / "is_current = 1"
OPEN_STATUS = column("status").in_(OPEN_LITERALS)


class RecordRow(Base):
    """One version of one canonical record. ``is_current`` marks the newest version of (schema_key, record_key)."""

    __tablename__ = "exchange_record"
    __table_args__ = (
        UniqueConstraint("schema_key", "record_key", "version", name="uq_exchange_record_key_version"),
        Index("ix_exchange_record_current", "schema_key", "is_current", "id"),
        Index("ix_exchange_record_lookup", "schema_key", "record_key", "is_current"),
        # the store's look-up of a batch's current versions (hub/exchange/store.py:_currents), migration 0015
        Index("ix_exchange_record_current_key", "schema_key", "record_key", sqlite_where=CURRENT,
              postgresql_where=CURRENT),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schema_key: Mapped[str] = mapped_column(String(80))
    record_key: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column()
    schema_version: Mapped[str] = mapped_column(String(120))
    source_app: Mapped[str] = mapped_column(String(80), index=True)
    source_resource: Mapped[str] = mapped_column(String(80))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    kode_opd: Mapped[str | None] = mapped_column(String(40), index=True)
    tahun: Mapped[int | None] = mapped_column(Integer, index=True)
    sync_run: Mapped[str | None] = mapped_column(String(40))


class QuarantineRow(Base):
    """A record that could not be mapped or failed validation, kept with its report; never passed on."""

    __tablename__ = "exchange_quarantine"
    __table_args__ = (UniqueConstraint("source_app", "source_resource", "content_hash",
                                       name="uq_exchange_quarantine_content"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_app: Mapped[str] = mapped_column(String(80), index=True)
    source_resource: Mapped[str] = mapped_column(String(80))
    schema_key: Mapped[str | None] = mapped_column(String(80), index=True)
    record_key: Mapped[str | None] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # mapping | validation
    raw: Mapped[dict[str, Any]] = mapped_column()
    document: Mapped[dict[str, Any] | None] = mapped_column()
    report: Mapped[dict[str, Any]] = mapped_column()
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column()


class SyncCursorRow(Base):
    """Where the next incremental pull of (app, resource) starts; advanced only after the run has committed."""

    __tablename__ = "exchange_sync_cursor"

    app: Mapped[str] = mapped_column(String(80), primary_key=True)
    resource: Mapped[str] = mapped_column(String(80), primary_key=True)
    since: Mapped[str | None] = mapped_column(String(60))
    last_run_at: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_counts: Mapped[dict[str, Any] | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)


class SubscriptionRow(Base):
    __tablename__ = "exchange_subscription"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    consumer_app: Mapped[str | None] = mapped_column(String(80))
    schema_key: Mapped[str] = mapped_column(String(80), index=True)
    kode_opd: Mapped[str | None] = mapped_column(String(40))
    tahun: Mapped[int | None] = mapped_column(Integer)
    mode: Mapped[str] = mapped_column(String(10))  # webhook | pull
    url: Mapped[str | None] = mapped_column(String(1000))
    secret_enc: Mapped[str | None] = mapped_column(Text)
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # deliveries per signed POST (1 = one body per delivery; >1 = batch envelope, docs/exchange.md)
    batch_size: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


class OutboxRow(Base):
    """One delivery of one record version to one subscription (the transactional outbox)."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        Index("ix_exchange_outbox_due", "status", "next_attempt_at"),
        Index("ix_exchange_outbox_order", "subscription_id", "record_key", "id"),
        # the claim's ORDER BY id LIMIT n over waiting rows only (hub/exchange/delivery.py:claim), migration 0015:
        # read in id order, it stops after n rows instead of sorting the whole backlog every round
        Index("ix_exchange_outbox_open", "id", sqlite_where=OPEN_STATUS, postgresql_where=OPEN_STATUS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(String(40), unique=True)
    subscription_id: Mapped[str] = mapped_column(String(40), index=True)
    record_id: Mapped[int] = mapped_column(Integer, index=True)
    schema_key: Mapped[str] = mapped_column(String(80))
    record_key: Mapped[str] = mapped_column(String(300))
    event: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(12))  # pending | retrying | delivered | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[float] = mapped_column(Float)
    claimed_until: Mapped[float | None] = mapped_column(Float)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    dead_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()


class ConsumerScopeRow(Base):
    """A scope granted to an API key of the registry (``data:read:<schema>``, ``data:read_personal:<schema>``)."""

    __tablename__ = "exchange_consumer_scope"

    key_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(120), primary_key=True)
    rate_per_minute: Mapped[int | None] = mapped_column(Integer)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    granted_by: Mapped[str | None] = mapped_column(String(200))


class AuditRow(Base):
    """An append-only, hash-chained audit entry: ``hash = sha256(canonical entry JSON + prev_hash)``."""

    __tablename__ = "exchange_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The single row (id 1) every append locks first: the last id and hash of the chain."""

    __tablename__ = "exchange_audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
