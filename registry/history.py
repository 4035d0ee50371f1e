"""The change history: who changed what, when (``registry_change``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.convert import aware
from registry.models import Change
from registry.tables import ChangeRow, utcnow


def record(s: Session, entity: str, entity_id: str, action: str, actor: str, changes: list[dict[str, Any]]) -> None:
    s.add(ChangeRow(entity=entity, entity_id=entity_id, action=action, actor=actor, at=utcnow(), changes=changes))


def record_many(s: Session, entries: list[dict[str, Any]]) -> None:
    """Bulk insert of ``{entity, entity_id, action, actor, changes}`` (imports)."""
    if entries:
        now = utcnow()
        s.execute(ChangeRow.__table__.insert(), [{**e, "at": now} for e in entries])


def history(s: Session, entity: str, entity_id: str, *, limit: int = 100, before: int | None = None) -> list[Change]:
    """Newest first. ``before`` = the smallest id already seen (to page back in time)."""
    stmt = select(ChangeRow).where(ChangeRow.entity == entity, ChangeRow.entity_id == entity_id)
    if before is not None:
        stmt = stmt.where(ChangeRow.id < before)
    rows = s.scalars(stmt.order_by(ChangeRow.id.desc()).limit(limit))
    return [Change(id=r.id, entity=r.entity, entity_id=r.entity_id, action=r.action, actor=r.actor, at=aware(r.at),
                   changes=r.changes or []) for r in rows]
