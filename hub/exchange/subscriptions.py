"""Subscriptions: a consumer application subscribes to a canonical schema (optionally one OPD and/or one year).

``webhook`` subscriptions get signed deliveries from the outbox; ``pull`` subscriptions read the canonical API with
a cursor. The webhook secret is generated here, shown once, and stored encrypted (hub.exchange.secretbox).
Every change is written to the audit log in the same transaction.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, Field
from sqlalchemy import func, select, true

from hub.errors import BadRequest, NotFound
from hub.exchange import audit
from hub.exchange.db import database, write_session
from hub.exchange.secretbox import open_sealed, seal
from hub.exchange.store import enqueue, subscription_matches
from registry.db import Database
from registry.tables_exchange import OutboxRow, RecordRow, SubscriptionRow

MAX_BATCH_SIZE = 500


class SubscriptionIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="Who consumes, e.g. 'e-budgeting BPKAD'")
    schema_key: str = Field(alias="schema", description="Canonical schema, e.g. perencanaan/sub_kegiatan")
    mode: Literal["webhook", "pull"] = "webhook"
    url: str | None = Field(default=None, max_length=1000, description="Webhook URL (mode webhook)")
    consumer_app: str | None = Field(default=None, max_length=80, description="Registry id of the consumer")
    kode_opd: str | None = Field(default=None, max_length=40, description="Only records of this OPD")
    tahun: int | None = Field(default=None, ge=2000, le=2100, description="Only records of this year")
    personal_data: bool = Field(default=False, description="Deliver NIK/NIP/phone/e-mail unmasked")
    backfill: bool = Field(default=False, description="Also deliver the records already stored")
    batch_size: int = Field(default=1, description=f"Deliveries per signed POST (1 = one body per delivery, up to "
                                                   f"{MAX_BATCH_SIZE}: a batch envelope, docs/exchange.md)")

    model_config = {"populate_by_name": True, "extra": "forbid"}


class Subscription(BaseModel):
    id: str
    name: str
    schema_key: str = Field(serialization_alias="schema")
    mode: str
    url: str | None
    consumer_app: str | None
    kode_opd: str | None
    tahun: int | None
    personal_data: bool
    active: bool
    batch_size: int = 1
    created_at: datetime
    created_by: str | None
    outbox: dict[str, int] = Field(default_factory=dict)


class NewSubscription(Subscription):
    secret: str | None = Field(default=None, description="Webhook signing secret. Shown only now: store it safely.")
    backfilled: int = 0


def _out(row: SubscriptionRow, outbox: dict[str, int] | None = None) -> Subscription:
    return Subscription(id=row.id, name=row.name, schema_key=row.schema_key, mode=row.mode, url=row.url,
                        consumer_app=row.consumer_app, kode_opd=row.kode_opd, tahun=row.tahun,
                        personal_data=row.personal_data, active=row.active, batch_size=row.batch_size or 1,
                        created_at=row.created_at,
                        created_by=row.created_by, outbox=outbox or {})


def _check_url(url: str | None) -> str:
    parsed = urlparse(url or "")
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise BadRequest("exchange.bad_url", url=url or "")
    return url or ""


def _check_batch(size: int, mode: str) -> int:
    if not 1 <= size <= MAX_BATCH_SIZE:
        raise BadRequest("exchange.bad_batch_size", size=size, most=MAX_BATCH_SIZE)
    if size > 1 and mode != "webhook":
        raise BadRequest("exchange.batch_needs_webhook")
    return size


def _schema(key: str) -> str:
    from hub.validation.store import get_store

    return get_store().get(key).key


def _audit_view(row: SubscriptionRow) -> dict[str, Any]:
    return {"name": row.name, "schema": row.schema_key, "mode": row.mode, "url": row.url,
            "consumer_app": row.consumer_app, "kode_opd": row.kode_opd, "tahun": row.tahun,
            "personal_data": row.personal_data, "active": row.active, "batch_size": row.batch_size or 1}


def create(data: SubscriptionIn, actor: str, *, db: Database | None = None) -> NewSubscription:
    db = database(db)
    schema = _schema(data.schema_key)
    url = _check_url(data.url) if data.mode == "webhook" else None
    batch_size = _check_batch(data.batch_size, data.mode)
    secret = "whsec_" + secrets.token_urlsafe(32) if data.mode == "webhook" else None
    now = datetime.now(UTC)
    with write_session(db) as s:
        row = SubscriptionRow(id="sub_" + uuid.uuid4().hex[:20], name=data.name, consumer_app=data.consumer_app,
                              schema_key=schema, kode_opd=data.kode_opd, tahun=data.tahun, mode=data.mode, url=url,
                              secret_enc=seal(secret) if secret else None, personal_data=data.personal_data,
                              batch_size=batch_size, active=True, created_at=now, created_by=actor, updated_at=now)
        s.add(row)
        s.flush()
        backfilled = 0
        if data.backfill and data.mode == "webhook":
            records = s.execute(select(RecordRow).where(RecordRow.schema_key == schema, RecordRow.is_current == true())
                                .order_by(RecordRow.id)).scalars()
            for record in records:
                if subscription_matches(row, record.kode_opd, record.tahun):
                    enqueue(s, row, record, "record.snapshot")
                    backfilled += 1
        audit.append(s, actor, "subscription.create", "subscription", row.id,
                     {**_audit_view(row), "backfilled": backfilled})
        out = _out(row)
    return NewSubscription(**out.model_dump(), secret=secret, backfilled=backfilled)


def _counts(s: Any, sub_ids: list[str]) -> dict[str, dict[str, int]]:
    result: dict[str, dict[str, int]] = {i: {} for i in sub_ids}
    if not sub_ids:
        return result
    rows = s.execute(select(OutboxRow.subscription_id, OutboxRow.status, func.count()).where(
        OutboxRow.subscription_id.in_(sub_ids)).group_by(OutboxRow.subscription_id, OutboxRow.status)).all()
    for sub_id, status, n in rows:
        result[sub_id][status] = n
    return result


def list_all(*, db: Database | None = None, schema: str | None = None) -> list[Subscription]:
    with database(db).session() as s:
        q = select(SubscriptionRow).order_by(SubscriptionRow.created_at, SubscriptionRow.id)
        if schema:
            q = q.where(SubscriptionRow.schema_key == schema)
        rows = list(s.execute(q).scalars())
        counts = _counts(s, [r.id for r in rows])
        return [_out(r, counts[r.id]) for r in rows]


def _row(s: Any, sub_id: str) -> SubscriptionRow:
    row = s.get(SubscriptionRow, sub_id)
    if row is None:
        ids = s.execute(select(SubscriptionRow.id)).scalars().all()
        raise NotFound.with_suggestions("exchange.what.subscription", sub_id, ids)
    return row


def get(sub_id: str, *, db: Database | None = None) -> Subscription:
    with database(db).session() as s:
        row = _row(s, sub_id)
        return _out(row, _counts(s, [row.id])[row.id])


def set_active(sub_id: str, active: bool, actor: str, *, db: Database | None = None) -> Subscription:
    with write_session(database(db)) as s:
        row = _row(s, sub_id)
        row.active, row.updated_at = active, datetime.now(UTC)
        audit.append(s, actor, "subscription.resume" if active else "subscription.pause", "subscription", row.id,
                     _audit_view(row))
        return _out(row)


def update_url(sub_id: str, url: str, actor: str, *, db: Database | None = None) -> Subscription:
    with write_session(database(db)) as s:
        row = _row(s, sub_id)
        old, row.url, row.updated_at = row.url, _check_url(url), datetime.now(UTC)
        audit.append(s, actor, "subscription.update", "subscription", row.id, {"url": {"from": old, "to": row.url}})
        return _out(row)


def set_batch_size(sub_id: str, size: int, actor: str, *, db: Database | None = None) -> Subscription:
    """Deliveries per signed POST from the next delivery round on (1 = one body per delivery)."""
    with write_session(database(db)) as s:
        row = _row(s, sub_id)
        old, row.batch_size, row.updated_at = row.batch_size or 1, _check_batch(size, row.mode), datetime.now(UTC)
        audit.append(s, actor, "subscription.update", "subscription", row.id,
                     {"batch_size": {"from": old, "to": row.batch_size}})
        return _out(row)


def rotate_secret(sub_id: str, actor: str, *, db: Database | None = None) -> str:
    secret = "whsec_" + secrets.token_urlsafe(32)
    with write_session(database(db)) as s:
        row = _row(s, sub_id)
        if row.mode != "webhook":
            raise BadRequest("exchange.not_webhook", id=sub_id)
        row.secret_enc, row.updated_at = seal(secret), datetime.now(UTC)
        audit.append(s, actor, "subscription.rotate_secret", "subscription", row.id, {})
    return secret


def delete(sub_id: str, actor: str, *, db: Database | None = None) -> None:
    """Remove a subscription; its undelivered outbox rows become dead ("subscription deleted")."""
    from sqlalchemy import update

    with write_session(database(db)) as s:
        row = _row(s, sub_id)
        dropped = s.execute(update(OutboxRow).where(
            OutboxRow.subscription_id == sub_id, OutboxRow.status.in_(("pending", "retrying"))).values(
            status="dead", dead_reason="subscription deleted", claimed_until=None)).rowcount
        audit.append(s, actor, "subscription.delete", "subscription", row.id,
                     {**_audit_view(row), "undelivered_dropped": dropped})
        s.delete(row)


def secret_of(row: SubscriptionRow) -> str:
    return open_sealed(row.secret_enc or "")
