"""Import a registry file: every bad row reported (row, column, message); nothing stored unless all rows are
valid; re-importing the same file changes nothing (unchanged records are not written)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry import header as registry_header
from registry import repository as repo
from registry.convert import application_from_row, diff, flat_python
from registry.errors import FieldError, field_errors_from_pydantic
from registry.io.formats import Batch, RawRecord
from registry.models import ApplicationIn, OpdIn, PemdaIn
from registry.orgs import plan_orgs, save_orgs
from registry.tables import ApplicationRow, OpdRow, PemdaRow

MODELS: dict[str, type[Any]] = {"pemda": PemdaIn, "opd": OpdIn, "applications": ApplicationIn}


@dataclass
class ImportReport:
    dry_run: bool
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {
        e: {"created": 0, "updated": 0, "unchanged": 0} for e in MODELS})
    errors: list[FieldError] = field(default_factory=list)
    rows: int = 0

    @property
    def valid(self) -> bool:
        return not self.errors


@dataclass
class Scope:
    """What the importing key may touch: None = everything (admin, CLI); an OPD = its applications only."""

    kode_pemda: str | None = None
    kode_opd: str | None = None

    @property
    def restricted(self) -> bool:
        return self.kode_opd is not None


def _key(entity: str, obj: Any) -> tuple[str, ...]:
    if entity == "pemda":
        return (obj.kode,)
    if entity == "opd":
        return (obj.kode_pemda, obj.kode)
    return (obj.id,)


def _err(rec: RawRecord, field_name: str, code: str, message: str, **params: Any) -> FieldError:
    return FieldError(field=field_name, code=code, message=message, params=params, row=rec.row, sheet=rec.sheet)


def _raw_key(rec: RawRecord) -> tuple[str, ...] | None:
    d = rec.data
    keys = {"pemda": ("kode",), "opd": ("kode_pemda", "kode"), "applications": ("id",)}[rec.entity]
    values = tuple(str(d.get(k)).strip().lower() if isinstance(d.get(k), str | int | float) else "" for k in keys)
    return values if all(values) else None


def validate(s: Session, batch: Batch, scope: Scope | None = None) -> tuple[dict[str, list[Any]], list[FieldError]]:
    """Typed records per entity and every error found (parse, field, duplicate, reference, permission)."""
    scope = scope or Scope()
    errors: list[FieldError] = list(batch.errors)
    typed: dict[str, list[Any]] = {e: [] for e in MODELS}
    seen: dict[tuple[str, tuple[str, ...]], int] = {}
    untyped: list[RawRecord] = []
    for rec in batch.records:
        errors.extend(rec.errors)
        raw_key = _raw_key(rec)
        if raw_key is not None:
            if (rec.entity, raw_key) in seen:
                errors.append(_err(rec, "id" if rec.entity == "applications" else "kode", "registry_duplicate_row",
                                   f"same record as row {seen[(rec.entity, raw_key)]}",
                                   other=seen[(rec.entity, raw_key)]))
                continue
            seen[(rec.entity, raw_key)] = rec.row
        if scope.restricted and rec.entity != "applications":
            errors.append(_err(rec, "", "registry_row_forbidden_org",
                               "an OPD key may import applications only, not pemda/opd rows"))
            continue
        try:
            obj = MODELS[rec.entity].model_validate(rec.data)
        except ValidationError as exc:
            for e in field_errors_from_pydantic(exc):
                e.row, e.sheet = rec.row, rec.sheet
                errors.append(e)
            untyped.append(rec)
            continue
        if rec.errors:
            untyped.append(rec)
            continue
        typed[rec.entity].append((rec, obj))
    if scope.restricted and registry_header.PROBE_ALLOW in batch.header:
        errors.append(FieldError(field=registry_header.PROBE_ALLOW, code="registry_probe_allow_forbidden",
                                 message="only an unrestricted (admin) import may set probe_allow"))
    errors.extend(_check_references(s, typed, untyped, errors, scope))
    return {e: [obj for _rec, obj in items] for e, items in typed.items()}, errors


class _Ref:
    """The reference fields of a row that failed validation, when they themselves are fine."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.id = str(data.get("id") or "")
        self.kode_pemda = str(data.get("kode_pemda") or "")
        self.kode_opd = str(data.get("kode_opd") or "")


