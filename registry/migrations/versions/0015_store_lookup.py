"""store look-up and claim indexes: partial indexes that serve the hot queries of the exchange whatever the size

- ``ix_exchange_record_current_key`` (schema_key, record_key) WHERE is_current: the store's look-up of a sync
  batch's current versions (hub/exchange/store.py), one index probe per key instead of a scan of every current row
  of the schema on PostgreSQL.
- ``ix_exchange_outbox_open`` (id) WHERE status IN ('pending', 'retrying'): the delivery claim's ORDER BY id LIMIT n
  read in order over waiting rows only, instead of sorting the whole backlog every round (hub/exchange/delivery.py).

The predicates are written exactly as the queries write them (literal constants), which both planners need to
match a partial index.

Revision ID: 0015_store_lookup
Revises: 0014_delivery_batch
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_store_lookup"
down_revision = "0014_delivery_batch"
branch_labels = None
depends_on = None

CURRENT = sa.text("is_current = true")
CURRENT_SQLITE = sa.text("is_current = 1")
OPEN = sa.text("status IN ('pending', 'retrying')")


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_index("ix_exchange_record_current_key", "exchange_record", ["schema_key", "record_key"],
                    sqlite_where=CURRENT_SQLITE if sqlite else None, postgresql_where=None if sqlite else CURRENT)
    op.create_index("ix_exchange_outbox_open", "exchange_outbox", ["id"], sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    op.drop_index("ix_exchange_outbox_open", table_name="exchange_outbox")
    op.drop_index("ix_exchange_record_current_key", table_name="exchange_record")
