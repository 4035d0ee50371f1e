"""Queries and writes of the registry. One import point for callers:

    from registry import repository as repo
    with db.session() as s:
        page = repo.list_applications(s, repo.ApplicationFilter(area=["keuangan"]), limit=50)
        app = repo.get_application(s, "e-planning")
        repo.update_application(s, "e-planning", new, actor="key:bappeda#3", expected_version=app.version)

Every write takes ``actor`` (who) and records a field-level diff in the change history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from registry import pagination
from registry.convert import application_from_row, diff, flat_of, flat_python, row_values
from registry.errors import AlreadyExists, InvalidReference, NotFoundError
from registry.history import history, record, record_many
from registry.models import Application, ApplicationIn, Page
from registry.orgs import (
    check_version,
    create_opd,
    create_pemda,
    delete_opd,
    delete_pemda,
    find_opd_row,
    flush_or_stale,
    get_opd,
    get_pemda,
    immutable,
    like,
    list_opd,
    list_pemda,
    missing_ref,
    opd_key,
    save_opd,
    save_pemda,
    update_opd,
    update_pemda,
)
from registry.tables import ApplicationRow, OpdRow, PemdaRow, utcnow
from registry.vocab import vocab

__all__ = [
    "SORTS", "ApplicationFilter", "count_applications", "create_application", "create_opd", "create_pemda",
    "delete_application", "delete_opd", "delete_pemda", "get_application", "get_opd", "get_pemda", "history",
    "iter_applications", "list_applications", "list_opd", "list_pemda", "opd_key", "save_applications",
    "save_opd", "save_pemda", "summary", "update_application", "update_opd", "update_pemda",
]

ApplicationPage = Page[Application]

SORTS: dict[str, Any] = {
    "name": ApplicationRow.name, "-name": ApplicationRow.name,
    "id": ApplicationRow.id, "-id": ApplicationRow.id,
    "updated_at": ApplicationRow.updated_at, "-updated_at": ApplicationRow.updated_at,
}


@dataclass
class ApplicationFilter:
    """Every field narrows the list; list fields match any of their values."""

    kode_pemda: str | None = None
    kode_opd: str | None = None
    area: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    hosting: list[str] = field(default_factory=list)
    software_category: list[str] = field(default_factory=list)
    connector: str | None = None  # a connector type, "any" or "none"
    source_code_held: bool | None = None
    tag: str | None = None
    q: str | None = None

    def apply(self, stmt: Select) -> Select:
        a = ApplicationRow
        if self.kode_pemda:
            stmt = stmt.where(a.kode_pemda == self.kode_pemda)
        if self.kode_opd:
            opd_ids = select(OpdRow.id).where(OpdRow.kode == self.kode_opd)
            if self.kode_pemda:
                opd_ids = opd_ids.where(OpdRow.kode_pemda == self.kode_pemda)
            stmt = stmt.where(a.opd_id.in_(opd_ids))
        if self.area:
            stmt = stmt.where(or_(a.area.in_(self.area), *[a.areas_text.like(f"%|{x}|%") for x in self.area]))
        for column, values in ((a.status, self.status), (a.kind, self.kind), (a.hosting_type, self.hosting),
                               (a.software_category, self.software_category)):
            if values:
                stmt = stmt.where(column.in_(values))
        if self.connector == "none":
            stmt = stmt.where(a.connector_type.is_(None))
        elif self.connector == "any":
            stmt = stmt.where(a.connector_type.is_not(None))
        elif self.connector:
            stmt = stmt.where(a.connector_type == self.connector)
        if self.source_code_held is not None:
            stmt = stmt.where(a.source_code_held.is_(self.source_code_held))
        if self.tag:
            stmt = stmt.where(a.tags_text.like(like(f"|{self.tag.lower()}|"), escape="\\"))
        if self.q:
            pattern = like(self.q)
            stmt = stmt.where(or_(a.name.ilike(pattern, escape="\\"), a.description.ilike(pattern, escape="\\"),
                                  a.tags_text.ilike(pattern, escape="\\"), a.id.like(pattern.lower(), escape="\\")))
        return stmt


def _app_row(s: Session, app_id: str) -> ApplicationRow:
    row = s.get(ApplicationRow, app_id)
    if row is None:
        close = s.scalars(select(ApplicationRow.id).where(ApplicationRow.id.like(like(app_id[:3]), escape="\\"))
                          .limit(200))
        raise NotFoundError("application", app_id, list(close))
    return row


def get_application(s: Session, app_id: str) -> Application:
    return application_from_row(_app_row(s, app_id))


def list_applications(s: Session, filters: ApplicationFilter | None = None, *, sort: str = "name",
                      limit: int | None = None, cursor: str | None = None) -> Page[Application]:
    limit = pagination.clamp(limit)
    column = SORTS[sort]
    stmt = (filters or ApplicationFilter()).apply(select(ApplicationRow))
    rows = list(s.scalars(pagination.keyset(stmt, sort, column, ApplicationRow.id, cursor, limit)).unique())
    rows, nxt = pagination.trim(rows, limit, sort, column, ApplicationRow.id)
    return ApplicationPage(items=[application_from_row(r) for r in rows], next_cursor=nxt)


def count_applications(s: Session, filters: ApplicationFilter | None = None) -> int:
    stmt = (filters or ApplicationFilter()).apply(select(func.count()).select_from(ApplicationRow))
    return s.scalar(stmt) or 0


def iter_applications(s: Session, filters: ApplicationFilter | None = None, batch: int = 500) -> Iterable[Application]:
    """Every matching application in id order, fetched in batches (exports)."""
    cursor: str | None = None
    while True:
        page = list_applications(s, filters, sort="id", limit=batch, cursor=cursor)
        yield from page.items
        if not page.next_cursor:
            return
        cursor = page.next_cursor


def _resolve_opd(s: Session, data: ApplicationIn) -> OpdRow:
    if s.get(PemdaRow, data.kode_pemda) is None:
        raise InvalidReference([missing_ref("kode_pemda", "pemda", data.kode_pemda)])
    row = find_opd_row(s, data.kode_pemda, data.kode_opd)
    if row is None:
        raise InvalidReference([missing_ref("kode_opd", "opd", opd_key(data.kode_pemda, data.kode_opd))])
    return row


def create_application(s: Session, data: ApplicationIn, actor: str) -> Application:
    opd = _resolve_opd(s, data)
    if s.get(ApplicationRow, data.id) is not None:
        raise AlreadyExists("application", data.id)
    now = utcnow()
    row = ApplicationRow(**row_values(data, opd.id), created_at=now, updated_at=now, created_by=actor,
                         updated_by=actor)
    s.add(row)
    s.flush()
    record(s, "application", data.id, "create", actor, diff(None, flat_of(data)))
    return application_from_row(row)


def update_application(s: Session, app_id: str, data: ApplicationIn, actor: str,
                       expected_version: int | None = None) -> Application:
    row = _app_row(s, app_id)
    check_version("application", app_id, row.version, expected_version)
    if data.id != app_id:
        raise InvalidReference([immutable("id")])
    changes = _apply(s, row, data, actor)
    if changes:
        record(s, "application", app_id, "update", actor, changes)
    return application_from_row(row)


def _apply(s: Session, row: ApplicationRow, data: ApplicationIn, actor: str) -> list[dict[str, Any]]:
    new_flat = flat_python(data)
    changes = diff(flat_python(application_from_row(row)), new_flat)
    if changes:
        opd = row.opd if (row.kode_pemda, row.opd.kode) == (data.kode_pemda, data.kode_opd) else _resolve_opd(s, data)
        for column, value in row_values(data, opd.id, new_flat).items():
            if getattr(row, column) != value:
                setattr(row, column, value)
        if opd is not row.opd:
            row.opd = opd
        row.updated_at, row.updated_by = utcnow(), actor
        flush_or_stale(s, "application", row.id, row.version)
    return changes


def delete_application(s: Session, app_id: str, actor: str, expected_version: int | None = None) -> None:
    row = _app_row(s, app_id)
    check_version("application", app_id, row.version, expected_version)
    s.delete(row)
    flush_or_stale(s, "application", app_id, row.version)
    record(s, "application", app_id, "delete", actor, [])


def save_applications(s: Session, items: list[ApplicationIn], actor: str, action: str = "import",
                      chunk: int = 500) -> dict[str, int]:
    """Create or update many applications at once (imports). Unchanged ones are not touched.

    The caller has checked references (see :func:`missing_references`). Returns counts
    ``{created, updated, unchanged}``.
    """
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    opd_ids = {(r.kode_pemda, r.kode): r.id for r in s.scalars(select(OpdRow))}
    for start in range(0, len(items), chunk):
        part = items[start:start + chunk]
        existing = {r.id: r for r in s.scalars(select(ApplicationRow).where(
            ApplicationRow.id.in_([a.id for a in part])))}
        new_rows, entries = [], []
        now = utcnow()
        for app in part:
            row = existing.get(app.id)
            if row is None:
                flat = flat_python(app)
                new_rows.append({**row_values(app, opd_ids[(app.kode_pemda, app.kode_opd)], flat),
                                 "created_at": now, "updated_at": now, "created_by": actor, "updated_by": actor,
                                 "version": 1})
                entries.append({"entity": "application", "entity_id": app.id, "action": action, "actor": actor,
                                "changes": diff(None, flat)})
                counts["created"] += 1
                continue
            changes = _apply(s, row, app, actor)
            if changes:
                entries.append({"entity": "application", "entity_id": app.id, "action": action, "actor": actor,
                                "changes": changes})
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
        if new_rows:
            s.execute(ApplicationRow.__table__.insert(), new_rows)  # executemany, no ORM bookkeeping
        record_many(s, entries)
    return counts


def missing_references(s: Session, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kode_pemda, kode_opd) pairs that have no OPD in the database."""
    known = {(r.kode_pemda, r.kode) for r in s.execute(select(OpdRow.kode_pemda, OpdRow.kode))}
    return {p for p in pairs if p not in known}