def _check_references(s: Session, typed: dict[str, list[Any]], untyped: list[RawRecord],
                      found: list[FieldError], scope: Scope) -> list[FieldError]:
    errors: list[FieldError] = []
    pemda = set(s.scalars(select(PemdaRow.kode))) | {o.kode for _r, o in typed["pemda"]}
    opd = {(p, k) for p, k in s.execute(select(OpdRow.kode_pemda, OpdRow.kode))}
    opd |= {(o.kode_pemda, o.kode) for _r, o in typed["opd"]}
    for rec, o in typed["opd"]:
        if o.kode_pemda not in pemda:
            errors.append(_err(rec, "kode_pemda", "registry_unknown_reference",
                               f"pemda {o.kode_pemda!r} does not exist", kind="pemda", key=o.kode_pemda))
    bad_cells = {(e.sheet, e.row, e.field) for e in found}
    apps: list[tuple[RawRecord, Any]] = list(typed["applications"])
    apps += [(rec, _Ref(rec.data)) for rec in untyped if rec.entity == "applications"
             and not {(rec.sheet, rec.row, "kode_pemda"), (rec.sheet, rec.row, "kode_opd")} & bad_cells]
    owners = _owners(s, [a.id for _r, a in apps if a.id]) if scope.restricted else {}
    for rec, a in apps:
        if not (a.kode_pemda and a.kode_opd):
            continue
        if a.kode_pemda not in pemda:
            errors.append(_err(rec, "kode_pemda", "registry_unknown_reference",
                               f"pemda {a.kode_pemda!r} does not exist", kind="pemda", key=a.kode_pemda))
        elif (a.kode_pemda, a.kode_opd) not in opd:
            key = f"{a.kode_pemda}/{a.kode_opd}"
            errors.append(_err(rec, "kode_opd", "registry_unknown_reference", f"opd {key!r} does not exist",
                               kind="opd", key=key))
        if scope.restricted:
            own = (scope.kode_pemda, scope.kode_opd)
            stored = owners.get(a.id)
            if (a.kode_pemda, a.kode_opd) != own or (stored is not None and stored != own):
                errors.append(_err(rec, "kode_opd", "registry_row_forbidden_opd",
                                   f"belongs to another OPD; this key manages only {own[1]}", opd=own[1]))
    return errors


def _owners(s: Session, ids: list[str]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for start in range(0, len(ids), 500):
        rows = s.execute(select(ApplicationRow.id, ApplicationRow.kode_pemda, OpdRow.kode)
                         .join(OpdRow, OpdRow.id == ApplicationRow.opd_id)
                         .where(ApplicationRow.id.in_(ids[start:start + 500])))
        out.update({r[0]: (r[1], r[2]) for r in rows})
    return out


def plan(s: Session, typed: dict[str, list[Any]]) -> dict[str, dict[str, int]]:
    """What an import would do, without writing (dry run)."""
    counts = {"applications": {"created": 0, "updated": 0, "unchanged": 0},
              **plan_orgs(s, typed["pemda"], typed["opd"])}
    apps = typed["applications"]
    for start in range(0, len(apps), 500):
        part = apps[start:start + 500]
        stored = {a.id: a for a in _stored_apps(s, [a.id for a in part])}
        for a in part:
            old = stored.get(a.id)
            outcome = "created" if old is None else ("updated" if diff(flat_python(old), flat_python(a))
                                                     else "unchanged")
            counts["applications"][outcome] += 1
    return counts


def _stored_apps(s: Session, ids: list[str]) -> list[Any]:
    return [application_from_row(r) for r in s.scalars(select(ApplicationRow).where(ApplicationRow.id.in_(ids)))]


def import_batch(s: Session, batch: Batch, actor: str, *, dry_run: bool = False,
                 scope: Scope | None = None) -> ImportReport:
    """Validate everything first; write only when there is no error and it is not a dry run."""
    report = ImportReport(dry_run=dry_run, rows=len(batch.records))
    typed, errors = validate(s, batch, scope)
    report.errors = sorted(errors, key=lambda e: (e.sheet or "", e.row or 0, e.field))
    if errors or dry_run:
        if not errors:
            report.counts = plan(s, typed)
        return report
    report.counts.update(save_orgs(s, typed["pemda"], typed["opd"], actor))
    report.counts["applications"] = repo.save_applications(s, typed["applications"], actor)
    if registry_header.PROBE_ALLOW in batch.header:  # absent: unchanged; [] clears it
        outcome = registry_header.set_setting(s, registry_header.PROBE_ALLOW,
                                              batch.header[registry_header.PROBE_ALLOW], actor)
        report.counts[registry_header.PROBE_ALLOW] = {"created": 0, "updated": 0, "unchanged": 0, outcome: 1}
    return report
