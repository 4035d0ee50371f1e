"""Transactional outbox: versions with provenance, quarantine, enqueue in the same transaction, signed delivery,
retries → dead, replay, order per record key, and lease expiry after a crashed worker."""

from __future__ import annotations

import json
import time

import pytest
from sqlalchemy import func, select

from hub.exchange import audit, delivery, subscriptions
from hub.exchange.signing import verify_signature
from hub.exchange.store import Incoming, Provenance, store_batch
from hub.exchange.subscriptions import SubscriptionIn
from registry.tables_exchange import OutboxRow, QuarantineRow, RecordRow

SCHEMA = "perencanaan/sub_kegiatan"


def prov() -> Provenance:
    return Provenance("e-planning", "sub-kegiatan", f"{SCHEMA}:1", "run_test")


def store(db, *docs, invalid=()):
    items = [Incoming(d, d, True, {}) for d in docs]
    items += [Incoming(d, d, False, {"kind": "validation", "issues": [{"rule": "schema:required"}]}) for d in invalid]
    return store_batch(db, prov(), items)


def subscribe(db, **kw):
    data = SubscriptionIn(name="e-budgeting", schema=SCHEMA, url="http://consumer.test/hook", **kw)
    return subscriptions.create(data, "test")


def count(db, model, *where):
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_new_content_makes_a_version_and_an_outbox_row(exdb, sub_kegiatan):
    sub = subscribe(exdb)
    doc = sub_kegiatan()
    counts = store(exdb, doc)
    assert (counts.new, counts.enqueued) == (1, 1)
    assert store(exdb, doc).unchanged == 1  # same content: nothing new, nothing delivered twice
    counts = store(exdb, sub_kegiatan(pagu_indikatif=doc["pagu_indikatif"] + 1000))
    assert (counts.changed, counts.enqueued) == (1, 1)
    with exdb.session() as s:
        rows = s.execute(select(RecordRow).order_by(RecordRow.version)).scalars().all()
        assert [(r.version, r.is_current) for r in rows] == [(1, False), (2, True)]
        assert rows[1].source_app == "e-planning" and rows[1].schema_version == f"{SCHEMA}:1"
        assert len(rows[1].content_hash) == 64
    assert count(exdb, OutboxRow, OutboxRow.subscription_id == sub.id) == 2


def test_invalid_records_are_quarantined_with_their_report_and_never_enqueued(exdb, sub_kegiatan):
    subscribe(exdb)
    bad = sub_kegiatan(kode_sub_kegiatan="x")
    counts = store(exdb, invalid=[bad])
    assert (counts.invalid, counts.enqueued) == (1, 0)
    store(exdb, invalid=[bad])  # pulled again: still one quarantine row
    with exdb.session() as s:
        rows = s.execute(select(QuarantineRow)).scalars().all()
    assert len(rows) == 1 and rows[0].report["issues"][0]["rule"] == "schema:required"
    assert count(exdb, OutboxRow) == 0 and count(exdb, RecordRow) == 0


def test_subscription_filters_by_opd_and_year(exdb, sub_kegiatan):
    doc = sub_kegiatan()
    subscribe(exdb, kode_opd=doc["kode_opd"], tahun=doc["tahun_anggaran"])
    other = subscribe(exdb, kode_opd="9.99.0.00.0.00.01.0000")
    assert store(exdb, doc).enqueued == 1
    assert count(exdb, OutboxRow, OutboxRow.subscription_id == other.id) == 0


async def test_signed_delivery_with_idempotency_key(exdb, sub_kegiatan, consumer):
    sub = subscribe(exdb)
    store(exdb, sub_kegiatan())
    async with consumer.client() as client:
        assert await delivery.drain(exdb, client=client) == 1
    [request] = consumer.requests
    body = request.content
    assert verify_signature(sub.secret, body, request.headers["X-Simpul-Signature"])
    assert not verify_signature(sub.secret, body + b" ", request.headers["X-Simpul-Signature"])
    assert request.headers["Idempotency-Key"] == request.headers["X-Simpul-Delivery"]
    assert request.headers["X-Simpul-Event"] == "record.created"
    envelope = json.loads(body)
    assert envelope["provenance"]["source_app"] == "e-planning" and envelope["data"]["kode_sub_kegiatan"]
    [row] = delivery.list_deliveries(exdb)
    assert row.status == "delivered" and row.attempts == 1
    assert audit.verify(exdb).ok


async def test_failures_retry_with_the_same_delivery_id_then_dead_then_replay(exdb, sub_kegiatan, consumer):
    subscribe(exdb)
    store(exdb, sub_kegiatan())
    consumer.fail_with = 503
    async with consumer.client() as client:
        for _ in range(3):
            await delivery.deliver_once(exdb, client=client)
    [row] = delivery.list_deliveries(exdb)
    assert row.status == "dead" and "503" in row.dead_reason and row.attempts == 3
    assert len({r.headers["Idempotency-Key"] for r in consumer.requests}) == 1
    consumer.fail_with = None
    assert delivery.replay("test", db=exdb, delivery_ids=[row.delivery_id]) == [row.delivery_id]
    async with consumer.client() as client:
        await delivery.drain(exdb, client=client)
    [row] = delivery.list_deliveries(exdb)
    assert row.status == "delivered"
    assert {e.action for e in audit.entries(exdb)} >= {"delivery.dead", "delivery.replay", "delivery.delivered"}


