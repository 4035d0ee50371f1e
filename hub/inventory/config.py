"""The inventory's rules as data: readiness (``readiness.yaml``), gap kinds (``gaps.yaml``), roadmap weights and
schedule (``weights.yaml``) and the works they cite (``sources.yaml``). Each file is validated into a pydantic model
when read; a broken file raises :class:`InventoryConfigError` naming every problem. The unit costs of the roadmap
are in ``costs.yaml`` (:mod:`hub.inventory.costs`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from hub.assessment.models import STANDARDS, Text

HERE = Path(__file__).parent
READINESS_PATH = HERE / "readiness.yaml"
GAPS_PATH = HERE / "gaps.yaml"
WEIGHTS_PATH = HERE / "weights.yaml"
SOURCES_PATH = HERE / "sources.yaml"

Outcome = Literal["baik", "sedang", "buruk"]
Horizon = Literal["short", "medium", "long"]
Responsible = Literal["owner", "area_lead", "coordinator"]
OUTCOMES: tuple[Outcome, ...] = ("baik", "sedang", "buruk")
HORIZONS: tuple[Horizon, ...] = ("short", "medium", "long")
METRICS = ("registered", "active", "production", "assessed", "interoperable", "interoperable_pct")


class InventoryConfigError(ValueError):
    """A rules file of the inventory breaks its shape."""


def as_text(value: Any) -> Any:
    """A plain string stands for the same text in both languages."""
    return {"id": value, "en": value} if isinstance(value, str) else value


class Source(BaseModel):
    short: Text
    full: Text

    @field_validator("short", "full", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return as_text(value)


class SourceCatalog(BaseModel):
    version: str
    sources: dict[str, Source]


class SourceRef(BaseModel):
    """A citation: the key of a work in ``sources.yaml`` and where in it (table, section, page); or, for a
    Pemda's own figures, the citation written out in ``text`` (e.g. its unit price standard)."""

    ref: str = ""
    at: Text | None = None
    text: Text | None = None

    @field_validator("at", "text", mode="before")
    @classmethod
    def _at(cls, value: Any) -> Any:
        return as_text(value)

    @model_validator(mode="after")
    def _cited(self) -> SourceRef:
        if not self.ref and self.text is None:
            raise ValueError("a source needs 'ref' (a key of sources.yaml) or 'text' (the citation written out)")
        return self

    @property
    def listed(self) -> bool:
        """Whether the citation refers to sources.yaml (rather than being written out)."""
        return self.text is None


class ReadinessRule(BaseModel):
    id: str
    outcome: Outcome
    when: dict[str, float] = Field(default_factory=dict)
    text: Text

    @field_validator("when")
    @classmethod
    def _known_metrics(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(METRICS))
        if unknown:
            raise ValueError(f"unknown metric(s) {unknown}; known: {list(METRICS)}")
        return value

    def holds(self, metrics: dict[str, float]) -> bool:
        return all(metrics.get(name, 0) >= minimum for name, minimum in self.when.items())


class RuleGroup(BaseModel):
    component: Text
    rules: list[ReadinessRule]

    @model_validator(mode="after")
    def _last_rule_always_holds(self) -> RuleGroup:
        if not self.rules or self.rules[-1].when:
            raise ValueError("the last rule of a group must have no conditions (it decides when nothing else does)")
        return self

    def decide(self, metrics: dict[str, float]) -> ReadinessRule:
        return next(rule for rule in self.rules if rule.holds(metrics))


