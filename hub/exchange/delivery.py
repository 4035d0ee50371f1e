"""Delivery of the outbox: claim with a lease, send signed webhooks, retry with backoff, dead letters, replay.

- Claim: rows ``pending``/``retrying`` whose ``next_attempt_at`` has come and whose lease (``claimed_until``) is
  empty or expired, of active subscriptions, and with no earlier undelivered row for the same subscription and
  record key (order per record key). A worker killed mid-delivery leaves its lease to expire; the row is then
  claimed again (at-least-once). PostgreSQL claims with ``FOR UPDATE SKIP LOCKED``.
- Send: ``POST`` the envelope with ``X-Simpul-Signature``, ``X-Simpul-Delivery``, ``X-Simpul-Event`` and
  ``Idempotency-Key`` (= the delivery id, the same on every retry). A 2xx answer is delivered.
- Failure: exponential backoff with jitter (``Retry-After`` honoured), up to ``exchange_max_attempts``; then
  ``dead`` with the reason. Dead rows do not block later versions of the same key.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import exists, func, literal, or_, select, update

from hub.exchange import audit, metrics
from hub.exchange.db import database, write_session
from hub.exchange.identity import canonical_json
from hub.exchange.signing import DELIVERY_HEADER, EVENT_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from hub.exchange.webhook_client import webhook_client
from hub.logging import get_logger, mask_text
from hub.settings import get_settings
from registry.db import Database
from registry.tables_exchange import OutboxRow, RecordRow, SubscriptionRow

log = get_logger("hub.exchange.delivery")
OPEN = ("pending", "retrying")
STATUSES = ("pending", "retrying", "delivered", "dead")
USER_AGENT = "Simpul-Webhook/1"


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class Claimed:
    outbox_id: int
    delivery_id: str
    event: str
    attempts: int
    subscription_id: str
    url: str
    secret: str
    body: bytes
    signature: str = ""  # signed with the batch at claim time (``sign`` again if it is sent much later)


@dataclass
class Outcome:
    claimed: Claimed
    ok: bool
    status_code: int | None
    error: str | None
    retry_after: float | None = None


def envelope(out: OutboxRow, sub: SubscriptionRow, record: RecordRow) -> dict[str, Any]:
    from hub.exchange.canonical import present_document, present_key

    return {
        "delivery_id": out.delivery_id,
        "event": out.event,
        "subscription": sub.id,
        "schema": record.schema_key,
        "record_key": present_key(record.schema_key, record.record_key, personal=sub.personal_data),
        "version": record.version,
        "provenance": {"source_app": record.source_app, "source_resource": record.source_resource,
                       "fetched_at": _iso(record.fetched_at), "content_hash": record.content_hash,
                       "schema_version": record.schema_version},
        "data": present_document(record.schema_key, record.document, personal=sub.personal_data),
    }


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def claim(db: Database, worker: str, limit: int, *, now: float | None = None) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to ``worker`` (one per record key) and build their bodies."""
    from hub.exchange.subscriptions import secret_of

    now = time.time() if now is None else now
    lease = get_settings().exchange_lease_s
    o = OutboxRow.__table__
    p = o.alias("earlier")
    earlier = select(literal(1)).where(p.c.subscription_id == o.c.subscription_id, p.c.record_key == o.c.record_key,
                                       p.c.schema_key == o.c.schema_key, p.c.id < o.c.id, p.c.status.in_(OPEN))
    active = select(SubscriptionRow.id).where(SubscriptionRow.active.is_(True), SubscriptionRow.mode == "webhook")
    q = (select(o.c.id).where(o.c.status.in_(OPEN), o.c.next_attempt_at <= now,
                              or_(o.c.claimed_until.is_(None), o.c.claimed_until < now),
                              o.c.subscription_id.in_(active), ~exists(earlier))
         .order_by(o.c.id).limit(limit))
    with write_session(db) as s:
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True, of=o)
        ids = list(s.execute(q).scalars())
        if not ids:
            return []
        got = s.execute(update(o).where(o.c.id.in_(ids), or_(o.c.claimed_until.is_(None), o.c.claimed_until < now))
                        .values(claimed_until=now + lease, claimed_by=worker).returning(o.c.id)).scalars().all()
        rows = s.execute(select(OutboxRow, SubscriptionRow, RecordRow)
                         .join(SubscriptionRow, SubscriptionRow.id == OutboxRow.subscription_id)
                         .join(RecordRow, RecordRow.id == OutboxRow.record_id)
                         .where(OutboxRow.id.in_(list(got))).order_by(OutboxRow.id)).all()
        claimed = []
        secrets: dict[str, str] = {}  # one decryption per subscription and batch, not per delivery
        seen: set[tuple[str, str, str]] = set()
        for out, sub, record in rows:
            key = (out.subscription_id, out.schema_key, out.record_key)
            if key in seen:  # cannot happen with the NOT EXISTS guard; kept as a belt for ordering
                out.claimed_until = None
                continue
            seen.add(key)
            body = canonical_json(envelope(out, sub, record)).encode("utf-8")
            secret = secrets.get(sub.id)
            if secret is None:
                secret = secrets[sub.id] = secret_of(sub)
            claimed.append(Claimed(out.id, out.delivery_id, out.event, out.attempts, sub.id, sub.url or "",
                                   secret, body, sign(secret, body)))
        return claimed