async def test_bulk_replay_of_dead_deliveries(exdb, sub_kegiatan, consumer):
    sub = subscribe(exdb)
    store(exdb, *[sub_kegiatan(kode_sub_kegiatan=f"1.02.02.2.01.00{i:02d}") for i in range(1, 6)])
    consumer.fail_with = 500
    async with consumer.client() as client:
        for _ in range(3):
            await delivery.deliver_once(exdb, client=client)
    assert len(delivery.list_deliveries(exdb, status="dead")) == 5
    consumer.fail_with = None
    assert len(delivery.replay("test", db=exdb, subscription=sub.id)) == 5
    async with consumer.client() as client:
        await delivery.drain(exdb, client=client)
    assert len(delivery.list_deliveries(exdb, status="delivered")) == 5


async def test_versions_of_one_record_are_delivered_in_order(exdb, sub_kegiatan, consumer):
    subscribe(exdb)
    for pagu in (1_000_000, 2_000_000, 3_000_000):
        store(exdb, sub_kegiatan(pagu_indikatif=pagu))
    # one round can only take the oldest version of the key
    assert len(delivery.claim(exdb, "w1", 50)) == 1
    async with consumer.client() as client:
        time.sleep(0)  # the claim above holds a lease; a new worker waits for it to expire
        assert await delivery.deliver_once(exdb, client=client) == 0
    with exdb.session() as s:
        s.execute(OutboxRow.__table__.update().values(claimed_until=time.time() - 1))
    async with consumer.client() as client:
        await delivery.drain(exdb, client=client)
    assert [b["version"] for b in consumer.bodies()] == [1, 2, 3]


async def test_a_crashed_workers_claims_expire_and_are_delivered(exdb, sub_kegiatan, consumer):
    subscribe(exdb)
    store(exdb, sub_kegiatan())
    claimed = delivery.claim(exdb, "dead-worker", 10)
    assert len(claimed) == 1
    assert delivery.claim(exdb, "other", 10) == []  # leased
    later = time.time() + 3600
    again = delivery.claim(exdb, "other", 10, now=later)
    assert [c.delivery_id for c in again] == [claimed[0].delivery_id]


def test_paused_subscriptions_keep_their_queue(exdb, sub_kegiatan):
    sub = subscribe(exdb)
    subscriptions.set_active(sub.id, False, "test")
    store(exdb, sub_kegiatan())
    assert delivery.claim(exdb, "w", 10) == []
    subscriptions.set_active(sub.id, True, "test")
    assert len(delivery.claim(exdb, "w", 10)) == 1


def test_backfill_enqueues_existing_records(exdb, sub_kegiatan):
    store(exdb, sub_kegiatan())
    sub = subscribe(exdb, backfill=True)
    assert sub.backfilled == 1
    assert subscriptions.get(sub.id, db=exdb).outbox == {"pending": 1}


@pytest.mark.parametrize("status", ["pending"])
def test_deleting_a_subscription_kills_its_queue(exdb, sub_kegiatan, status):
    sub = subscribe(exdb)
    store(exdb, sub_kegiatan())
    subscriptions.delete(sub.id, "test")
    [row] = delivery.list_deliveries(exdb)
    assert row.status == "dead" and row.dead_reason == "subscription deleted"


async def test_one_batch_with_several_versions_of_a_key_keeps_their_order(exdb, sub_kegiatan, consumer):
    """A batch is stored set-wise; versions of one key inside it still become 1, 2, 3 with only the last current,
    each enqueued, and delivered in that order."""
    subscribe(exdb)
    docs = [sub_kegiatan(pagu_indikatif=p) for p in (1_000_000, 2_000_000, 2_000_000, 3_000_000)]
    counts = store(exdb, *docs)
    assert (counts.new, counts.changed, counts.unchanged, counts.enqueued) == (1, 2, 1, 3)
    with exdb.session() as s:
        rows = s.execute(select(RecordRow).order_by(RecordRow.id)).scalars().all()
    assert [(r.version, r.is_current, r.document["pagu_indikatif"]) for r in rows] == [
        (1, False, 1_000_000), (2, False, 2_000_000), (3, True, 3_000_000)]
    async with consumer.client() as client:
        await delivery.drain(exdb, client=client)
    assert [b["version"] for b in consumer.bodies()] == [1, 2, 3]
    assert [b["event"] for b in consumer.bodies()] == ["record.created", "record.updated", "record.updated"]


def test_a_valid_version_later_in_the_batch_resolves_the_quarantine(exdb, sub_kegiatan):
    good, bad = sub_kegiatan(), sub_kegiatan(nama_sub_kegiatan="")
    items = [Incoming(bad, bad, False, {"kind": "validation", "issues": []}), Incoming(good, good, True, {})]
    store_batch(exdb, prov(), items)  # bad first, then the good version of the same key: resolved
    newer_bad = sub_kegiatan(nama_sub_kegiatan=" ")
    fixed = sub_kegiatan(pagu_indikatif=good["pagu_indikatif"] + 1)
    store_batch(exdb, prov(), [Incoming(fixed, fixed, True, {}),
                               Incoming(newer_bad, newer_bad, False, {"kind": "validation", "issues": []})])
    with exdb.session() as s:
        rows = s.execute(select(QuarantineRow).order_by(QuarantineRow.id)).scalars().all()
    assert [(r.raw["nama_sub_kegiatan"], r.resolved_at is not None) for r in rows] == [("", True), (" ", False)]
