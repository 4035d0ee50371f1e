"""Batch delivery (opt-in per subscription): one signed POST carries up to ``batch_size`` deliveries, each with its own
delivery id; the consumer's answer counts for the whole batch; order per record key holds; batch_size 1 keeps the
one-body-per-delivery contract. And the lean keep-alive sender against a real consumer on loopback."""

from __future__ import annotations

import json

import pytest

from hub.errors import BadRequest
from hub.exchange import audit, delivery, subscriptions
from hub.exchange.signing import verify_signature
from hub.exchange.subscriptions import SubscriptionIn
from hub.exchange.webhook_client import webhook_sender

from .support import RecordingConsumer
from .test_outbox import SCHEMA, store, subscribe


def codes(n):
    return [f"1.02.02.2.01.00{i:02d}" for i in range(1, n + 1)]


async def test_a_batch_subscription_gets_one_signed_post_per_batch(exdb, sub_kegiatan, consumer):
    sub = subscribe(exdb, batch_size=3)
    store(exdb, *[sub_kegiatan(kode_sub_kegiatan=c) for c in codes(5)])
    async with consumer.client() as client:
        assert await delivery.drain(exdb, client=client) == 5
    assert len(consumer.requests) == 2
    sizes = []
    for request in consumer.requests:
        assert verify_signature(sub.secret, request.content, request.headers["X-Simpul-Signature"])
        assert request.headers["X-Simpul-Event"] == "batch"
        body = json.loads(request.content)
        assert request.headers["Idempotency-Key"] == request.headers["X-Simpul-Delivery"] == body["batch_id"]
        assert int(request.headers["X-Simpul-Batch-Size"]) == body["count"] == len(body["deliveries"])
        assert body["subscription"] == sub.id
        sizes.append(body["count"])
    assert sizes == [3, 2]
    inner = [d for b in consumer.bodies() for d in b["deliveries"]]
    assert [d["data"]["kode_sub_kegiatan"] for d in inner] == codes(5)  # stored order
    rows = delivery.list_deliveries(exdb)
    assert {d["delivery_id"] for d in inner} == {r.delivery_id for r in rows}
    assert all(r.status == "delivered" for r in rows)
    assert audit.verify(exdb).ok


async def test_a_refused_batch_is_retried_whole_with_the_same_delivery_ids(exdb, sub_kegiatan, consumer):
    subscribe(exdb, batch_size=10)
    store(exdb, *[sub_kegiatan(kode_sub_kegiatan=c) for c in codes(4)])
    consumer.fail_with = 503
    async with consumer.client() as client:
        await delivery.deliver_once(exdb, client=client)
        assert {r.status for r in delivery.list_deliveries(exdb)} == {"retrying"}
        consumer.fail_with = None
        await delivery.drain(exdb, client=client)
    first, second = consumer.bodies()
    assert [d["delivery_id"] for d in first["deliveries"]] == [d["delivery_id"] for d in second["deliveries"]]
    assert first["batch_id"] == second["batch_id"]  # same deliveries in the same order: same idempotency key
    assert {r.status for r in delivery.list_deliveries(exdb)} == {"delivered"}


async def test_versions_of_one_record_never_share_a_batch_and_arrive_in_order(exdb, sub_kegiatan, consumer):
    subscribe(exdb, batch_size=50)
    for pagu in (1_000_000, 2_000_000, 3_000_000):
        store(exdb, sub_kegiatan(pagu_indikatif=pagu))
    store(exdb, sub_kegiatan(kode_sub_kegiatan="1.02.02.2.01.0099"))
    async with consumer.client() as client:
        await delivery.drain(exdb, client=client)
    batches = [[(d["record_key"], d["version"]) for d in b["deliveries"]] for b in consumer.bodies()]
    for batch in batches:
        assert len({key for key, _ in batch}) == len(batch)
    versions = [v for batch in batches for key, v in batch if key.endswith("0001")]
    assert versions == [1, 2, 3]


async def test_batch_size_one_keeps_one_body_per_delivery(exdb, sub_kegiatan, consumer):
    subscribe(exdb)
    store(exdb, *[sub_kegiatan(kode_sub_kegiatan=c) for c in codes(2)])
    async with consumer.client() as client:
        await delivery.drain(exdb, client=client)
    assert len(consumer.requests) == 2
    assert all("batch_id" not in b and b["delivery_id"] for b in consumer.bodies())


def test_batch_size_is_checked_changed_and_audited(exdb):
    with pytest.raises(BadRequest) as bad:
        subscribe(exdb, batch_size=0)
    assert "1" in bad.value.message("en") and "500" in bad.value.message("en")
    with pytest.raises(BadRequest):
        subscriptions.create(SubscriptionIn(name="pull", schema=SCHEMA, mode="pull", batch_size=5), "test")
    sub = subscribe(exdb)
    assert sub.batch_size == 1
    changed = subscriptions.set_batch_size(sub.id, 100, "admin", db=exdb)
    assert changed.batch_size == 100 == subscriptions.get(sub.id, db=exdb).batch_size
    with pytest.raises(BadRequest):
        subscriptions.set_batch_size(sub.id, 501, "admin", db=exdb)
    [entry] = [e for e in audit.entries(exdb) if e.action == "subscription.update"]
    assert entry.details["batch_size"] == {"from": 1, "to": 100}


async def test_the_lean_sender_delivers_to_a_real_consumer_and_keeps_the_network_policy(exdb, sub_kegiatan):
    with RecordingConsumer() as consumer:
        data = SubscriptionIn(name="real", schema=SCHEMA, url=consumer.url)
        subscriptions.create(data, "test")
        store(exdb, *[sub_kegiatan(kode_sub_kegiatan=c) for c in codes(3)])
        sender = webhook_sender(5)
        try:
            assert await delivery.drain(exdb, client=sender) == 3
        finally:
            await sender.aclose()
        assert consumer.count() == 3
    # a URL the policy refuses (cloud metadata) is never connected to: the delivery fails with the policy's reason
    bad = subscriptions.create(SubscriptionIn(name="metadata", schema=SCHEMA, url="http://169.254.169.254/hook"),
                               "test")
    store(exdb, sub_kegiatan(kode_sub_kegiatan="1.02.02.2.01.0077"))
    await delivery.deliver_once(exdb)
    [row] = delivery.list_deliveries(exdb, subscription=bad.id)
    assert row.status == "retrying" and "NetworkRefused" in (row.last_error or "")


def test_the_cli_sets_the_batch_size_and_refuses_a_bad_one_in_one_line(exdb):
    import structlog
    from typer.testing import CliRunner

    from hub.cli import app

    runner = CliRunner()
    try:
        made = runner.invoke(app, ["subscriptions", "create", SCHEMA, "--url", "http://127.0.0.1:9/hook",
                                   "--batch-size", "50", "--json"])
        assert made.exit_code == 0, made.output
        sub = json.loads(made.output.strip().splitlines()[-1])
        assert sub["batch_size"] == 50
        changed = runner.invoke(app, ["--lang", "en", "subscriptions", "batch-size", sub["id"], "1"])
        assert changed.exit_code == 0 and "1 deliveries per POST" in changed.output
        bad = runner.invoke(app, ["--lang", "en", "subscriptions", "batch-size", sub["id"], "9999"])
        assert bad.exit_code == 2 and "Batch size 9999" in bad.output
        assert subscriptions.get(sub["id"], db=exdb).batch_size == 1
    finally:
        structlog.reset_defaults()