async def send(client: httpx.AsyncClient, item: Claimed) -> Outcome:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               SIGNATURE_HEADER: item.signature or sign(item.secret, item.body), DELIVERY_HEADER: item.delivery_id,
               EVENT_HEADER: item.event, IDEMPOTENCY_HEADER: item.delivery_id}
    started = time.perf_counter()
    try:
        response = await client.post(item.url, content=item.body, headers=headers)
    except httpx.HTTPError as exc:
        return Outcome(item, False, None, mask_text(f"{type(exc).__name__}: {exc}")[:300])
    finally:
        metrics.delivery_seconds.observe(time.perf_counter() - started)
    if 200 <= response.status_code < 300:
        return Outcome(item, True, response.status_code, None)
    retry_after = None
    header = response.headers.get("retry-after")
    if header and header.strip().isdigit():
        retry_after = float(header.strip())
    snippet = mask_text(response.text[:200]) if response.text else ""
    return Outcome(item, False, response.status_code, f"HTTP {response.status_code} {snippet}".strip(), retry_after)


def backoff(attempts: int, retry_after: float | None = None) -> float:
    settings = get_settings()
    delay = min(settings.exchange_retry_max_s, settings.exchange_retry_base_s * (2 ** max(0, attempts - 1)))
    delay = random.uniform(delay / 2, delay)
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.exchange_retry_max_s))
    return delay


