"""Engine and sessions from a database URL; schema upgrades through Alembic.

    db = get_database("sqlite:///./simpul.db")      # cached per URL; upgrades the schema on first use
    with db.session() as s:                           # commits on success, rolls back on error
        ...

SQLite runs with WAL, foreign keys on and a busy timeout; PostgreSQL through psycopg 3
(``postgresql+psycopg://user@host/db``; a plain ``postgresql://`` URL is mapped to psycopg).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from registry.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if database and database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # alembic is imported only when migrations are looked at

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    return cfg


@lru_cache
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head() or ""


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_engine(engine: Engine, revision: str = "head") -> str:
    """Run the migrations up to ``revision`` on ``engine``; returns the revision now current."""
    from alembic import command

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return current_revision(engine) or ""


def upgrade(url: str, revision: str = "head") -> str:
    """``simpul db upgrade``: bring the database at ``url`` to the newest schema."""
    engine = make_engine(url)
    try:
        return upgrade_engine(engine, revision)
    finally:
        engine.dispose()


class Database:
    """One database: an engine, a session factory, and the schema upgraded on first use."""

    def __init__(self, url: str, *, auto_upgrade: bool = True, **engine_kwargs: Any) -> None:
        self.url = normalize_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.auto_upgrade = auto_upgrade
        self._ready = False
        self._lock = threading.Lock()

    @property
    def backend(self) -> str:
        return self.engine.url.get_backend_name()

    def ensure_schema(self) -> None:
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            try:
                if self.auto_upgrade and current_revision(self.engine) != head_revision():
                    try:
                        upgrade_engine(self.engine)
                    except Exception:
                        # another process may have upgraded at the same moment; only fail if still behind
                        if current_revision(self.engine) != head_revision():
                            raise
            except Exception as exc:  # connection refused, bad credentials, unreadable file ...
                detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise DatabaseUnavailable(self.safe_url, detail) from exc
            self._ready = True

    @property
    def safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits when the block ends normally and rolls back on an exception."""
        self.ensure_schema()
        session = self.session_factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def check(self) -> str:
        """Readiness: ``ok`` when the database answers and its schema is current."""
        try:
            current = current_revision(self.engine)
        except Exception as exc:
            return f"unreachable: {type(exc).__name__}"
        head = head_revision()
        if current != head and not self.auto_upgrade:
            return f"schema {current or 'empty'} != {head}: run 'simpul db upgrade'"
        return "ok"

    def dispose(self) -> None:
        self.engine.dispose()


_databases: dict[str, Database] = {}
_databases_lock = threading.Lock()


def get_database(url: str) -> Database:
    """The process-wide :class:`Database` for ``url`` (created on first call)."""
    key = normalize_url(url)
    with _databases_lock:
        db = _databases.get(key)
        if db is None:
            db = _databases[key] = Database(key)
        return db


def forget_databases() -> None:
    """Dispose every cached engine (tests, shutdown)."""
    with _databases_lock:
        for db in _databases.values():
            db.dispose()
        _databases.clear()
