"""The audit log is hash-chained; ``simpul audit verify`` fails on any altered, removed or reordered entry."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from hub.cli import app
from hub.exchange import audit
from registry.tables_exchange import AuditRow


def fill(db, n=5):
    for i in range(n):
        audit.record(f"key:test#{i}", "data.read", "schema", "kepegawaian/pegawai", {"count": i}, db=db)


def test_intact_chain_verifies(exdb):
    fill(exdb)
    result = audit.verify(exdb)
    assert result.ok and result.entries == 5 and result.head_id == 5
    assert audit.verify(exdb, expect_head=(3, audit.entries(exdb, limit=5)[2].hash)).ok


def test_altered_entry_is_found(exdb):
    fill(exdb)
    with exdb.session() as s:
        s.execute(update(AuditRow).where(AuditRow.id == 3).values(actor="key:someone-else#9"))
    result = audit.verify(exdb)
    assert not result.ok and (result.broken_id, result.problem) == (3, "altered")


def test_removed_entry_is_found(exdb):
    fill(exdb)
    with exdb.session() as s:
        s.execute(delete(AuditRow).where(AuditRow.id == 2))
    result = audit.verify(exdb)
    assert not result.ok and (result.broken_id, result.problem) == (2, "removed")


def test_removed_last_entry_is_found(exdb):
    fill(exdb)
    with exdb.session() as s:
        s.execute(delete(AuditRow).where(AuditRow.id == 5))
    assert audit.verify(exdb).problem == "removed"


def test_truncation_with_a_forged_head_is_found_with_an_anchor(exdb):
    fill(exdb)
    anchor = audit.verify(exdb)
    from registry.tables_exchange import AuditHeadRow

    with exdb.session() as s:
        s.execute(delete(AuditRow).where(AuditRow.id == 5))
        four = s.get(AuditRow, 4)
        s.execute(update(AuditHeadRow).values(last_id=4, last_hash=four.hash))
    assert audit.verify(exdb).ok  # undetectable without an anchor kept outside the database...
    result = audit.verify(exdb, expect_head=(anchor.head_id, anchor.head_hash))
    assert not result.ok and result.problem == "removed"  # ...and found with it


def test_reordered_entries_are_found(exdb):
    fill(exdb)
    with exdb.session() as s:
        a, b = s.get(AuditRow, 2), s.get(AuditRow, 3)
        fields = ("at", "actor", "action", "entity", "entity_id", "details", "prev_hash", "hash")
        va, vb = ({f: getattr(a, f) for f in fields}, {f: getattr(b, f) for f in fields})
        s.execute(update(AuditRow).where(AuditRow.id == 2).values(**vb))
        s.execute(update(AuditRow).where(AuditRow.id == 3).values(**va))
    result = audit.verify(exdb)
    assert not result.ok and result.broken_id == 2


def test_cli_verify_fails_on_a_tampered_log(exdb):
    fill(exdb)
    runner = CliRunner()
    ok = runner.invoke(app, ["--lang", "en", "audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output
    with exdb.session() as s:
        s.execute(update(AuditRow).where(AuditRow.id == 4).values(details={"count": 999}))
    bad = runner.invoke(app, ["--lang", "en", "audit", "verify"])
    assert bad.exit_code == 1
    assert "#4" in bad.output and "altered" in bad.output


def _stored(db) -> int:
    from sqlalchemy import func, select

    with db.session() as s:
        return s.execute(select(func.count()).select_from(AuditRow)).scalar_one()


@pytest.fixture
def buffered(exdb, monkeypatch):
    from hub.settings import get_settings

    audit.close_buffers()
    monkeypatch.setenv("SIMPUL_EXCHANGE_AUDIT_BUFFER", "4")
    monkeypatch.setenv("SIMPUL_EXCHANGE_AUDIT_FLUSH_S", "3600")  # only the count, a flush or shutdown write
    get_settings.cache_clear()
    return exdb


def test_buffered_reads_join_the_same_chain(buffered):
    db = buffered
    audit.record_buffered("key:a#1", "data.read", "schema", "kepegawaian/pegawai", {"count": 1}, db=db)
    audit.record_buffered("key:a#1", "data.read", "schema", "kepegawaian/pegawai", {"count": 2}, db=db)
    assert _stored(db) == 0  # the reads wrote nothing yet
    audit.record("cli:admin", "scope.grant", "api_key", "1", {"scope": "data:read:*"}, db=db)  # a change: at once
    assert _stored(db) == 1
    result = audit.verify(db)  # flushes this process's buffer first
    assert result.ok and result.entries == 3
    actions = [(e.action, e.details.get("count")) for e in reversed(audit.entries(db))]
    assert actions == [("scope.grant", None), ("data.read", 1), ("data.read", 2)]


def test_a_full_buffer_is_written_without_a_request_waiting(buffered):
    import time

    db = buffered
    for i in range(4):
        audit.record_buffered("key:a#1", "data.read", "schema", "kepegawaian/pegawai", {"count": i}, db=db)
    deadline = time.monotonic() + 30
    while _stored(db) < 4 and time.monotonic() < deadline:  # the flusher thread writes them
        time.sleep(0.02)
    assert _stored(db) == 4 and audit.verify(db).ok


def test_clean_shutdown_flushes_the_buffer(buffered, tmp_path):
    """The API's lifespan end (and atexit) writes what is buffered; the chain verifies afterwards."""
    from fastapi.testclient import TestClient

    from hub.api.app import create_app

    db = buffered
    fill(db, 2)
    with TestClient(create_app()):
        for i in range(3):
            audit.record_buffered("key:a#1", "data.read", "schema", "kepegawaian/pegawai", {"n": i}, db=db)
        assert _stored(db) == 2
    assert _stored(db) == 5
    assert audit.verify(db).ok


def test_process_exit_flushes_the_buffer(tmp_path, exdb):
    """A process that ends normally (atexit) leaves no read unrecorded."""
    import os
    import subprocess
    import sys

    if exdb.backend != "sqlite":
        pytest.skip("one file database is enough to show the exit hook")
    code = ("from hub.exchange import audit\n"
            "from hub.services.registry_db import get_database\n"
            "for i in range(3):\n"
            "    audit.record_buffered('key:a#1', 'data.read', 'schema', 'kepegawaian/pegawai', {'n': i},"
            " db=get_database())\n")
    env = {**os.environ, "SIMPUL_DATABASE_URL": exdb.url, "SIMPUL_EXCHANGE_AUDIT_FLUSH_S": "3600"}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    assert _stored(exdb) == 3 and audit.verify(exdb).ok
