"""The application registry of a Pemda: every OPD application, on SQLite by default and PostgreSQL at scale.

Modules (the registry never imports ``hub``):

- :mod:`registry.models`      pydantic domain models and code-list enums (lists in ``registry/data/*.yaml``)
- :mod:`registry.tables`      SQLAlchemy tables; ``Base`` is the declarative base other features extend
- :mod:`registry.db`          ``Database`` / ``get_database(url)`` sessions, ``upgrade(url)`` (Alembic)
- :mod:`registry.repository`  queries and writes (filters, cursor pages, history, bulk import)
- :mod:`registry.io`          YAML / CSV / XLSX import (row/column errors, all-or-nothing) and export
- :mod:`registry.keys`        API keys (hashed tokens, roles)
- :mod:`registry.secrets`     connector secrets as ``{"env": VAR}`` references, resolved only at use time
- :mod:`registry.assessments` stored assessment runs, manual answers and jobs (``tables_assessment``)
- :mod:`registry.tables_exchange` canonical records, outbox, subscriptions, audit log (used by ``hub.exchange``)
- :mod:`registry.errors`      the registry's exceptions
- :mod:`registry.testing`     SQLite template and PostgreSQL schema helpers for tests
"""
