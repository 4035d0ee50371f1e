"""What the inventory produces (pydantic, JSON-serialisable): readiness lines, coverage, gaps with evidence,
the roadmap, the per-OPD summary, the score heatmap and the Monev worksheet.

Texts meant for people are :class:`~hub.assessment.models.Text` (``id`` and ``en``): one inventory renders in
either language. Every gap carries :class:`EvidenceRef` items naming the application, the registry fields and the
check results it was found from, so each row of every export can be traced back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from hub.assessment.models import Text
from hub.inventory.config import Horizon, Outcome

SCHEMA_VERSION = "1"


class PemdaRef(BaseModel):
    kode: str
    name: str
    level: str | None = None


class OpdRef(BaseModel):
    kode: str | None = Field(description="SIPD unit code; None when no OPD of the Pemda matched")
    name: str
    short_name: str | None = None

    @property
    def label(self) -> str:
        return self.short_name or self.name


class AppLine(BaseModel):
    """One application as the inventory sees it (registry fields + its latest run)."""

    app_id: str
    name: str
    status: str
    kind: str
    area: str
    other_areas: list[str] = Field(default_factory=list)
    kode_opd: str
    opd: str = Field(description="Short name (or name) of the owning OPD; the code when it is unknown")
    known_opd: bool = True
    run_id: str | None = None
    run_at: datetime | None = Field(default=None, description="when the latest run finished")
    scores: dict[str, float | None] = Field(default_factory=dict)
    overall: float | None = None
    level: int | None = None
    interoperable: bool | None = Field(default=None, description="None = not assessed")

    @property
    def assessed(self) -> bool:
        return self.run_id is not None


class OpdApps(BaseModel):
    kode_opd: str
    opd: str
    apps: list[str]


class AreaCoverage(BaseModel):
    area: str
    item: int | None
    label: Text
    opds: list[OpdApps]
    main_apps: list[str] = Field(description="applications whose main area this is")
    other_apps: list[str] = Field(description="applications serving it as another area")
    interoperable_apps: list[str]
    metrics: dict[str, float]


class ReadinessLine(BaseModel):
    """One line of the Tabel II.1 form: component, value/condition, interpretation and the rule that decided it."""

    item: int
    area: str | None = Field(description="None for item 8 (all systems)")
    component: Text
    condition: Text
    outcome: Outcome
    rule_id: str
    rule: Text
    metrics: dict[str, float]


class CheckRef(BaseModel):
    check_id: str
    status: str
    run_id: str


class EvidenceRef(BaseModel):
    """Where a gap was seen: an application, the registry fields (with their values) and check results."""

    app_id: str | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    checks: list[CheckRef] = Field(default_factory=list)
    scores: dict[str, float | None] = Field(default_factory=dict)
    run_id: str | None = None

    def ref(self) -> str:
        """Compact, stable reference: ``app=e-pajak; supplier.source_code_held=false; SCA-005=fail@run-1``."""
        parts = [f"app={self.app_id}"] if self.app_id else []
        parts += [f"{k}={_value(v)}" for k, v in self.fields.items()]
        parts += [f"{k}={'-' if v is None else _value(v)}" for k, v in self.scores.items()]
        parts += [f"{c.check_id}={c.status}@{c.run_id}" for c in self.checks]
        if self.run_id and not self.checks:
            parts.append(f"run={self.run_id}")
        return "; ".join(parts)


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "[" + ",".join(_value(v) for v in value) + "]"
    return str(value)


class Kpi(BaseModel):
    """The guide's Workplan & KPI: what, when, who."""

    what: Text
    when: Text
    who: Text


class Gap(BaseModel):
    id: str = Field(description="Stable: <kind>/<subject>, e.g. GAP-006/e-pajak")
    kind: str
    detector: str
    title: Text
    description: Text
    area: str | None = None
    app_ids: list[str] = Field(default_factory=list)
    kode_opd: list[str] = Field(default_factory=list)
    responsible: OpdRef
    to_be: Text
    as_is: Text
    action: Text
    kpi: Kpi
    impact: int
    urgency: int
    effort: int
    horizon: Horizon
    source: Text = Field(description="short citations of the works the kind of gap rests on")
    evidence: list[EvidenceRef]

    def evidence_refs(self) -> str:
        return " | ".join(e.ref() for e in self.evidence)


class Priority(BaseModel):
    impact: int
    urgency: int
    effort: int
    weights: dict[str, float]
    value: float
    formula: str = Field(description="the formula with this item's numbers, e.g. 4^1 × 4^1 ÷ 2^1 = 8")


class RoadmapItem(BaseModel):
    rank: int
    program_id: str = Field(description="PRG-<kind number>-<responsible>, stable between runs")
    kind: str
    program: Text
    to_be: Text | None = Field(default=None, description="Tabel II.11 future state of the program's gaps together")
    action: Text
    horizon: Horizon
    deadline_year: int
    quick_win: bool
    priority: Priority
    responsible: OpdRef
    gap_ids: list[str]
    app_ids: list[str]
    kpi: Kpi


class Roadmap(BaseModel):
    formula: Text
    weights: dict[str, float]
    quick_win_rule: Text
    horizons: dict[str, int]
    items: list[RoadmapItem]

    def by_horizon(self, horizon: str) -> list[RoadmapItem]:
        return [i for i in self.items if i.horizon == horizon]

    @property
    def quick_wins(self) -> list[RoadmapItem]:
        return [i for i in self.items if i.quick_win]


