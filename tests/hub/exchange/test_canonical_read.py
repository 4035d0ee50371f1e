"""The canonical page's text: the item builder writes the same bytes as the JSON encoder of present()'s dict, and
the memo of item texts never serves a stale text (another process's version, a re-used id, personal or not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import delete, select

from hub.exchange import canonical
from hub.exchange.store import Incoming, Provenance, store_batch
from registry.tables_exchange import RecordRow

from .conftest import example_document

ROOT = Path(__file__).resolve().parents[3]
BUDGET = "penganggaran/rincian_belanja"


class PageRow(NamedTuple):
    """A row of the page query, its columns in canonical._PAGE_COLUMNS order."""

    id: int
    schema_key: str
    record_key: str
    version: object
    is_current: bool
    kode_opd: str | None
    tahun: object
    document_text: str
    source_app: str
    source_resource: str
    fetched_at: datetime | None
    content_hash: str
    schema_version: str
    sync_run: str | None


def _reference_item(row: PageRow, data: str, personal: bool) -> str:
    """The item as _dumps of the dict present() builds (the earlier code's way), data spliced in."""
    key = canonical.present_key(row.schema_key, row.record_key, personal=personal)
    head = canonical._dumps({"schema": row.schema_key, "key": key, "version": row.version,
                             "current": bool(row.is_current), "kode_opd": row.kode_opd, "tahun": row.tahun})
    prov = {"source_app": row.source_app, "source_resource": row.source_resource,
            "fetched_at": canonical._iso(row.fetched_at), "content_hash": row.content_hash,
            "schema_version": row.schema_version, "sync_run": row.sync_run}
    return f'{head[:-1]},"data":{data},"provenance":{canonical._dumps(prov)}}}'


def _row(**changes: object) -> PageRow:
    base = {"id": 7, "schema_key": BUDGET, "record_key": "2025|1.02.0.00.0.00.01.0000|5.1.02.01", "version": 3,
            "is_current": True, "kode_opd": "1.02.0.00.0.00.01.0000", "tahun": 2025, "document_text": "{}",
            "source_app": "e-budgeting", "source_resource": "rincian-belanja",
            "fetched_at": datetime(2026, 12, 7, 8, 0, 1, 123456, tzinfo=UTC), "content_hash": "ab" * 32,
            "schema_version": f"{BUDGET}:1", "sync_run": "run_1"}
    return PageRow(**{**base, **changes})


def test_the_item_builder_writes_the_bytes_of_the_json_encoder():
    """Also through the remembered fetched_at texts: the first row and the +07:00 one are the same instant."""
    rows = [_row(), _row(kode_opd=None, tahun=None, sync_run=None, is_current=False),
            _row(record_key='kutip "ganda" \\ garis\nbaru', source_app="é ünï \u2028 \x00"),
            _row(fetched_at=datetime(2026, 1, 2, 3, 4, 5)), _row(fetched_at=None),
            _row(fetched_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=7)))),
            _row(fetched_at=datetime(2026, 12, 7, 15, 0, 1, 123456, tzinfo=timezone(timedelta(hours=7)))),
            _row(tahun=2025.0), _row(tahun=Decimal("2025")), _row(version=True),
            _row(record_key="NIK 3201234567890001 budi@contoh.id")]
    for row in rows:
        for personal in (False, True):
            assert canonical._item_json(row, '{"a":1}', personal, None) == _reference_item(row, '{"a":1}',
                                                                                          personal), row


def test_equal_values_that_print_differently_are_different_memo_keys():
    assert list(PageRow._fields) == [c.key for c in canonical._PAGE_COLUMNS]
    plain = canonical._memo_key(_row(), False)
    assert canonical._memo_key(_row(), True) != plain
    assert canonical._memo_key(_row(tahun=2025.0), False) != plain  # 2025 == 2025.0, but prints "2025.0"
    assert canonical._memo_key(_row(tahun=Decimal(2025)), False) != plain
    jakarta = datetime(2026, 12, 7, 15, 0, 1, 123456, tzinfo=timezone(timedelta(hours=7)))
    assert jakarta == _row().fetched_at  # the same instant ...
    assert canonical._memo_key(_row(fetched_at=jakarta), False) != plain  # ... printed with another offset


