"""The exchange's hot queries are served by their partial indexes (migration 0015_store_lookup), on SQLite and
PostgreSQL: the store's look-up of a batch's current versions, and the delivery claim read in id order.

The statements are captured from the real code (store_batch, claim) and explained with their own parameters. A
partial index is usable only when the query carries its predicate with the same literal constants; these tests
fail when a query and its index drift apart (the planner then has to scan the table or sort the backlog)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from hub.exchange import delivery, subscriptions
from hub.exchange.store import Incoming, Provenance, store_batch
from hub.exchange.subscriptions import SubscriptionIn
from registry.db import Database


def captured(db: Database, action: Any, needle: str) -> list[tuple[str, Any]]:
    seen: list[tuple[str, Any]] = []

    def listen(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        if needle in statement and not many:
            seen.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        action()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    return seen


def plan(db: Database, statement: str, params: Any) -> str:
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        if db.engine.dialect.name == "postgresql":
            # make every other way dearer than any index: a predicate that does not match the partial index
            # leaves the planner no way to use it at any cost, so the index name is absent from the plan
            cur.execute("SET enable_seqscan = off")
            cur.execute("SET enable_bitmapscan = off")
            cur.execute("EXPLAIN " + statement, params)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + statement, params)
        return "\n".join(str(row[-1]) for row in cur.fetchall())
    finally:
        raw.rollback()
        raw.close()


def stored(db: Database, make: Any, n: int, run: str) -> None:
    docs = [make(kode_sub_kegiatan=f"1.01.01.2.01.{i:04d}") for i in range(n)]
    store_batch(db, Provenance("e-planning", "sub-kegiatan", "perencanaan/sub_kegiatan:1", run),
                [Incoming(d, d, True, {}) for d in docs])


def test_the_lookup_of_current_versions_uses_the_partial_index(exdb, sub_kegiatan):
    stored(exdb, sub_kegiatan, 20, "run_1")
    seen = captured(exdb, lambda: stored(exdb, sub_kegiatan, 20, "run_2"), "FROM exchange_record")
    lookups = [(st, p) for st, p in seen if "record_key IN" in st]
    assert lookups, "the store looks up the batch's current versions"
    text = plan(exdb, *lookups[0])
    if exdb.engine.dialect.name == "postgresql":
        assert "ix_exchange_record_current_key" in text, text
    else:
        assert "USING INDEX" in text and "SCAN exchange_record" not in text, text


async def test_the_claim_reads_waiting_rows_in_id_order_without_sorting(exdb, sub_kegiatan):
    subscriptions.create(SubscriptionIn(name="s", schema="perencanaan/sub_kegiatan", mode="webhook",
                                        url="http://consumer.test/hook"), "test", db=exdb)
    stored(exdb, sub_kegiatan, 20, "run_1")
    seen = captured(exdb, lambda: delivery.claim(exdb, "w1", 5), "ORDER BY exchange_outbox.id")
    assert seen, "the claim selects due rows in id order"
    text = plan(exdb, *seen[0])
    assert "ix_exchange_outbox_open" in text, text
    assert "TEMP B-TREE" not in text and "Sort" not in text, text
