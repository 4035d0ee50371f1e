"""The indicative cost of each roadmap program, from the cost table ``costs.yaml`` (data the Pemda can edit).

A program's cost = Σ over the rates of its kind: volume × unit cost (× the regional index for person rates), the
volume multiplied by the number of applications when the kind is costed ``per: application``; rounded to
``round_to`` rupiah. The Pemda's own table (``SIMPUL_COSTS_FILE`` or ``simpul inventory --costs FILE``) is merged
over the shipped one field by field (a program's ``volume`` is replaced whole). Every figure is INDICATIVE: a
size for the masterplan, not a budget ceiling.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, Field, field_validator, model_validator

from hub.assessment.models import Text
from hub.inventory import fmt
from hub.inventory.config import HERE, InventoryConfigError, SourceRef, _validated, as_text, cite, load_sources
from hub.inventory.models import CostLine, ProgramCost, RateUsed, RoadmapItem, VolumeUsed

COSTS_PATH = HERE / "costs.yaml"
ENV_OVERRIDE = "SIMPUL_COSTS_FILE"


class Rate(BaseModel):
    label: Text
    short: Text | None = Field(default=None, description="the name used inside a sentence, e.g. 'tenaga ahli'")
    unit: Text
    cost: int = Field(ge=0, description="rupiah per unit")
    regional: bool = False
    source: SourceRef

    @field_validator("label", "short", "unit", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return as_text(value)

    def name(self, lang: str) -> str:
        return (self.short or self.label).get(lang)


class ProgramRule(BaseModel):
    per: Literal["application", "program"] = "application"
    volume: dict[str, float] = Field(default_factory=dict)
    work: Text
    source: SourceRef

    @field_validator("work", mode="before")
    @classmethod
    def _texts(cls, value: Any) -> Any:
        return as_text(value)

    @field_validator("volume")
    @classmethod
    def _positive(cls, value: dict[str, float]) -> dict[str, float]:
        negative = sorted(k for k, v in value.items() if v < 0)
        if negative:
            raise ValueError(f"volumes cannot be negative: {negative}")
        return value


class CostTable(BaseModel):
    version: str
    currency: str = "IDR"
    regional_index: float = Field(default=1.0, gt=0, le=5)
    round_to: int = Field(default=1000, ge=1)
    rates: dict[str, Rate]
    programs: dict[str, ProgramRule]
    origin: str = Field(default="", description="the override file merged over the shipped table, if any")

    @model_validator(mode="after")
    def _known(self) -> CostTable:
        unknown = sorted({r for p in self.programs.values() for r in p.volume} - set(self.rates))
        if unknown:
            raise ValueError(f"programs use unknown rate(s) {unknown}; known: {sorted(self.rates)}")
        sources = load_sources().sources
        cited = [r.source for r in self.rates.values()] + [p.source for p in self.programs.values()]
        missing = sorted({c.ref for c in cited if c.listed} - set(sources))
        if missing:
            raise ValueError(f"unknown source(s) {missing}; cite a key of sources.yaml {sorted(sources)} or write "
                             f"the citation out as source: {{text: ...}}")
        return self

    def unit_cost(self, key: str) -> int:
        rate = self.rates[key]
        return round(rate.cost * (self.regional_index if rate.regional else 1.0))


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InventoryConfigError(f"{path}: {str(exc).splitlines()[0]}") from exc
    if not isinstance(data, dict):
        raise InventoryConfigError(f"{path}: the file must hold a mapping (version, rates, programs, ...)")
    return data


# replaced whole, never merged: {id, en} texts, and a program's volume (the Pemda states all of it)
WHOLE_KEYS = ("label", "short", "unit", "work", "at", "volume")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` on top of ``base``: mappings merged key by key (recursively), anything else replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key not in WHOLE_KEYS:
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def override_path() -> Path | None:
    raw = os.environ.get(ENV_OVERRIDE, "").strip()
    return Path(raw).expanduser() if raw else None


@lru_cache(maxsize=8)
def _load(override: str | None) -> CostTable:
    data = _read(COSTS_PATH)
    if override:
        data = _merge(data, _read(Path(override)))
        data["origin"] = override
    return _validated(CostTable, data, f"costs.yaml{' + ' + override if override else ''}")


def load_costs(path: str | Path | None = None) -> CostTable:
    """The shipped cost table with ``path`` (or ``SIMPUL_COSTS_FILE``) merged over it."""
    chosen = path or override_path()
    return _load(str(chosen) if chosen else None)


def _quantity(value: float, lang: str) -> str:
    return fmt.number(value, lang)


def basis_text(table: CostTable, kind: str, apps: int) -> Text:
    """'3 aplikasi × (0,25 orang-bulan tenaga ahli + 0,5 orang-bulan pemrogram)' in words."""
    rule = table.programs.get(kind)
    if rule is None or not rule.volume:
        work = rule.work if rule else Text(id="tidak ada tabel biaya untuk jenis ini", en="no cost rule for this kind")
        return work

    def text(lang: str) -> str:
        parts = " + ".join(f"{_quantity(q, lang)} {table.rates[r].unit.get(lang)} {table.rates[r].name(lang)}"
                           for r, q in rule.volume.items())
        if rule.per == "application":
            word = "aplikasi" if lang == "id" else ("application" if apps == 1 else "applications")
            return f"{apps} {word} × ({parts}): {rule.work.get(lang)}"
        return f"{parts}: {rule.work.get(lang)}"

    return Text(id=text("id"), en=text("en"))


def program_cost(table: CostTable, item: RoadmapItem) -> ProgramCost:
    rule = table.programs.get(item.kind)
    apps = max(1, len(item.app_ids))
    lines: list[CostLine] = []
    if rule is not None:
        factor = apps if rule.per == "application" else 1
        for key, volume in rule.volume.items():
            rate = table.rates[key]
            quantity = round(volume * factor, 4)
            unit_cost = table.unit_cost(key)
            lines.append(CostLine(rate=key, label=rate.label, unit=rate.unit, quantity=quantity, unit_cost=unit_cost,
                                  amount=round(quantity * unit_cost)))
    raw = sum(line.amount for line in lines)
    step = table.round_to
    total = int(round(raw / step) * step)
    return ProgramCost(program_id=item.program_id, basis=basis_text(table, item.kind, apps), applications=apps,
                       lines=lines, total=total, by_year={})


def rates_used(table: CostTable) -> list[RateUsed]:
    return [RateUsed(key=k, label=r.label, short=r.short, unit=r.unit, unit_cost=table.unit_cost(k),
                     regional=r.regional,
                     source=cite([r.source])) for k, r in table.rates.items()]


def volumes_used(table: CostTable) -> list[VolumeUsed]:
    return [VolumeUsed(kind=k, per=p.per, volume=dict(p.volume), work=p.work, source=cite([p.source]))
            for k, p in sorted(table.programs.items())]


def clear_cache() -> None:
    _load.cache_clear()