def test_the_memo_is_bounded_and_keeps_the_newer_half():
    memo = canonical.ItemTexts()
    memo.MAX_CHARS = 100
    for i in range(30):
        memo.put((i,), "x" * 5, 10)
    assert len(memo) <= 10 and memo.get((29,)) == "x" * 5 and memo.get((0,)) is None


def _store(db, doc, run="run_1"):
    store_batch(db, Provenance("e-budgeting", "rincian-belanja", f"{BUDGET}:1", run), [Incoming(doc, doc, True, {})])


def test_warm_pages_are_the_bytes_of_cold_pages_and_follow_every_new_version(exdb):
    doc = example_document(BUDGET)
    _store(exdb, doc)
    canonical._item_texts.cache_clear()
    cold, _ = canonical.list_records_json(BUDGET, db=exdb)
    assert len(canonical.item_texts(BUDGET)) == 1
    warm, _ = canonical.list_records_json(BUDGET, db=exdb)
    assert warm == cold
    changed = {**doc, "uraian": "Belanja yang diubah"}
    _store(exdb, changed, run="run_2")
    text, _ = canonical.list_records_json(BUDGET, db=exdb)
    page = json.loads(text)
    assert [(i["version"], i["data"]["uraian"], i["provenance"]["sync_run"]) for i in page["items"]] == [
        (2, "Belanja yang diubah", "run_2")]
    canonical._item_texts.cache_clear()
    assert canonical.list_records_json(BUDGET, db=exdb)[0] == text


def test_a_reused_id_with_another_document_is_not_served_from_the_memo(exdb):
    doc = example_document(BUDGET)
    _store(exdb, doc)
    first = json.loads(canonical.list_records_json(BUDGET, db=exdb)[0])["items"][0]
    with exdb.session() as s:
        row = s.execute(select(RecordRow).where(RecordRow.schema_key == BUDGET)).scalar_one()
        values = {c.name: getattr(row, c.name) for c in RecordRow.__table__.columns}
        s.execute(delete(RecordRow).where(RecordRow.id == row.id))
        s.add(RecordRow(**{**values, "document": {**doc, "uraian": "Dokumen lain, id yang sama"}}))
    again = json.loads(canonical.list_records_json(BUDGET, db=exdb)[0])["items"][0]
    assert again["data"]["uraian"] == "Dokumen lain, id yang sama" != first["data"]["uraian"]


def test_masked_and_personal_pages_never_share_a_memo_entry(exdb):
    person = example_document("kepegawaian/pegawai")
    store_batch(exdb, Provenance("simpeg", "pegawai", "kepegawaian/pegawai:1", "run_p"),
                [Incoming(person, person, True, {})])
    for _ in range(2):  # the second round reads from the memo
        masked = json.loads(canonical.list_records_json("kepegawaian/pegawai", db=exdb)[0])["items"][0]
        shown = json.loads(canonical.list_records_json("kepegawaian/pegawai", db=exdb, personal=True)[0])["items"][0]
        assert shown["data"]["nip"] == person["nip"] and masked["data"]["nip"] != person["nip"]
        assert "*" in masked["data"]["nip"] and "*" in masked["key"] and "*" not in shown["key"]


WRITER = """
import json, sys
from hub.exchange.store import Incoming, Provenance, store_batch
from registry.db import Database
doc = json.loads(sys.argv[2])
store_batch(Database(sys.argv[1]), Provenance("e-budgeting", "rincian-belanja", "penganggaran/rincian_belanja:1",
            "run_other_process"), [Incoming(doc, doc, True, {})])
"""


def test_a_version_written_by_another_process_is_served_on_the_next_read(exdb):
    doc = example_document(BUDGET)
    _store(exdb, doc)
    for _ in range(2):
        before = json.loads(canonical.list_records_json(BUDGET, db=exdb)[0])["items"][0]
    changed = {**doc, "uraian": "Diubah oleh proses lain"}
    subprocess.run([sys.executable, "-c", WRITER, exdb.url, json.dumps(changed)], check=True, cwd=ROOT,
                   env={**os.environ, "SIMPUL_EXCHANGE_SECRET_KEY": "test-master-key"}, timeout=120)
    after = json.loads(canonical.list_records_json(BUDGET, db=exdb)[0])["items"][0]
    assert (before["version"], before["data"]["uraian"]) == (1, doc["uraian"])
    assert (after["version"], after["data"]["uraian"], after["provenance"]["sync_run"]) == (
        2, "Diubah oleh proses lain", "run_other_process")
