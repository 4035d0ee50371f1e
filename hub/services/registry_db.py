"""The process-wide registry database, from ``SIMPUL_DATABASE_URL`` (settings.database_url)."""

from __future__ import annotations

from hub.health import register_readiness
from hub.settings import get_settings
from registry.db import Database
from registry.db import get_database as _get_database


def get_database() -> Database:
    """The :class:`registry.db.Database` of the configured URL; its schema is upgraded on first use.

    API routes take it as a dependency (``DatabaseDep`` in hub.api.security), so tests can override it.
    """
    return _get_database(get_settings().database_url)


def _readiness() -> str:
    return get_database().check()


register_readiness("database", _readiness)