def record_outcomes(db: Database, worker: str, outcomes: list[Outcome]) -> None:
    """Write the outcomes of one round in one transaction: every delivered row in one set-wise UPDATE (only rows
    still open: one delivered meanwhile by another worker after our lease expired is left alone), failures row by
    row (their backoff differs); the audit log gets one entry listing the round's deliveries."""
    if not outcomes:
        return
    settings = get_settings()
    now = time.time()
    o = OutboxRow.__table__
    ok = [oc for oc in outcomes if oc.ok]
    failed = [oc for oc in outcomes if not oc.ok]
    delivered: list[dict[str, Any]] = []
    with write_session(db) as s:
        if ok:
            stamp = datetime.now(UTC)
            by_code: dict[int | None, list[int]] = {}
            for oc in ok:
                by_code.setdefault(oc.status_code, []).append(oc.claimed.outbox_id)
            done = []
            for code, all_ids in by_code.items():  # nearly always one group: 200
                for start in range(0, len(all_ids), 500):
                    done += s.execute(update(o).where(o.c.id.in_(all_ids[start:start + 500]), o.c.status.in_(OPEN))
                                      .values(status="delivered", delivered_at=stamp, last_error=None,
                                              attempts=o.c.attempts + 1, claimed_until=None, claimed_by=None,
                                              last_status_code=code)
                                      .returning(o.c.id, o.c.delivery_id, o.c.subscription_id, o.c.schema_key,
                                                 o.c.record_key, o.c.record_id, o.c.attempts,
                                                 o.c.last_status_code)).all()
            for r in sorted(done, key=lambda r: r.id):
                metrics.deliveries.labels("delivered").inc()
                delivered.append({"delivery": r.delivery_id, "subscription": r.subscription_id, "schema": r.schema_key,
                                  "record_key": mask_text(r.record_key), "record_id": r.record_id,
                                  "attempts": r.attempts, "status_code": r.last_status_code})
        rows = {r.id: r for r in s.execute(select(OutboxRow).where(
            OutboxRow.id.in_([oc.claimed.outbox_id for oc in failed]))).scalars()} if failed else {}
        for oc in failed:
            out = rows.get(oc.claimed.outbox_id)
            if out is None or out.status not in OPEN:
                continue  # delivered meanwhile by another worker after our lease expired, or deleted
            out.attempts += 1
            out.last_status_code = oc.status_code
            out.claimed_until, out.claimed_by = None, None
            out.last_error = oc.error
            metrics.delivery_failures.labels("http" if oc.status_code else "network").inc()
            if out.attempts >= settings.exchange_max_attempts:
                out.status = "dead"
                out.dead_reason = f"{out.attempts} attempts failed; last: {oc.error}"
                metrics.deliveries.labels("dead").inc()
                details = {"delivery": out.delivery_id, "subscription": out.subscription_id,
                           "schema": out.schema_key, "record_key": mask_text(out.record_key),
                           "record_id": out.record_id, "attempts": out.attempts, "status_code": oc.status_code}
                audit.append(s, "system:delivery", "delivery.dead", "delivery", out.delivery_id,
                             {**details, "reason": out.dead_reason, "worker": worker})
            else:
                out.status = "retrying"
                out.next_attempt_at = now + backoff(out.attempts, oc.retry_after)
                metrics.deliveries.labels("retrying").inc()
        if delivered:
            audit.append(s, "system:delivery", "delivery.delivered", "delivery",
                         delivered[0]["delivery"] if len(delivered) == 1 else f"{len(delivered)} deliveries",
                         {"worker": worker, "deliveries": delivered})


async def deliver_once(db: Database | None = None, *, client: httpx.AsyncClient | None = None,
                       worker: str | None = None, limit: int | None = None) -> int:
    """One round: claim, send concurrently, record. Returns how many deliveries were attempted."""
    db = database(db)
    settings = get_settings()
    worker = worker or worker_name()
    items = await asyncio.to_thread(claim, db, worker, limit or settings.exchange_delivery_batch)
    if not items:
        return 0
    own = client is None
    client = client or webhook_client(settings.exchange_delivery_timeout_s)
    gate = asyncio.Semaphore(max(1, settings.exchange_delivery_concurrency))

    async def one(item: Claimed) -> Outcome:
        async with gate:
            return await send(client, item)

    try:
        outcomes = list(await asyncio.gather(*(one(i) for i in items)))
    finally:
        if own:
            await client.aclose()
    await asyncio.to_thread(record_outcomes, db, worker, outcomes)
    return len(items)


async def drain(db: Database | None = None, *, timeout_s: float = 30.0, client: httpx.AsyncClient | None = None) -> int:
    """Deliver until nothing is due (tests, ``simpul deliveries run``); returns attempts made."""
    total, deadline = 0, time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        n = await deliver_once(db, client=client)
        total += n
        if n == 0:
            break
    return total


