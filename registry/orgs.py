"""Pemda and OPD: create, read, update, delete, list, import; every write recorded in the change history."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from registry import pagination
from registry.convert import diff, flat_of, input_of, opd_from_row, pemda_from_row
from registry.errors import AlreadyExists, FieldError, InUse, InvalidReference, NotFoundError, StaleVersion
from registry.history import record, record_many
from registry.models import Opd, OpdIn, Page, Pemda, PemdaIn
from registry.tables import ApplicationRow, OpdRow, PemdaRow, utcnow


def like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def check_version(kind: str, key: str, stored: int, expected: int | None) -> None:
    if expected is not None and stored != expected:
        raise StaleVersion(kind, key, expected, stored)


# --- Pemda ---------------------------------------------------------------------------------------------------


def _pemda_row(s: Session, kode: str) -> PemdaRow:
    row = s.get(PemdaRow, kode)
    if row is None:
        raise NotFoundError("pemda", kode, list(s.scalars(select(PemdaRow.kode).limit(1000))))
    return row


def get_pemda(s: Session, kode: str) -> Pemda:
    return pemda_from_row(_pemda_row(s, kode))


def list_pemda(s: Session, *, q: str | None = None, level: str | None = None, limit: int | None = None,
               cursor: str | None = None) -> Page[Pemda]:
    limit = pagination.clamp(limit)
    stmt = select(PemdaRow)
    if q:
        stmt = stmt.where(or_(PemdaRow.name.ilike(like(q), escape="\\"), PemdaRow.kode.like(like(q), escape="\\")))
    if level:
        stmt = stmt.where(PemdaRow.level == level)
    rows = list(s.scalars(pagination.keyset(stmt, "kode", PemdaRow.kode, PemdaRow.kode, cursor, limit)))
    rows, nxt = pagination.trim(rows, limit, "kode", PemdaRow.kode, PemdaRow.kode)
    return Page[Pemda](items=[pemda_from_row(r) for r in rows], next_cursor=nxt)


def create_pemda(s: Session, data: PemdaIn, actor: str) -> Pemda:
    if s.get(PemdaRow, data.kode) is not None:
        raise AlreadyExists("pemda", data.kode)
    now = utcnow()
    row = PemdaRow(kode=data.kode, name=data.name, level=data.level, created_at=now, updated_at=now,
                   created_by=actor, updated_by=actor)
    s.add(row)
    s.flush()
    record(s, "pemda", data.kode, "create", actor, diff(None, flat_of(data)))
    return pemda_from_row(row)


def update_pemda(s: Session, kode: str, data: PemdaIn, actor: str, expected_version: int | None = None) -> Pemda:
    row = _pemda_row(s, kode)
    check_version("pemda", kode, row.version, expected_version)
    if data.kode != kode:
        raise InvalidReference([immutable("kode")])
    changes = diff(flat_of(input_of(pemda_from_row(row))), flat_of(data))
    if changes:
        row.name, row.level = data.name, data.level
        row.updated_at, row.updated_by = utcnow(), actor
        flush_or_stale(s, "pemda", kode, row.version)
        record(s, "pemda", kode, "update", actor, changes)
    return pemda_from_row(row)


def delete_pemda(s: Session, kode: str, actor: str, expected_version: int | None = None) -> None:
    row = _pemda_row(s, kode)
    check_version("pemda", kode, row.version, expected_version)
    count = s.scalar(select(func.count()).select_from(OpdRow).where(OpdRow.kode_pemda == kode)) or 0
    if count:
        raise InUse("pemda", kode, "opd", count)
    s.delete(row)
    flush_or_stale(s, "pemda", kode, row.version)
    record(s, "pemda", kode, "delete", actor, [])


def save_pemda(s: Session, data: PemdaIn, actor: str) -> str:
    """Import: create or update; returns ``created``, ``updated`` or ``unchanged``."""
    if s.get(PemdaRow, data.kode) is None:
        create_pemda(s, data, actor)
        return "created"
    before = s.get(PemdaRow, data.kode).version  # type: ignore[union-attr]
    return "updated" if update_pemda(s, data.kode, data, actor).revision != before else "unchanged"


# --- OPD -----------------------------------------------------------------------------------------------------


def opd_key(kode_pemda: str, kode: str) -> str:
    return f"{kode_pemda}/{kode}"


def find_opd_row(s: Session, kode_pemda: str, kode: str) -> OpdRow | None:
    return s.scalar(select(OpdRow).where(OpdRow.kode_pemda == kode_pemda, OpdRow.kode == kode))


def _opd_row(s: Session, kode_pemda: str, kode: str) -> OpdRow:
    row = find_opd_row(s, kode_pemda, kode)
    if row is None:
        known = s.scalars(select(OpdRow.kode).where(OpdRow.kode_pemda == kode_pemda).limit(1000))
        raise NotFoundError("opd", opd_key(kode_pemda, kode), [opd_key(kode_pemda, k) for k in known])
    return row


def get_opd(s: Session, kode_pemda: str, kode: str) -> Opd:
    return opd_from_row(_opd_row(s, kode_pemda, kode))


def list_opd(s: Session, *, kode_pemda: str | None = None, q: str | None = None, limit: int | None = None,
             cursor: str | None = None) -> Page[Opd]:
    limit = pagination.clamp(limit)
    stmt = select(OpdRow)
    if kode_pemda:
        stmt = stmt.where(OpdRow.kode_pemda == kode_pemda)
    if q:
        pattern = like(q)
        stmt = stmt.where(or_(OpdRow.name.ilike(pattern, escape="\\"), OpdRow.short_name.ilike(pattern, escape="\\"),
                              OpdRow.kode.like(pattern, escape="\\")))
    rows = list(s.scalars(pagination.keyset(stmt, "id", OpdRow.id, OpdRow.id, cursor, limit)))
    rows, nxt = pagination.trim(rows, limit, "id", OpdRow.id, OpdRow.id)
    return Page[Opd](items=[opd_from_row(r) for r in rows], next_cursor=nxt)


def create_opd(s: Session, data: OpdIn, actor: str) -> Opd:
    if s.get(PemdaRow, data.kode_pemda) is None:
        raise InvalidReference([missing_ref("kode_pemda", "pemda", data.kode_pemda)])
    if find_opd_row(s, data.kode_pemda, data.kode) is not None:
        raise AlreadyExists("opd", opd_key(data.kode_pemda, data.kode))
    now = utcnow()
    row = OpdRow(kode_pemda=data.kode_pemda, kode=data.kode, name=data.name, short_name=data.short_name,
                 created_at=now, updated_at=now, created_by=actor, updated_by=actor)
    s.add(row)
    s.flush()
    record(s, "opd", opd_key(data.kode_pemda, data.kode), "create", actor, diff(None, flat_of(data)))
    return opd_from_row(row)


def update_opd(s: Session, kode_pemda: str, kode: str, data: OpdIn, actor: str,
               expected_version: int | None = None) -> Opd:
    row = _opd_row(s, kode_pemda, kode)
    key = opd_key(kode_pemda, kode)
    check_version("opd", key, row.version, expected_version)
    bad = [immutable(f) for f, v in (("kode_pemda", kode_pemda), ("kode", kode)) if getattr(data, f) != v]
    if bad:
        raise InvalidReference(bad)
    changes = diff(flat_of(input_of(opd_from_row(row))), flat_of(data))
    if changes:
        row.name, row.short_name = data.name, data.short_name
        row.updated_at, row.updated_by = utcnow(), actor
        flush_or_stale(s, "opd", key, row.version)
        record(s, "opd", key, "update", actor, changes)
    return opd_from_row(row)


def delete_opd(s: Session, kode_pemda: str, kode: str, actor: str, expected_version: int | None = None) -> None:
    row = _opd_row(s, kode_pemda, kode)
    key = opd_key(kode_pemda, kode)
    check_version("opd", key, row.version, expected_version)
    count = s.scalar(select(func.count()).select_from(ApplicationRow).where(ApplicationRow.opd_id == row.id)) or 0
    if count:
        raise InUse("opd", key, "applications", count)
    s.delete(row)
    flush_or_stale(s, "opd", key, row.version)
    record(s, "opd", key, "delete", actor, [])


def save_opd(s: Session, data: OpdIn, actor: str) -> str:
    row = find_opd_row(s, data.kode_pemda, data.kode)
    if row is None:
        create_opd(s, data, actor)
        return "created"
    before = row.version
    return "updated" if update_opd(s, data.kode_pemda, data.kode, data, actor).revision != before else "unchanged"


def save_orgs(s: Session, pemdas: list[PemdaIn], opds: list[OpdIn], actor: str, action: str = "import",
              ) -> dict[str, dict[str, int]]:
    """Create or update many Pemda and OPD at once (imports); unchanged ones are not touched."""
    counts = {e: {"created": 0, "updated": 0, "unchanged": 0} for e in ("pemda", "opd")}
    now = utcnow()
    entries: list[dict[str, object]] = []
    stored_pemda = {r.kode: r for r in s.scalars(select(PemdaRow))} if pemdas else {}
    for p in pemdas:
        row = stored_pemda.get(p.kode)
        if row is None:
            s.add(PemdaRow(kode=p.kode, name=p.name, level=p.level, created_at=now, updated_at=now,
                           created_by=actor, updated_by=actor))
            entries.append({"entity": "pemda", "entity_id": p.kode, "action": action, "actor": actor,
                            "changes": diff(None, flat_of(p))})
            counts["pemda"]["created"] += 1
            continue
        changes = diff(flat_of(input_of(pemda_from_row(row))), flat_of(p))
        if changes:
            row.name, row.level, row.updated_at, row.updated_by = p.name, p.level, now, actor
            entries.append({"entity": "pemda", "entity_id": p.kode, "action": action, "actor": actor,
                            "changes": changes})
        counts["pemda"]["updated" if changes else "unchanged"] += 1
    s.flush()
    stored_opd = {(r.kode_pemda, r.kode): r for r in s.scalars(select(OpdRow))} if opds else {}
    new_rows = []
    for o in opds:
        row = stored_opd.get((o.kode_pemda, o.kode))
        key = opd_key(o.kode_pemda, o.kode)
        if row is None:
            new_rows.append({"kode_pemda": o.kode_pemda, "kode": o.kode, "name": o.name, "short_name": o.short_name,
                             "created_at": now, "updated_at": now, "created_by": actor, "updated_by": actor,
                             "version": 1})
            entries.append({"entity": "opd", "entity_id": key, "action": action, "actor": actor,
                            "changes": diff(None, flat_of(o))})
            counts["opd"]["created"] += 1
            continue
        changes = diff(flat_of(input_of(opd_from_row(row))), flat_of(o))
        if changes:
            row.name, row.short_name, row.updated_at, row.updated_by = o.name, o.short_name, now, actor
            entries.append({"entity": "opd", "entity_id": key, "action": action, "actor": actor, "changes": changes})
        counts["opd"]["updated" if changes else "unchanged"] += 1
    if new_rows:
        s.execute(OpdRow.__table__.insert(), new_rows)
    s.flush()
    record_many(s, entries)
    return counts


def plan_orgs(s: Session, pemdas: list[PemdaIn], opds: list[OpdIn]) -> dict[str, dict[str, int]]:
    """What :func:`save_orgs` would do, without writing."""
    counts = {e: {"created": 0, "updated": 0, "unchanged": 0} for e in ("pemda", "opd")}
    stored_pemda = {r.kode: r for r in s.scalars(select(PemdaRow))} if pemdas else {}
    for p in pemdas:
        row = stored_pemda.get(p.kode)
        outcome = "created" if row is None else (
            "updated" if diff(flat_of(input_of(pemda_from_row(row))), flat_of(p)) else "unchanged")
        counts["pemda"][outcome] += 1
    stored_opd = {(r.kode_pemda, r.kode): r for r in s.scalars(select(OpdRow))} if opds else {}
    for o in opds:
        row = stored_opd.get((o.kode_pemda, o.kode))
        outcome = "created" if row is None else (
            "updated" if diff(flat_of(input_of(opd_from_row(row))), flat_of(o)) else "unchanged")
        counts["opd"][outcome] += 1
    return counts


# --- helpers -------------------------------------------------------------------------------------------------


def flush_or_stale(s: Session, kind: str, key: str, version: int) -> None:
    try:
        s.flush()
    except StaleDataError as exc:  # someone else wrote between our read and our write
        raise StaleVersion(kind, key, version, version + 1) from exc


def immutable(field: str) -> FieldError:
    return FieldError(field=field, code="registry_immutable", message=f"{field} cannot be changed",
                      params={"field": field})


def missing_ref(field: str, kind: str, key: str) -> FieldError:
    return FieldError(field=field, code="registry_unknown_reference", message=f"{kind} {key!r} does not exist",
                      params={"kind": kind, "key": key})
