"""Write transactions of the exchange that serialise cleanly on both backends.

On SQLite a transaction that reads and then writes can fail at once with "database is locked" when another process
wrote in between; ``write_session`` starts with ``BEGIN IMMEDIATE`` so it waits (busy timeout) for the write lock
instead. On PostgreSQL it is a plain session (row locks are taken where needed).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from hub.services.registry_db import get_database
from registry.db import Database

_local_writer = threading.Lock()


def database(db: Database | None = None) -> Database:
    return db if db is not None else get_database()


def is_sqlite(db: Database) -> bool:
    return db.backend == "sqlite"


@contextmanager
def write_session(db: Database) -> Iterator[Session]:
    if not is_sqlite(db):
        with db.session() as s:
            yield s
        return
    with _local_writer, db.session() as s:  # one writer per process, then the file lock across processes
        s.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield s
