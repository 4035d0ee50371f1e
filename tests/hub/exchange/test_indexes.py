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


def explain(db: Database, statement: str, params: Any) -> str:
    """The plan the database chooses on its own (no planner settings changed)."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        prefix = "EXPLAIN " if db.engine.dialect.name == "postgresql" else "EXPLAIN QUERY PLAN "
        cur.execute(prefix + statement, params)
        return "\n".join(str(row[-1]) for row in cur.fetchall())
    finally:
        raw.rollback()
        raw.close()


def test_the_lookup_of_current_versions_probes_the_partial_index_per_key(exdb, sub_kegiatan):
    """One index probe per key of the batch, on a table that has never been analysed (a first large sync fills it
    from empty; autovacuum may be off). The earlier ``record_key IN (...)`` form named the right index on
    PostgreSQL but used only ``schema_key`` as its condition and tested every current row of the schema against the
    keys (``Filter``), which made a 50k sync quadratic."""
    stored(exdb, sub_kegiatan, 1000, "run_1")
    seen = captured(exdb, lambda: stored(exdb, sub_kegiatan, 20, "run_2"), "FROM exchange_record")
    lookups = [(st, p) for st, p in seen if "record_key IN" in st or "unnest" in st]
    assert lookups, "the store looks up the batch's current versions"
    text = explain(exdb, *lookups[0])
    if exdb.engine.dialect.name == "postgresql":
        probe = [line for line in text.splitlines() if "ix_exchange_record_current_key" in line]
        assert probe, text
        condition = text[text.index(probe[0]):].splitlines()[1]
        assert "Index Cond" in condition and "record_key" in condition, text
        assert "Filter" not in text and "Hash" not in text and "Seq Scan" not in text, text
    else:
        # ix_exchange_record_current_key or ix_exchange_record_lookup: either is a probe per key
        assert "SEARCH exchange_record USING INDEX" in text and "record_key=?" in text, text
        assert "SCAN exchange_record" not in text, text
    stored(exdb, sub_kegiatan, 20, "run_3")  # the same documents again: found as current, nothing new stored
    from registry.tables_exchange import RecordRow

    with exdb.session() as s:
        assert s.query(RecordRow).count() == 1000


async def test_the_claim_reads_waiting_rows_in_id_order_without_sorting(exdb, sub_kegiatan):
    subscriptions.create(SubscriptionIn(name="s", schema="perencanaan/sub_kegiatan", mode="webhook",
                                        url="http://consumer.test/hook"), "test", db=exdb)
    stored(exdb, sub_kegiatan, 20, "run_1")
    seen = captured(exdb, lambda: delivery.claim(exdb, "w1", 5), "ORDER BY exchange_outbox.id")
    assert seen, "the claim selects due rows in id order"
    text = plan(exdb, *seen[0])
    assert "ix_exchange_outbox_open" in text, text
    assert "TEMP B-TREE" not in text and "Sort" not in text, text


def test_the_workers_due_check_reads_waiting_rows_through_the_partial_index(exdb, sub_kegiatan):
    from hub.queue.runtime import due_deliveries

    subscriptions.create(SubscriptionIn(name="s", schema="perencanaan/sub_kegiatan", mode="webhook",
                                        url="http://consumer.test/hook"), "test", db=exdb)
    assert not due_deliveries(exdb)
    stored(exdb, sub_kegiatan, 20, "run_1")
    seen = captured(exdb, lambda: due_deliveries(exdb), "FROM exchange_outbox")
    assert seen, "the due check reads the outbox"
    assert due_deliveries(exdb)
    text = plan(exdb, *seen[0])
    assert "ix_exchange_outbox_open" in text, text
    assert "TEMP B-TREE" not in text and "Sort" not in text, text
    delivery.claim(exdb, "w1", 100)  # every row leased: none is due until the leases expire
    assert not due_deliveries(exdb)
