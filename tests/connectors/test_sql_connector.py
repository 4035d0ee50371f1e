"""The sql connector: SELECT only, streamed pages, ``since`` as a bound parameter; SQLite and PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from connectors import ConfigError, build_connector
from connectors.sql import select_problem

ROWS = [
    ("PD-1", 2025, "4.1.01.09.01.0001", "Pajak Hotel", 2500000000, "2024-05-01 09:00:00"),
    ("PD-2", 2025, "4.1.01.10.01.0001", "Pajak Restoran", 1800000000, "2024-05-02 09:00:00"),
    ("PD-3", 2025, "4.1.02.01.01.0001", "Retribusi Pelayanan Kesehatan", 350000000, "2024-05-03 09:00:00"),
]
DDL = ("CREATE TABLE pendapatan_src (id TEXT, tahun INTEGER, rekening TEXT, uraian TEXT, target BIGINT, "
       "diubah TIMESTAMP)")
VIEW = "CREATE VIEW v_pendapatan AS SELECT * FROM pendapatan_src"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    path = tmp_path / "bapenda.db"
    with sqlite3.connect(path) as db:
        db.execute(DDL)
        db.executemany("INSERT INTO pendapatan_src VALUES (?, ?, ?, ?, ?, ?)", ROWS)
        db.execute(VIEW)
    return f"sqlite:///{path}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = os.environ.get("SIMPUL_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("SIMPUL_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
        conn.execute(text(f"SET search_path TO {schema}"))
        conn.execute(text(DDL.replace("pendapatan_src", f"{schema}.pendapatan_src")))
        for row in ROWS:
            conn.execute(text(f"INSERT INTO {schema}.pendapatan_src VALUES (:a, :b, :c, :d, :e, :f)"),
                         dict(zip("abcdef", row, strict=True)))
        conn.execute(text(f"CREATE VIEW {schema}.v_pendapatan AS SELECT * FROM {schema}.pendapatan_src"))
    yield f"{url}?options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def connector(url: str, **resource):
    return build_connector({"connector": {"type": "sql", "config": {"url": url, "page_size": 2}},
                            "resources": {"pendapatan": resource or {"table": "v_pendapatan"}}})


async def test_reads_a_view_in_pages(db_url: str) -> None:
    c = connector(db_url, table="v_pendapatan", order_by="id")
    pages = [p async for p in c.read_pages("pendapatan")]
    assert [len(p) for p in pages] == [2, 1]
    assert [r["id"] for p in pages for r in p] == ["PD-1", "PD-2", "PD-3"]
    assert pages[0][0]["target"] == 2500000000
    await c.aclose()


async def test_since_filters_with_a_bound_parameter(db_url: str) -> None:
    c = connector(db_url, query="SELECT id, diubah FROM v_pendapatan", updated_at_column="diubah")
    records = [r async for r in c.read("pendapatan", since="2024-05-01T12:00:00")]
    assert [r["id"] for r in records] == ["PD-2", "PD-3"]
    assert c.last_read.since_applied
    await c.aclose()


async def test_query_parameters_are_bound(db_url: str) -> None:
    c = connector(db_url, query="SELECT id FROM v_pendapatan WHERE uraian = :u", params={"u": "x' OR '1'='1"})
    assert [r async for r in c.read("pendapatan")] == []
    await c.aclose()


async def test_check_and_discover(db_url: str) -> None:
    c = connector(db_url, table="v_pendapatan", schema="penganggaran/pendapatan")
    result = await c.check()
    assert result.ok, result.message
    (info,) = await c.discover()
    assert info.schema_key == "penganggaran/pendapatan"
    assert [f.name for f in info.fields] == ["id", "tahun", "rekening", "uraian", "target", "diubah"]
    await c.aclose()


async def test_check_fails_clearly_on_a_missing_view(sqlite_url: str) -> None:
    result = await connector(sqlite_url, table="v_tidak_ada").check()
    assert result.status == "failed"
    assert "v_tidak_ada" in result.message["en"]


@pytest.mark.parametrize("sql", [
    "DELETE FROM pendapatan_src",
    "SELECT 1; DROP TABLE pendapatan_src",
    "UPDATE pendapatan_src SET target = 0",
    "WITH x AS (DELETE FROM pendapatan_src RETURNING *) SELECT * FROM x",
    "SELECT * INTO kopi FROM pendapatan_src",
    "SELECT * FROM pendapatan_src FOR UPDATE",
    "PRAGMA writable_schema = 1",
    "/* hi */ INSERT INTO pendapatan_src VALUES (1)",
])
def test_non_select_statements_are_refused(sql: str) -> None:
    assert select_problem(sql) is not None
    with pytest.raises(ConfigError) as info:
        connector("sqlite://", query=sql).validate()
    assert info.value.errors[0].field == "resources.pendapatan.query"


@pytest.mark.parametrize("sql", [
    "SELECT * FROM v_pendapatan",
    "select id, 'delete me' as note from v_pendapatan -- update later",
    "WITH t AS (SELECT * FROM v_pendapatan) SELECT * FROM t;",
    'SELECT "update" FROM x',
])
def test_read_only_selects_are_accepted(sql: str) -> None:
    assert select_problem(sql) is None


async def test_the_session_is_read_only_too(sqlite_url: str) -> None:
    """Even a statement that slipped through could not write: SQLite runs with query_only."""
    c = connector(sqlite_url)
    c.validate()
    from sqlalchemy import exc, text

    with c._connect() as conn, pytest.raises(exc.OperationalError):
        conn.execute(text("DELETE FROM pendapatan_src"))
    await c.aclose()


def test_config_problems_are_reported_together() -> None:
    c = build_connector({"connector": {"type": "sql", "config": {"url": "postgresql://u:secret@db/x",
                                                                 "page_size": 0}},
                         "resources": {"a": {}, "b": {"table": "x; drop"}}})
    with pytest.raises(ConfigError) as info:
        c.validate()
    fields = {e.field for e in info.value.errors}
    assert {"config.url", "config.page_size", "resources.b.table"} <= fields
    assert "secret" not in info.value.messages()["en"]


def test_a_password_comes_from_the_environment(secrets_env) -> None:
    c = build_connector({"connector": {"type": "sql", "config": {
        "url": "postgresql+psycopg://simpul@db.test/simpeg", "password": {"env": "DB_PASSWORD"}}},
        "resources": {"a": {"table": "v"}}})
    c.validate()
    assert c._engine.url.password == secrets_env["DB_PASSWORD"]
    assert secrets_env["DB_PASSWORD"] not in repr(c._engine.url)
