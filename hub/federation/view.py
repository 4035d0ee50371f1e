"""What the province reads from its copies: each member's freshness, the comparison across Pemdas and the province
inventory (hub/inventory over the union of every member's copy).

A member whose last pull failed is never dropped: its last copy counts, marked with its age ("data dari 3 hari
lalu"). A member never pulled has no copy and is listed as such.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from babel.dates import format_timedelta
from pydantic import BaseModel, Field
from sqlalchemy import select

from hub.assessment.models import STANDARDS, AssessmentRun
from hub.i18n import t
from hub.inventory import build_inventory, load_readiness
from hub.inventory.models import Inventory, PemdaRef
from registry.convert import aware
from registry.db import Database
from registry.models import Application, Opd, Pemda, PemdaIn
from registry.tables_federation import (
    FederationApplicationRow,
    FederationMemberRow,
    FederationOpdRow,
    FederationRunRow,
)

LEVELS = ("1", "2", "3", "4", "5")


class StandardLine(BaseModel):
    measured: int = Field(description="Applications with a score for this standard")
    meets: int = Field(description="Of those, how many reach the readiness threshold (readiness.yaml)")
    mean: float | None = Field(description="Mean score 0-100 of the measured applications")


class PemdaRow(BaseModel):
    kode_pemda: str
    name: str
    status: str = Field(description="ok | failed (showing the last copy) | never (no copy yet)")
    fetched_at: datetime | None
    age_s: float | None = Field(description="Seconds since the copy was taken")
    age: str = Field(description='e.g. "data dari 3 hari lalu"')
    error: str | None = Field(default=None, description="Why the last pull failed, in the requested language")
    applications: int
    active: int = Field(description="Applications in production")
    measured: int = Field(description="Applications with a stored, measured assessment run")
    interoperable: int
    levels: dict[str, int] = Field(description="Measured applications per SPBE service level 1-5")
    standards: dict[str, StandardLine]
    open_gaps: int = Field(description="Gaps of the Pemda's own inventory (Tabel II.11)")


class Comparison(BaseModel):
    generated_at: datetime
    thresholds: dict[str, float]
    rows: list[PemdaRow]
    total: PemdaRow = Field(description="The province: every member's copy together")


class Copy(BaseModel):
    member: dict[str, Any]
    pemda: Pemda | None
    opds: list[Opd]
    apps: list[Application]
    runs: dict[str, AssessmentRun]


def age_text(fetched_at: datetime | None, lang: str, now: datetime) -> str:
    if fetched_at is None:
        return t("federation.age.never", lang)
    delta = max(now - fetched_at, timedelta(0))
    if delta < timedelta(minutes=1):
        return t("federation.age.now", lang)
    return t("federation.age.ago", lang, age=format_timedelta(delta, locale="en" if lang == "en" else "id"))


def load_copies(db: Database) -> list[Copy]:
    with db.session() as s:
        members = list(s.scalars(select(FederationMemberRow).order_by(FederationMemberRow.kode_pemda)))
        copies = []
        for m in members:
            def rows(table: Any, kode: str = m.kode_pemda) -> list[Any]:
                return list(s.scalars(select(table).where(table.kode_pemda == kode)))

            copies.append(Copy(
                member={"kode_pemda": m.kode_pemda, "name": m.name, "status": m.last_status,
                        "fetched_at": aware(m.fetched_at) if m.fetched_at else None, "error": m.last_error},
                pemda=Pemda.model_validate(m.pemda) if m.pemda else None,
                opds=[Opd.model_validate(r.data) for r in rows(FederationOpdRow)],
                apps=[Application.model_validate(r.data) for r in rows(FederationApplicationRow)],
                runs={r.app_id: AssessmentRun.model_validate(r.result) for r in rows(FederationRunRow)}))
        return copies


def _row(kode: str, name: str, inv: Inventory, member: dict[str, Any] | None, lang: str,
         now: datetime) -> PemdaRow:
    measured = [a for a in inv.applications if a.assessed]
    levels = dict.fromkeys(LEVELS, 0)
    for line in measured:
        if line.level is not None and str(line.level) in levels:
            levels[str(line.level)] += 1
    standards = {}
    for std in STANDARDS:
        scores = [a.scores.get(std) for a in measured if a.scores.get(std) is not None]
        threshold = inv.thresholds.get(std)
        standards[std] = StandardLine(
            measured=len(scores), meets=sum(1 for v in scores if threshold is not None and v >= threshold),
            mean=round(sum(scores) / len(scores), 1) if scores else None)  # type: ignore[arg-type]
    fetched = member["fetched_at"] if member else None
    error = None
    if member and member["status"] == "failed" and member["error"]:
        error = member["error"].get(lang) or member["error"].get("id")
    return PemdaRow(kode_pemda=kode, name=name, status=member["status"] if member else "ok", fetched_at=fetched,
                    age_s=(now - fetched).total_seconds() if fetched else None,
                    age=age_text(fetched, lang, now) if member else "", error=error,
                    applications=inv.totals.registered, active=inv.totals.production,
                    measured=inv.totals.assessed, interoperable=inv.totals.interoperable, levels=levels,
                    standards=standards, open_gaps=inv.totals.gaps)


def _pemda_in(copy: Copy) -> PemdaIn:
    if copy.pemda is not None:
        return copy.pemda
    level = "kota" if int(copy.member["kode_pemda"].split(".")[1]) >= 71 else "kabupaten"
    return PemdaIn(kode=copy.member["kode_pemda"], name=copy.member["name"], level=level)


def comparison(copies: list[Copy], lang: str = "id", *, now: datetime | None = None,
               as_of: date | None = None) -> Comparison:
    """One row per member (its own inventory over its copy) and a province row over the union."""
    now = now or datetime.now(UTC)
    rows = []
    for copy in copies:
        inv = build_inventory(_pemda_in(copy), copy.opds, copy.apps, copy.runs, lang, as_of=as_of)
        rows.append(_row(copy.member["kode_pemda"], copy.member["name"], inv, copy.member, lang, now))
    union = province_inventory(copies, None, lang, as_of=as_of)
    total = _row("", t("federation.province", lang), union, None, lang, now)
    return Comparison(generated_at=now, thresholds=dict(load_readiness().standard_min), rows=rows, total=total)


def province_inventory(copies: list[Copy], province: PemdaIn | None, lang: str = "id", *,
                       as_of: date | None = None) -> Inventory:
    """The inventory over every member's copy. Application ids become ``<kode_pemda>/<id>`` and OPD codes
    ``<kode_pemda>/<kode>`` so that two kota's ``e-planning`` stay two applications; OPD names, and application
    names that do not say it already, carry the Pemda's name."""
    opds, apps, runs = [], [], {}
    for copy in copies:
        kode, label = copy.member["kode_pemda"], copy.member["name"]
        for o in copy.opds:
            opds.append(o.model_copy(update={"kode": f"{kode}/{o.kode}", "kode_pemda": kode,
                                             "short_name": f"{o.short_name or o.name} ({label})"}))
        for a in copy.apps:
            name = a.name if label.lower() in a.name.lower() else f"{a.name} ({label})"
            apps.append(a.model_copy(update={"id": f"{kode}/{a.id}", "kode_opd": f"{kode}/{a.kode_opd}",
                                             "name": name}))
            if a.id in copy.runs:
                runs[f"{kode}/{a.id}"] = copy.runs[a.id]
    inv = build_inventory(None, opds, apps, runs, lang, as_of=as_of)
    if province is not None:
        inv = inv.model_copy(update={"pemda": PemdaRef(kode=province.kode, name=province.name,
                                                       level=province.level)})
    return inv
