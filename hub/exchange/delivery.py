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
import hashlib
import os
import random
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Text, cast, exists, func, literal, or_, select, update

from hub.exchange import audit, metrics
from hub.exchange.db import database, write_session
from hub.exchange.signing import DELIVERY_HEADER, EVENT_HEADER, IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign
from hub.exchange.webhook_client import SEND_ERRORS, Answer, WebhookSender, webhook_sender
from hub.logging import get_logger, mask_text
from hub.settings import get_settings
from registry.db import Database
from registry.tables_exchange import OPEN_LITERALS, OutboxRow, RecordRow, SubscriptionRow

log = get_logger("hub.exchange.delivery")
OPEN = ("pending", "retrying")
STATUSES = ("pending", "retrying", "delivered", "dead")
USER_AGENT = "Simpul-Webhook/1"
BATCH_EVENT = "batch"
BATCH_HEADER = "X-Simpul-Batch-Size"
MAX_CLAIM = 5000  # deliveries leased in one round at most, whatever the batch sizes
Client = httpx.AsyncClient | WebhookSender


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
    batch_size: int = 1  # of the subscription: above 1 the delivery goes out in a batch envelope


@dataclass
class Outcome:
    claimed: Claimed
    ok: bool
    status_code: int | None
    error: str | None
    retry_after: float | None = None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


_CLAIM_COLUMNS = (OutboxRow.id, OutboxRow.delivery_id, OutboxRow.event, OutboxRow.attempts, OutboxRow.subscription_id,
                  OutboxRow.schema_key, SubscriptionRow.url, SubscriptionRow.secret_enc, SubscriptionRow.personal_data,
                  SubscriptionRow.batch_size, OutboxRow.record_key, RecordRow.version, RecordRow.source_app,
                  RecordRow.source_resource, RecordRow.fetched_at, RecordRow.content_hash, RecordRow.schema_version,
                  cast(RecordRow.document, Text).label("document_text"))


def envelope_json(row: Any) -> str:
    """The envelope of one delivery as JSON text (keys sorted, as before): built from the stored document's text,
    which is passed through untouched when nothing in it needs masking (hub.exchange.canonical.TextPlan)."""
    from hub.exchange.canonical import _dumps, present_document_json, present_key

    personal = bool(row.personal_data)
    schema = row.schema_key
    data = present_document_json(schema, row.document_text, personal=personal)
    prov = _dumps({"content_hash": row.content_hash, "fetched_at": _iso(row.fetched_at),
                   "schema_version": row.schema_version, "source_app": row.source_app,
                   "source_resource": row.source_resource})
    key = present_key(schema, row.record_key, personal=personal)
    return (f'{{"data":{data},"delivery_id":{_dumps(row.delivery_id)},"event":{_dumps(row.event)},'
            f'"provenance":{prov},"record_key":{_dumps(key)},"schema":{_dumps(schema)},'
            f'"subscription":{_dumps(row.subscription_id)},"version":{int(row.version)}}}')