def stored_versions(s: Session, app_ids: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for start in range(0, len(app_ids), 500):
        part = app_ids[start:start + 500]
        out.update(dict(s.execute(select(ApplicationRow.id, ApplicationRow.version)
                                  .where(ApplicationRow.id.in_(part)))))
    return out


def owner_of(s: Session, app_id: str) -> tuple[str, str] | None:
    """(kode_pemda, kode_opd) of a stored application, or None."""
    row = s.execute(select(ApplicationRow.kode_pemda, OpdRow.kode).join(OpdRow, OpdRow.id == ApplicationRow.opd_id)
                    .where(ApplicationRow.id == app_id)).first()
    return (row[0], row[1]) if row else None




def summary(s: Session, kode_pemda: str | None = None) -> dict[str, Any]:
    """Counts for auditors and the gap inventory: total (Tabel II.3 item 8) and per area, status, kind, hosting,
    connector presence and source-code custody."""
    a = ApplicationRow

    def grouped(column: Any) -> dict[str, int]:
        stmt = select(column, func.count()).group_by(column)
        if kode_pemda:
            stmt = stmt.where(a.kode_pemda == kode_pemda)
        return {("-" if k is None else str(k).lower()): n for k, n in s.execute(stmt)}

    total = count_applications(s, ApplicationFilter(kode_pemda=kode_pemda))
    by_area = {area: count_applications(s, ApplicationFilter(kode_pemda=kode_pemda, area=[area]))
               for area in vocab("area").codes}  # main or other area; a zero is a gap
    return {
        "total": total,
        "by_area": by_area,
        "by_status": grouped(a.status),
        "by_kind": grouped(a.kind),
        "by_hosting": grouped(a.hosting_type),
        "by_connector": grouped(a.connector_type),
        "by_source_code_held": grouped(a.source_code_held),
    }