class ReadinessConfig(BaseModel):
    version: str
    standard_min: dict[str, float]
    interoperable_requires: list[str]
    item_8: RuleGroup
    areas: RuleGroup
    area_leads: dict[str, list[str]] = Field(default_factory=dict)
    coordinator: list[str] = Field(default_factory=list)
    coordinator_fallback: Text

    @model_validator(mode="after")
    def _standards(self) -> ReadinessConfig:
        unknown = sorted((set(self.standard_min) | set(self.interoperable_requires)) - set(STANDARDS))
        if unknown:
            raise ValueError(f"unknown standard(s) {unknown}; known: {list(STANDARDS)}")
        missing = [s for s in self.interoperable_requires if s not in self.standard_min]
        if missing:
            raise ValueError(f"interoperable_requires names standards without a standard_min: {missing}")
        return self

    def placeholders(self) -> dict[str, Any]:
        return {f"{k}_min": _num(v) for k, v in self.standard_min.items()}


class GapKind(BaseModel):
    id: str = Field(pattern=r"^GAP-\d{3}$")
    detector: str
    title: Text
    description: Text
    to_be: Text
    as_is: Text
    action: Text
    program: Text
    kpi_what: Text
    impact: int = Field(ge=1, le=5)
    urgency: int = Field(ge=1, le=5)
    effort: int = Field(ge=1, le=5)
    horizon: Horizon
    responsible: Responsible
    params: dict[str, Any] = Field(default_factory=dict)
    sources: list[SourceRef] = Field(default_factory=list)


class GapCatalog(BaseModel):
    version: str
    kinds: list[GapKind]

    @model_validator(mode="after")
    def _unique(self) -> GapCatalog:
        ids = [k.id for k in self.kinds]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"gap kind id used twice: {dupes}")
        known = load_sources().sources
        unknown = sorted({s.ref for k in self.kinds for s in k.sources if s.listed} - set(known))
        if unknown:
            raise ValueError(f"unknown source(s) {unknown}; add them to sources.yaml (known: {sorted(known)})")
        return self

    def get(self, kind_id: str) -> GapKind:
        return next(k for k in self.kinds if k.id == kind_id)


class QuickWinRule(BaseModel):
    min_impact: int = Field(default=4, ge=1, le=5)
    max_effort: int = Field(default=2, ge=1, le=5)
    horizons: list[Horizon] = Field(default_factory=lambda: ["short"])


class FactorOverride(BaseModel):
    impact: int | None = Field(default=None, ge=1, le=5)
    urgency: int | None = Field(default=None, ge=1, le=5)
    effort: int | None = Field(default=None, ge=1, le=5)
    horizon: Horizon | None = None


class ScheduleRule(BaseModel):
    """How the roadmap is laid out per year and quarter (see weights.yaml, ``schedule``)."""

    first_year_offset: int = Field(default=1, ge=0, le=2, description="year 1 = reference year + this")
    windows: dict[Horizon, tuple[int, int]] = Field(default_factory=dict,
                                                    description="first and last plan year of each horizon")
    quarters_by_effort: dict[int, int] = Field(default_factory=lambda: {1: 1, 2: 2, 3: 3, 4: 4, 5: 6})
    apps_per_extra_quarter: int = Field(default=3, ge=1)
    max_parallel_per_opd: int = Field(default=2, ge=1, le=20)

    @field_validator("quarters_by_effort")
    @classmethod
    def _every_effort(cls, value: dict[int, int]) -> dict[int, int]:
        missing = [e for e in range(1, 6) if e not in value]
        if missing or any(q < 1 or q > 40 for q in value.values()):
            raise ValueError("quarters_by_effort needs efforts 1-5, each 1-40 quarters")
        return value

    def window(self, horizon: str, horizons: dict[str, int]) -> tuple[int, int]:
        """Plan years (1-based) a program of ``horizon`` may run in: by default the years after the shorter
        horizon up to its own length (short: 1-1, medium: 2-5, long: 6-10)."""
        if horizon in self.windows:
            return self.windows[horizon]  # type: ignore[index]
        order = ["short", "medium", "long"]
        before = [horizons[h] for h in order[:order.index(horizon)] if h in horizons]
        end = horizons.get(horizon, 1)
        start = min(max(before, default=0) + 1, end)
        return start, end


