"""The roadmap laid out per year and quarter, with an indicative cost per program and the totals per year and OPD.

Year 1 of the plan is the reference year + ``schedule.first_year_offset``. Each horizon has a window of plan years
(by default short 1, medium 2-5, long 6-10: :meth:`ScheduleRule.window`). Programs are placed in rank order, each
as early in its window as the responsible OPD allows (at most ``max_parallel_per_opd`` programs at once; when the
window is full the least loaded start is taken), for ``quarters_by_effort[effort]`` quarters plus one for every
``apps_per_extra_quarter`` applications beyond the first, never past the end of the window. A program's cost is
spread evenly over its quarters (whole rupiah, the remainder on the last quarters) so the yearly figures always add
up to the program's total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from hub.inventory.config import PriorityWeights
from hub.inventory.costs import CostTable, program_cost, rates_used, volumes_used
from hub.inventory.models import (
    OpdBudget,
    Plan,
    ProgramCost,
    ProgramSchedule,
    Quarter,
    Roadmap,
    RoadmapItem,
    YearBudget,
)


@dataclass
class _OpdTally:
    kode: str | None
    name: str
    programs: int = 0
    by_year: dict[int, int] = field(default_factory=lambda: defaultdict(int))


def duration(item: RoadmapItem, weights: PriorityWeights) -> int:
    rule = weights.schedule
    extra = max(0, len(item.app_ids) - 1) // rule.apps_per_extra_quarter
    return rule.quarters_by_effort[item.priority.effort] + extra


def _place(length: int, first: int, last: int, load: dict[int, int], limit: int) -> int:
    """The first quarter index in [first, last - length + 1] where the load stays under ``limit``; else the start
    with the lowest peak load (earliest on ties)."""
    best, best_peak = first, None
    for start in range(first, last - length + 2):
        peak = max(load[q] for q in range(start, start + length))
        if peak < limit:
            return start
        if best_peak is None or peak < best_peak:
            best, best_peak = start, peak
    return best


def _spread(total: int, quarters: int, step: int) -> list[int]:
    """``total`` over ``quarters`` in multiples of ``step`` (the remainder on the last quarters), summing exactly."""
    units, rest = divmod(total, step)
    base, extra = divmod(units, quarters)
    parts = [(base + (1 if i >= quarters - extra else 0)) * step for i in range(quarters)]
    parts[-1] += rest
    return parts


def build_plan(roadmap: Roadmap, weights: PriorityWeights, as_of: date, costs: CostTable) -> Plan:
    rule = weights.schedule
    first_year = as_of.year + rule.first_year_offset
    horizon_years = dict(weights.horizons)
    n_years = max((rule.window(h, horizon_years)[1] for h in horizon_years), default=1)
    load: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    schedules: list[ProgramSchedule] = []
    program_costs: list[ProgramCost] = []
    spent: dict[int, int] = defaultdict(int)
    running: dict[int, set[str]] = defaultdict(set)
    quick: dict[int, set[str]] = defaultdict(set)
    by_opd: dict[str, _OpdTally] = {}
    for item in sorted(roadmap.items, key=lambda i: i.rank):
        start_year, end_year = rule.window(item.horizon, horizon_years)
        first_q, last_q = (start_year - 1) * 4, end_year * 4 - 1
        length = min(duration(item, weights), last_q - first_q + 1)
        who = item.responsible.kode or item.responsible.name
        start = _place(length, first_q, last_q, load[who], rule.max_parallel_per_opd)
        active = list(range(start, start + length))
        for q in active:
            load[who][q] += 1
        by_year: dict[int, list[int]] = defaultdict(list)
        for q in active:
            by_year[first_year + q // 4].append(q % 4 + 1)
        schedules.append(ProgramSchedule(
            program_id=item.program_id, start=Quarter(year=first_year + start // 4, quarter=start % 4 + 1),
            end=Quarter(year=first_year + active[-1] // 4, quarter=active[-1] % 4 + 1), quarters=length,
            by_year=dict(by_year)))
        cost = program_cost(costs, item)
        yearly: dict[int, int] = defaultdict(int)
        for q, amount in zip(active, _spread(cost.total, length, costs.round_to), strict=True):
            yearly[first_year + q // 4] += amount
        cost.by_year = dict(yearly)
        program_costs.append(cost)
        opd = by_opd.setdefault(who, _OpdTally(item.responsible.kode, item.responsible.label))
        opd.programs += 1
        for year, amount in yearly.items():
            spent[year] += amount
            opd.by_year[year] += amount
        for year in by_year:
            running[year].add(item.program_id)
            if item.quick_win:
                quick[year].add(item.program_id)
    years = list(range(first_year, first_year + n_years))
    per_year, cumulative = [], 0
    for year in years:
        cumulative += spent[year]
        per_year.append(YearBudget(year=year, programs=len(running[year]), quick_wins=len(quick[year]),
                                   cost=spent[year], cumulative=cumulative))
    per_opd = [OpdBudget(kode_opd=o.kode, opd=o.name, programs=o.programs, by_year=dict(sorted(o.by_year.items())),
                         total=sum(o.by_year.values())) for o in by_opd.values()]
    per_opd.sort(key=lambda o: (-o.total, o.opd.lower()))
    return Plan(cost_table=costs.version + (f" + {costs.origin}" if costs.origin else ""),
                regional_index=costs.regional_index, first_year=first_year, years=years,
                windows={h: rule.window(h, horizon_years) for h in horizon_years},
                max_parallel_per_opd=rule.max_parallel_per_opd, schedule=schedules,
                costs=program_costs, per_year=per_year, per_opd=per_opd, total=sum(spent.values()),
                rates=rates_used(costs), volumes=volumes_used(costs))
