"""``sql``: read-only queries on a database view the application shares.

* Only one ``SELECT`` (or ``WITH ... SELECT``) statement is accepted; anything that writes, locks, or runs a
  second statement is refused when the configuration is validated. Sessions are also made read-only where the
  database can say so (PostgreSQL ``READ ONLY`` transactions, SQLite ``query_only``).
* Rows are streamed (server-side cursor, ``yield_per``) one page at a time on a worker thread.
* ``since`` filters on ``updated_at_column`` with a bound parameter; the column name is checked and quoted by the
  dialect — values are never formatted into SQL.
* The password is a secret (``password: {env: VAR}``); a password written inside ``url`` is refused.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar, Literal

from pydantic import Field, field_validator

from connectors.base import Connector
from connectors.config import ResourceConfig, Secret, StrictModel
from connectors.errors import FatalError, FieldError, RetriableError
from connectors.masking import mask_text
from connectors.models import FieldInfo, ResourceInfo
from connectors.threads import iterate_in_thread

FORBIDDEN = re.compile(
    r"\b(insert|update|delete|merge|upsert|drop|alter|create|truncate|grant|revoke|copy|call|exec|execute|"
    r"attach|detach|pragma|vacuum|reindex|analyze|lock|unlock|set|reset|begin|commit|rollback|savepoint|"
    r"into|load_extension|pg_sleep|dblink|lo_import|lo_export)\b",
    re.IGNORECASE,
)
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")


def strip_sql(sql: str) -> str:
    """The statement without comments and with string literals emptied (for keyword checks only)."""
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.DOTALL)
    sql = re.sub(r"'(?:[^']|'')*'", "''", sql)
    return re.sub(r'"(?:[^"]|"")*"', '""', sql)


def select_problem(sql: str) -> str | None:
    """Why ``sql`` is not a single read-only SELECT, or ``None`` when it is."""
    bare = strip_sql(sql).strip().rstrip(";").strip()
    if ";" in bare:
        return "more than one statement"
    first = re.match(r"^\(*\s*(\w+)", bare)
    if not first or first.group(1).lower() not in {"select", "with"}:
        return "not a SELECT statement"
    bad = FORBIDDEN.search(bare)
    if bad:
        return f"'{bad.group(1).upper()}' is not allowed in a read-only query"
    if re.search(r"\bfor\s+(update|share|no\s+key\s+update|key\s+share)\b", bare, re.IGNORECASE):
        return "row locks (FOR UPDATE/SHARE) are not allowed"
    return None


class SqlConfig(StrictModel):
    url: str = Field(..., description="SQLAlchemy URL without password, e.g. postgresql+psycopg://simpul@db/simpeg")
    password: Secret | None = None
    page_size: int = Field(1000, ge=1, le=100_000, description="Rows fetched per page (yield_per)")
    statement_timeout_s: float | None = Field(60.0, gt=0, description="PostgreSQL statement timeout")
    connect_args: dict[str, Any] = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _no_password(cls, value: str) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            url = make_url(value)
        except ArgumentError as exc:
            raise ValueError(f"not a SQLAlchemy URL: {exc}") from None
        if url.password:
            raise ValueError("do not write the password in url: use password: {env: VARIABLE}")
        return value


class SqlResource(ResourceConfig):
    query: str | None = Field(None, description="One SELECT statement (bound :parameters allowed)")
    table: str | None = Field(None, description="A view or table name, optionally schema.name")
    params: dict[str, Any] = Field(default_factory=dict, description="Values of the query's :parameters")
    updated_at_column: str | None = Field(None, description="Column compared with since (bound parameter)")
    since_type: Literal["datetime", "date", "string"] = Field("datetime", description="How since is bound")
    order_by: str | None = Field(None, description="Column to order by (the updated_at_column by default)")

    @field_validator("query")
    @classmethod
    def _select_only(cls, value: str | None) -> str | None:
        if value is not None and (problem := select_problem(value)):
            raise ValueError(f"refused: {problem}")
        return value

    @field_validator("table", "updated_at_column", "order_by")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not IDENTIFIER.match(value):
            raise ValueError("must be a plain identifier (letters, digits, _; optionally schema.name)")
        return value


class SqlConnector(Connector):
    type_name = "sql"
    title: ClassVar[dict[str, str]] = {"id": "View basis data (hanya baca)", "en": "Database view (read-only)"}
    Config = SqlConfig
    Resource = SqlResource
    supports_since = True

    _engine: Any = None
    _engine_key: Any = None

    def _validate_more(self, config: Any, resources: dict[str, Any]) -> list[FieldError]:
        return [FieldError(f"resources.{name}", "sql.query_or_table")
                for name, res in resources.items() if (res.query is None) == (res.table is None)]

    def _configured(self) -> None:
        key = (self.config.url, self.config.password, tuple(sorted(self.config.connect_args.items())))
        if self._engine is None or self._engine_key != key:
            from sqlalchemy import create_engine, event
            from sqlalchemy.engine import make_url

            url = make_url(self.config.url)
            if self.config.password is not None:
                url = url.set(password=self.config.password.get_secret_value())
            engine = create_engine(url, connect_args=self.config.connect_args, pool_pre_ping=True)
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_read_only)
            self._engine, self._engine_key = engine, key

    async def aclose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _applies_since(self, resource: Any) -> bool:
        return bool(resource.updated_at_column)

    def _source_sql(self, res: SqlResource) -> str:
        if res.query is not None:
            return res.query.strip().rstrip(";")
        quote = self._engine.dialect.identifier_preparer.quote
        # identifiers are validated (IDENTIFIER) and quoted by the dialect; no value is ever formatted in
        return "SELECT * FROM " + ".".join(quote(part) for part in res.table.split("."))  # noqa: S608

    def _statement(self, res: SqlResource, since: datetime | None) -> tuple[str, dict[str, Any]]:
        quote = self._engine.dialect.identifier_preparer.quote
        sql = f"SELECT * FROM ({self._source_sql(res)}) simpul_src"  # noqa: S608 (a checked SELECT, quoted names)
        params = dict(res.params)
        if since is not None and res.updated_at_column:
            sql += f" WHERE simpul_src.{quote(res.updated_at_column)} > :simpul_since"
            params["simpul_since"] = (since if res.since_type == "datetime" else
                                      since.date() if res.since_type == "date" else since.isoformat(sep=" "))
        order = res.order_by or res.updated_at_column
        if order:
            sql += f" ORDER BY simpul_src.{quote(order)}"
        return sql, params

    def _connect(self) -> Any:
        conn = self._engine.connect()
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(postgresql_readonly=True)
            if self.config.statement_timeout_s:
                from sqlalchemy import text

                conn.execute(text("SELECT set_config('statement_timeout', :ms, true)"),
                             {"ms": str(int(self.config.statement_timeout_s * 1000))})
        return conn

    def _rows(self, sql: str, params: dict[str, Any], page_size: int) -> Iterator[list[dict[str, Any]]]:
        from sqlalchemy import exc, text

        try:
            with self._connect() as conn:
                result = conn.execution_options(stream_results=True, yield_per=page_size).execute(text(sql), params)
                for partition in result.partitions(page_size):
                    yield [{k: _plain(v) for k, v in row._mapping.items()} for row in partition]
        except exc.OperationalError as err:
            raise RetriableError("sql.unavailable", detail=mask_text(str(err.orig))[:200]) from None
        except exc.SQLAlchemyError as err:
            raise FatalError("sql.failed", detail=mask_text(str(getattr(err, "orig", err)))[:200]) from None

    async def _check(self) -> dict[str, Any]:
        import time

        start = time.perf_counter()
        async for _ in iterate_in_thread(lambda: self._rows("SELECT 1 AS ok", {}, 1)):
            pass
        latency = round((time.perf_counter() - start) * 1000, 2)
        checked = {}
        for name, res in self.resources.items():
            sql, params = self._statement(res, None)
            async for _ in iterate_in_thread(lambda s=sql, p=params: self._rows(f"{s} LIMIT 0", p, 1)):
                pass
            checked[name] = "ok"
        return {"dialect": self._engine.dialect.name, "resources": checked, "latency_ms": latency}

    async def _discover(self) -> list[ResourceInfo]:
        infos = []
        for name, res in self.resources.items():
            columns = await _columns(self, res)
            infos.append(ResourceInfo(name=name, schema=res.schema_key, fields=columns,
                                      supports_since=bool(res.updated_at_column), pagination="server_cursor",
                                      location=res.table or "query", description=res.description))
        return infos

    def _read_pages(self, name: str, resource: Any, since: datetime | None) -> AsyncIterator[list[dict[str, Any]]]:
        sql, params = self._statement(resource, since)
        return iterate_in_thread(lambda: self._rows(sql, params, self.config.page_size), name=f"sql-{name}")


async def _columns(connector: SqlConnector, res: SqlResource) -> list[FieldInfo]:
    def describe() -> Iterator[list[FieldInfo]]:
        from sqlalchemy import text

        sql, params = connector._statement(res, None)
        with connector._connect() as conn:
            result = conn.execute(text(f"{sql} LIMIT 0"), params)
            types = {}
            cursor = getattr(result, "cursor", None)
            if cursor is not None and cursor.description:
                types = {d[0]: d[1] for d in cursor.description}
            yield [FieldInfo(name=k, type=_type_name(types.get(k))) for k in result.keys()]  # noqa: SIM118 (a Result)

    async for fields in iterate_in_thread(describe):
        return fields
    return []


def _type_name(code: Any) -> str | None:
    return None if code is None else str(getattr(code, "__name__", code))


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return value


def _sqlite_read_only(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA query_only = ON")
    cursor.close()