def claim(db: Database, worker: str, limit: int, *, now: float | None = None) -> list[Claimed]:
    """Lease up to ``limit`` due deliveries to ``worker`` (one per record key) and build their bodies. With a batch
    subscription a round leases at least its batch size (times the delivery concurrency), up to ``MAX_CLAIM``."""
    from hub.exchange.secretbox import open_sealed

    now = time.time() if now is None else now
    settings = get_settings()
    o = OutboxRow.__table__
    p = o.alias("earlier")
    earlier = select(literal(1)).where(p.c.subscription_id == o.c.subscription_id, p.c.record_key == o.c.record_key,
                                       p.c.schema_key == o.c.schema_key, p.c.id < o.c.id, p.c.status.in_(OPEN_LITERALS))
    active = select(SubscriptionRow.id).where(SubscriptionRow.active.is_(True), SubscriptionRow.mode == "webhook")
    with write_session(db) as s:
        widest = s.execute(select(func.max(SubscriptionRow.batch_size)).where(
            SubscriptionRow.active.is_(True), SubscriptionRow.mode == "webhook")).scalar() or 1
        if widest > 1:
            limit = min(MAX_CLAIM, max(limit, widest * max(1, settings.exchange_delivery_concurrency)))
        # status IN ('pending', 'retrying') as literals: the predicate of ix_exchange_outbox_open, read in id order
        q = (select(o.c.id).where(o.c.status.in_(OPEN_LITERALS), o.c.next_attempt_at <= now,
                                  or_(o.c.claimed_until.is_(None), o.c.claimed_until < now),
                                  o.c.subscription_id.in_(active), ~exists(earlier))
             .order_by(o.c.id).limit(limit))
        if s.get_bind().dialect.name == "postgresql":
            ids = list(s.execute(q.with_for_update(skip_locked=True, of=o)).scalars())
        else:
            ids = _sqlite_indexed(s, q, "exchange_outbox", "ix_exchange_outbox_open")
        if not ids:
            return []
        got = s.execute(update(o).where(o.c.id.in_(ids), or_(o.c.claimed_until.is_(None), o.c.claimed_until < now))
                        .values(claimed_until=now + settings.exchange_lease_s, claimed_by=worker)
                        .returning(o.c.id)).scalars().all()
        rows = s.execute(select(*_CLAIM_COLUMNS)
                         .join(SubscriptionRow, SubscriptionRow.id == OutboxRow.subscription_id)
                         .join(RecordRow, RecordRow.id == OutboxRow.record_id)
                         .where(OutboxRow.id.in_(list(got))).order_by(OutboxRow.id)).all()
        claimed = []
        secrets: dict[str, str] = {}  # one decryption per subscription and round, not per delivery
        seen: set[tuple[str, str, str]] = set()
        for row in rows:
            key = (row.subscription_id, row.schema_key, row.record_key)
            if key in seen:  # cannot happen with the NOT EXISTS guard; kept as a belt for ordering
                s.execute(update(o).where(o.c.id == row.id).values(claimed_until=None, claimed_by=None))
                continue
            seen.add(key)
            body = envelope_json(row).encode("utf-8")
            secret = secrets.get(row.subscription_id)
            if secret is None:
                secret = secrets[row.subscription_id] = open_sealed(row.secret_enc or "")
            size = max(1, row.batch_size or 1)
            claimed.append(Claimed(row.id, row.delivery_id, row.event, row.attempts, row.subscription_id,
                                   row.url or "", secret, body, sign(secret, body) if size == 1 else "", size))
        return claimed


def _sqlite_indexed(s: Any, q: Any, table: str, index: str) -> list[int]:
    """Run ``q`` on SQLite with ``INDEXED BY index`` on its outer ``table``. Without statistics SQLite prefers
    ``ix_exchange_outbox_due`` for the claim and then sorts every waiting row by id each round (the partial index of
    waiting rows in id order was "tried without effect" for that reason); SQLAlchemy renders no table hints for
    SQLite, so the clause goes into the compiled text. SQLite refuses a query whose named index cannot serve it, so
    a predicate that stops matching the index is an error in the tests, not a silent slowdown."""
    bind = s.get_bind()
    compiled = q.compile(dialect=bind.dialect, compile_kwargs={"render_postcompile": True})
    sql = str(compiled)
    marker = f"FROM {table} \n"
    if sql.count(marker) != 1:  # the statement's shape changed: run it as it is
        return list(s.execute(q).scalars())
    sql = sql.replace(marker, f"FROM {table} INDEXED BY {index} \n")
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    return [row[0] for row in s.connection().exec_driver_sql(sql, params)]


def batches(items: list[Claimed]) -> list[list[Claimed]]:
    """The POSTs of a round: one per delivery of a ``batch_size`` 1 subscription; for the others the subscription's
    deliveries in outbox order, ``batch_size`` at a time. A round holds at most one delivery per record key and
    subscription (the claim's order guard), so a batch never carries two versions of one record."""
    out: list[list[Claimed]] = []
    open_: dict[str, list[Claimed]] = {}
    for item in items:
        if item.batch_size <= 1:
            out.append([item])
            continue
        group = open_.get(item.subscription_id)
        if group is None or len(group) >= item.batch_size:
            group = open_[item.subscription_id] = []
            out.append(group)
        group.append(item)
    return out