class PriorityWeights(BaseModel):
    """Exponents of the priority formula, the quick-win rule, the horizon lengths, per-kind overrides and the
    yearly schedule."""

    impact: float = Field(default=1.0, ge=0, le=5)
    urgency: float = Field(default=1.0, ge=0, le=5)
    effort: float = Field(default=1.0, ge=0, le=5)
    quick_win: QuickWinRule = Field(default_factory=QuickWinRule)
    horizons: dict[Horizon, int] = Field(default_factory=lambda: {"short": 1, "medium": 5, "long": 10})
    factors: dict[str, FactorOverride] = Field(default_factory=dict)
    schedule: ScheduleRule = Field(default_factory=ScheduleRule)

    @model_validator(mode="after")
    def _windows_within_horizons(self) -> PriorityWeights:
        for horizon, (first, last) in self.schedule.windows.items():
            if not 1 <= first <= last <= self.horizons.get(horizon, 10):
                raise ValueError(f"schedule.windows.{horizon}: years {first}-{last} must lie within 1-"
                                 f"{self.horizons.get(horizon, 10)} (the horizon's length)")
        return self

    @classmethod
    def from_yaml_data(cls, data: dict[str, Any]) -> PriorityWeights:
        flat = dict(data.get("weights") or {})
        for key in ("quick_win", "horizons", "factors", "schedule"):
            if data.get(key) is not None:
                flat[key] = data[key]
        return cls.model_validate(flat)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def _validated(model: type[BaseModel], data: Any, name: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InventoryConfigError(f"{name}: {problems}") from exc


def parse_readiness(data: dict[str, Any]) -> ReadinessConfig:
    return _validated(ReadinessConfig, data, "readiness.yaml")


def parse_gaps(data: dict[str, Any]) -> GapCatalog:
    return _validated(GapCatalog, data, "gaps.yaml")


def parse_weights(data: dict[str, Any]) -> PriorityWeights:
    try:
        return PriorityWeights.from_yaml_data(data)
    except ValidationError as exc:
        raise InventoryConfigError(f"weights: {exc}") from exc


@lru_cache
def load_sources() -> SourceCatalog:
    return _validated(SourceCatalog, _read(SOURCES_PATH), "sources.yaml")


def cite(refs: list[SourceRef]) -> Text:
    """The short citations of ``refs``: 'Panduan Masterplan Smart City (Kemkominfo, 2017), Tabel II.3; …'."""
    known = load_sources().sources

    def one(ref: SourceRef, lang: str) -> str:
        short = ref.text.get(lang) if ref.text is not None else known[ref.ref].short.get(lang)
        return f"{short}, {ref.at.get(lang)}" if ref.at else short

    return Text(id="; ".join(one(r, "id") for r in refs), en="; ".join(one(r, "en") for r in refs))


@lru_cache
def load_readiness() -> ReadinessConfig:
    return parse_readiness(_read(READINESS_PATH))


@lru_cache
def load_gaps() -> GapCatalog:
    return parse_gaps(_read(GAPS_PATH))


def load_weights(path: str | Path | None = None) -> PriorityWeights:
    """Weights from ``path`` (a YAML file shaped like ``weights.yaml``) or the shipped defaults."""
    return parse_weights(_read(Path(path))) if path else _default_weights()


@lru_cache
def _default_weights() -> PriorityWeights:
    return parse_weights(_read(WEIGHTS_PATH))


def resolve_weights(weights: PriorityWeights | dict[str, Any] | str | Path | None) -> PriorityWeights:
    """Accept a model, a dict shaped like weights.yaml (or like the model), a YAML path, or None (defaults)."""
    if weights is None:
        return load_weights()
    if isinstance(weights, PriorityWeights):
        return weights
    if isinstance(weights, str | Path):
        return load_weights(weights)
    if "weights" in weights:
        return parse_weights(weights)
    try:
        return PriorityWeights.model_validate(weights)
    except ValidationError as exc:
        raise InventoryConfigError(f"weights: {exc}") from exc