class Quarter(BaseModel):
    year: int
    quarter: int = Field(ge=1, le=4)

    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"


class ProgramSchedule(BaseModel):
    """When a roadmap program runs: from its first to its last quarter (both included)."""

    program_id: str
    start: Quarter
    end: Quarter
    quarters: int
    by_year: dict[int, list[int]] = Field(description="year -> the quarters (1-4) the program runs in that year")


class CostLine(BaseModel):
    rate: str
    label: Text
    unit: Text
    quantity: float = Field(description="volume of the whole program (per-application volumes multiplied)")
    unit_cost: int
    amount: int


class ProgramCost(BaseModel):
    program_id: str
    basis: Text = Field(description="how the cost was reckoned, in words")
    applications: int
    lines: list[CostLine]
    total: int
    by_year: dict[int, int]


class YearBudget(BaseModel):
    year: int
    programs: int = Field(description="programs running in that year")
    quick_wins: int
    cost: int
    cumulative: int


class OpdBudget(BaseModel):
    kode_opd: str | None
    opd: str
    programs: int
    by_year: dict[int, int]
    total: int


class RateUsed(BaseModel):
    key: str
    label: Text
    short: Text | None = None
    unit: Text
    unit_cost: int = Field(description="after the regional index")
    regional: bool
    source: Text


class VolumeUsed(BaseModel):
    kind: str
    per: str
    volume: dict[str, float]
    work: Text
    source: Text


class Plan(BaseModel):
    """The roadmap laid out per year and quarter, with an INDICATIVE cost per program (not a budget ceiling)."""

    indicative: bool = True
    currency: str = "IDR"
    cost_table: str = Field(description="version of the cost table, and the override file when one was used")
    regional_index: float
    first_year: int
    years: list[int]
    windows: dict[str, tuple[int, int]] = Field(description="plan years (1-based) each horizon's programs run in")
    max_parallel_per_opd: int
    schedule: list[ProgramSchedule]
    costs: list[ProgramCost]
    per_year: list[YearBudget]
    per_opd: list[OpdBudget]
    total: int
    rates: list[RateUsed]
    volumes: list[VolumeUsed]

    def schedule_of(self, program_id: str) -> ProgramSchedule:
        return next(s for s in self.schedule if s.program_id == program_id)

    def cost_of(self, program_id: str) -> ProgramCost:
        return next(c for c in self.costs if c.program_id == program_id)


class OpdSummary(BaseModel):
    kode_opd: str
    opd: str
    apps: int
    production: int
    assessed: int
    interoperable: int
    gaps: int
    mean_score: float | None = Field(description="mean overall score of its assessed applications")


class HeatRow(BaseModel):
    app_id: str
    name: str
    opd: str
    status: str
    scores: dict[str, float | None]
    overall: float | None
    level: int | None
    run_id: str | None


class ScoreMove(BaseModel):
    app_id: str
    standard: str
    before: float | None
    after: float | None
    delta: float | None
    threshold: float
    crossed: str | None = Field(default=None, description="up: now meets the threshold; down: no longer")


class CheckChange(BaseModel):
    app_id: str
    check_id: str
    standard: str | None
    title: Text | None = None
    before: str | None
    after: str | None


class MonevEntry(BaseModel):
    app_id: str | None
    standard: str | None = None
    check_id: str | None = None
    text: Text


class MonevWorksheet(BaseModel):
    """The guide's quarterly worksheet: what works, what doesn't work, what should be improved."""

    schema_version: str = SCHEMA_VERSION
    generated_at: datetime
    label_a: str
    label_b: str
    apps_compared: list[str]
    apps_only_a: list[str] = Field(default_factory=list)
    apps_only_b: list[str] = Field(default_factory=list)
    works: list[MonevEntry]
    doesnt_work: list[MonevEntry]
    improve: list[MonevEntry]
    score_moves: list[ScoreMove]
    check_changes: list[CheckChange]
    thresholds: dict[str, float]
    not_measured: list[MonevEntry] = Field(default_factory=list, description="runs of the later period that "
                                           "measured nothing: not judged, listed with their reason")
    warnings: list[Text] = Field(default_factory=list, description="e.g. an empty earlier snapshot")


class NotMeasured(BaseModel):
    app_id: str
    reason: Text | None = None


class Totals(BaseModel):
    registered: int
    production: int
    active: int
    assessed: int = Field(description="applications whose latest run measured something")
    not_measured: list[NotMeasured] = Field(default_factory=list, description="applications whose latest run "
                                            "measured nothing ('belum diukur'), with the reason; not counted")
    interoperable: int
    by_status: dict[str, int]
    by_kind: dict[str, int]
    gaps: int
    gaps_by_kind: dict[str, int]
    quick_wins: int


class Inventory(BaseModel):
    schema_version: str = SCHEMA_VERSION
    generated_at: datetime
    as_of: date
    lang: str = "id"
    pemda: PemdaRef | None
    rules_version: str
    thresholds: dict[str, float]
    totals: Totals
    readiness: list[ReadinessLine]
    coverage: list[AreaCoverage]
    applications: list[AppLine]
    gaps: list[Gap]
    roadmap: Roadmap
    opd_summary: list[OpdSummary]
    heatmap: list[HeatRow]
    plan: Plan | None = None
    monev: MonevWorksheet | None = None

    def gap(self, gap_id: str) -> Gap:
        return next(g for g in self.gaps if g.id == gap_id)

    def gaps_of(self, kind: str) -> list[Gap]:
        return [g for g in self.gaps if g.kind == kind]