# -- reading and replaying -----------------------------------------------------------------------------------
def outbox_counts(db: Database | None = None) -> dict[str, dict[str, int]]:
    with database(db).session() as s:
        rows = s.execute(select(OutboxRow.subscription_id, OutboxRow.status, func.count())
                         .where(OutboxRow.status != "delivered")
                         .group_by(OutboxRow.subscription_id, OutboxRow.status)).all()
        subs = s.execute(select(SubscriptionRow.id)).scalars().all()
    result: dict[str, dict[str, int]] = {sid: {} for sid in subs}
    for sub_id, status, n in rows:
        result.setdefault(sub_id, {})[status] = n
    return result


def list_deliveries(db: Database | None = None, *, status: str | None = None, subscription: str | None = None,
                    record_key: str | None = None, limit: int = 100, before: int | None = None) -> list[OutboxRow]:
    with database(db).session() as s:
        q = select(OutboxRow).order_by(OutboxRow.id.desc()).limit(limit)
        if status:
            q = q.where(OutboxRow.status == status)
        if subscription:
            q = q.where(OutboxRow.subscription_id == subscription)
        if record_key:
            q = q.where(OutboxRow.record_key == record_key)
        if before:
            q = q.where(OutboxRow.id < before)
        return list(s.execute(q).scalars())


def get_delivery(delivery_id: str, db: Database | None = None) -> OutboxRow | None:
    with database(db).session() as s:
        return s.execute(select(OutboxRow).where(OutboxRow.delivery_id == delivery_id)).scalar_one_or_none()


def replay(actor: str, *, db: Database | None = None, delivery_ids: list[str] | None = None,
           subscription: str | None = None, status: str = "dead", limit: int = 10_000) -> list[str]:
    """Put deliveries back in the queue (same delivery id, attempts reset). One id, a list, or all of a status
    (``dead`` by default) optionally for one subscription. Each replay is audited."""
    from hub.errors import BadRequest

    if not delivery_ids and status not in ("dead", "delivered"):
        raise BadRequest("exchange.replay_status", status=status)
    replayed: list[str] = []
    with write_session(database(db)) as s:
        q = select(OutboxRow).order_by(OutboxRow.id).limit(limit)
        q = q.where(OutboxRow.delivery_id.in_(delivery_ids) if delivery_ids else OutboxRow.status == status)
        if subscription:
            q = q.where(OutboxRow.subscription_id == subscription)
        rows = list(s.execute(q).scalars())
        if delivery_ids:
            missing = sorted(set(delivery_ids) - {r.delivery_id for r in rows})
            if missing:
                from hub.errors import NotFound

                raise NotFound("exchange.delivery_not_found", id=", ".join(missing[:5]))
        now = time.time()
        for row in rows:
            if row.status in OPEN:
                continue  # already queued
            previous = row.status
            row.status, row.attempts, row.next_attempt_at = "pending", 0, now
            row.claimed_until = row.claimed_by = None
            row.last_error = row.dead_reason or row.last_error
            row.dead_reason = None
            audit.append(s, actor, "delivery.replay", "delivery", row.delivery_id,
                         {"subscription": row.subscription_id, "record_key": mask_text(row.record_key),
                          "from": previous})
            replayed.append(row.delivery_id)
        if len(replayed) > 1:
            audit.append(s, actor, "delivery.replay_bulk", "subscription", subscription or "*",
                         {"count": len(replayed), "status": status})
    return replayed


def as_dict(row: OutboxRow) -> dict[str, Any]:
    """A delivery as the API and the CLI show it. The record key may be a NIP or a NIK: masked like in the audit
    log and the web page (the delivery id and the record id name the delivery without it)."""
    return {"delivery_id": row.delivery_id, "subscription": row.subscription_id, "schema": row.schema_key,
            "record_key": mask_text(row.record_key), "record_id": row.record_id, "event": row.event,
            "status": row.status, "attempts": row.attempts,
            "next_attempt_at": datetime.fromtimestamp(row.next_attempt_at, UTC).isoformat()
            if row.status in OPEN else None,
            "last_status_code": row.last_status_code, "last_error": row.last_error, "dead_reason": row.dead_reason,
            "created_at": _iso(row.created_at), "delivered_at": _iso(row.delivered_at)}