def batch_id(group: list[Claimed]) -> str:
    """The same deliveries in the same order give the same id (also on a retry of the same batch)."""
    return "bat_" + hashlib.sha256("\n".join(i.delivery_id for i in group).encode()).hexdigest()[:32]


def batch_body(group: list[Claimed]) -> tuple[str, bytes]:
    ident = batch_id(group)
    head = (f'{{"batch_id":"{ident}","count":{len(group)},"deliveries":[').encode()
    tail = f'],"subscription":"{group[0].subscription_id}"}}'.encode()
    return ident, head + b",".join(i.body for i in group) + tail


async def _post(client: Client, url: str, body: bytes, headers: dict[str, str]) -> Answer:
    if isinstance(client, WebhookSender):
        return await client.post(url, body, [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()])
    response = await client.post(url, content=body, headers=headers)
    return Answer(response.status_code, response.headers.get("retry-after"), response.text[:200])


async def send_group(client: Client, group: list[Claimed]) -> list[Outcome]:
    """One signed POST for ``group`` (one delivery, or a batch envelope); its answer is every delivery's outcome."""
    first = group[0]
    if first.batch_size <= 1:
        body, ident, event = first.body, first.delivery_id, first.event
        signature = first.signature or sign(first.secret, body)
        extra: dict[str, str] = {}
    else:
        ident, body = batch_body(group)
        event, signature = BATCH_EVENT, sign(first.secret, body)
        extra = {BATCH_HEADER: str(len(group))}
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT, SIGNATURE_HEADER: signature,
               DELIVERY_HEADER: ident, EVENT_HEADER: event, IDEMPOTENCY_HEADER: ident, **extra}
    started = time.perf_counter()
    try:
        answer = await _post(client, first.url, body, headers)
    except SEND_ERRORS as exc:
        error = mask_text(f"{type(exc).__name__}: {exc}")[:300]
        return [Outcome(i, False, None, error) for i in group]
    finally:
        metrics.delivery_seconds.observe(time.perf_counter() - started)
    if 200 <= answer.status_code < 300:
        return [Outcome(i, True, answer.status_code, None) for i in group]
    retry_after = None
    if answer.retry_after and answer.retry_after.strip().isdigit():
        retry_after = float(answer.retry_after.strip())
    snippet = mask_text(answer.text[:200]) if answer.text else ""
    error = f"HTTP {answer.status_code} {snippet}".strip()
    return [Outcome(i, False, answer.status_code, error, retry_after) for i in group]


async def send(client: Client, item: Claimed) -> Outcome:
    """One delivery on its own (its subscription's batch size aside)."""
    return (await send_group(client, [item]))[0]


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


async def deliver_once(db: Database | None = None, *, client: Client | None = None,
                       worker: str | None = None, limit: int | None = None) -> int:
    """One round: claim, send the round's POSTs concurrently (one per delivery, or one per batch of a batch
    subscription), record. Returns how many deliveries were attempted."""
    db = database(db)
    settings = get_settings()
    worker = worker or worker_name()
    items = await asyncio.to_thread(claim, db, worker, limit or settings.exchange_delivery_batch)
    if not items:
        return 0
    own = client is None
    sender: Client = client or webhook_sender(settings.exchange_delivery_timeout_s)
    gate = asyncio.Semaphore(max(1, settings.exchange_delivery_concurrency))

    async def one(group: list[Claimed]) -> list[Outcome]:
        async with gate:
            return await send_group(sender, group)

    try:
        results = await asyncio.gather(*(one(g) for g in batches(items)))
    finally:
        if own:
            await sender.aclose()
    outcomes = [oc for group in results for oc in group]
    await asyncio.to_thread(record_outcomes, db, worker, outcomes)
    return len(items)


async def drain(db: Database | None = None, *, timeout_s: float = 30.0, client: Client | None = None) -> int:
    """Deliver until nothing is due (tests, ``simpul deliveries run``); returns attempts made. Without ``client``
    one keep-alive sender serves every round."""
    total, deadline = 0, time.monotonic() + timeout_s
    own = client is None
    sender: Client = client or webhook_sender(get_settings().exchange_delivery_timeout_s)
    try:
        while time.monotonic() < deadline:
            n = await deliver_once(db, client=sender)
            total += n
            if n == 0:
                break
    finally:
        if own:
            await sender.aclose()
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

