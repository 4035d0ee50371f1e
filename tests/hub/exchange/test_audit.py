"""The audit log is hash-chained; ``simpul audit verify`` fails on any altered, removed or reordered entry."""

from __future__ import annotations

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
