"""The yearly schedule and the indicative costs as tables: programs per year and quarter, the cost of each
program and how it was reckoned, and the totals per year and per OPD. Every money cell is whole rupiah; the
formats print it ``Rp2.320.000`` (XLSX keeps the number, formatted)."""

from __future__ import annotations

from typing import Any

from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.models import Inventory, Plan, ProgramSchedule
from hub.inventory.render.tables import CHECK, Table, h, title

ACTIVE = "9DC3E6"  # quarters a program runs in


def year_cell(schedule: ProgramSchedule, year: int, lang: str) -> str:
    quarters = sorted(schedule.by_year.get(year, []))
    return fmt.quarters(quarters[0], quarters[-1], lang) if quarters else ""


def _span(window: tuple[int, int]) -> str:
    return str(window[0]) if window[0] == window[1] else f"{window[0]}–{window[1]}"


def require_plan(inv: Inventory) -> Plan:
    """The inventory's yearly plan; the plan tables are only drawn for an inventory built with one."""
    if inv.plan is None:
        raise ValueError("this inventory was built without a yearly plan (the plan tables need one)")
    return inv.plan


def years_text(years: list[int]) -> str:
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def schedule_table(inv: Inventory, lang: str) -> Table:
    plan = require_plan(inv)
    rows = []
    for item in inv.roadmap.items:
        sched, cost = plan.schedule_of(item.program_id), plan.cost_of(item.program_id)
        rows.append([item.rank, item.program.get(lang), item.responsible.label, CHECK if item.quick_win else "",
                     *[year_cell(sched, y, lang) for y in plan.years], cost.total])
    first = 4
    n = len(plan.years)
    return Table("jadwal", title("schedule", lang, first=plan.years[0], last=plan.years[-1]),
                 [h("rank", lang), h("program", lang), h("responsible", lang), h("quick_win", lang),
                  *[str(y) for y in plan.years], h("cost", lang)],
                 rows, [6, 40, 18, 9, *[9] * n, 16],
                 doc_widths=[1.55, 4.9, 2.3, 1.2, *[1.3] * n, 2.6],
                 note=t("inventory.note.schedule", lang, first=plan.years[0], parallel=plan.max_parallel_per_opd,
                        **{hz: _span(plan.windows.get(hz, (1, 1))) for hz in ("short", "medium", "long")}),
                 money_cols=[first + n], mark_cols=[0, 3, *range(first, first + n)],
                 fill_cols=dict.fromkeys(range(first, first + n), ACTIVE))


def cost_table(inv: Inventory, lang: str) -> Table:
    plan = require_plan(inv)
    rows: list[list[Any]] = []
    for item in inv.roadmap.items:
        cost = plan.cost_of(item.program_id)
        years = sorted(y for y, v in cost.by_year.items() if v) or sorted(plan.schedule_of(item.program_id).by_year)
        rows.append([item.rank, item.program.get(lang), item.responsible.label, cost.basis.get(lang),
                     years_text(years), cost.total])
    rows.append(["", t("inventory.value.total", lang), "", "", years_text(plan.years), plan.total])
    return Table("biaya", title("costs", lang),
                 [h("rank", lang), h("program", lang), h("responsible", lang), h("cost_basis", lang),
                  h("years", lang), h("cost", lang)],
                 rows, [6, 40, 18, 70, 12, 18], doc_widths=[1.55, 5.2, 2.5, 11.0, 2.2, 3.0],
                 note=cost_note(inv, lang), money_cols=[5], mark_cols=[0], total_row=True)


def cost_note(inv: Inventory, lang: str) -> str:
    plan = require_plan(inv)
    return t("inventory.note.costs", lang, version=plan.cost_table.split(" + ")[0],
             index=fmt.fixed(plan.regional_index, lang))


def year_table(inv: Inventory, lang: str) -> Table:
    plan = require_plan(inv)
    rows: list[list[Any]] = [[str(y.year), y.programs, y.quick_wins, y.cost, y.cumulative] for y in plan.per_year]
    rows.append([t("inventory.value.total", lang), len(inv.roadmap.items), len(inv.roadmap.quick_wins), plan.total,
                 plan.total])
    return Table("biaya_tahun", title("costs_per_year", lang),
                 [h("year", lang), h("programs_running", lang), h("quick_wins_running", lang), h("cost", lang),
                  h("cumulative", lang)],
                 rows, [12, 16, 16, 20, 20], doc_widths=[3.0, 4.0, 4.0, 5.0, 5.0], money_cols=[3, 4],
                 total_row=True)


def opd_cost_table(inv: Inventory, lang: str) -> Table:
    plan = require_plan(inv)
    years = [y.year for y in plan.per_year if y.cost]
    rows: list[list[Any]] = [[o.opd, o.programs, *[o.by_year.get(y, 0) for y in years], o.total] for o in plan.per_opd]
    rows.append([t("inventory.value.total", lang), sum(o.programs for o in plan.per_opd),
                 *[next(b.cost for b in plan.per_year if b.year == y) for y in years], plan.total])
    n = len(years)
    return Table("biaya_opd", title("costs_per_opd", lang),
                 [h("responsible", lang), h("programs", lang), *[str(y) for y in years], h("total", lang)],
                 rows, [24, 10, *[16] * n, 18], doc_widths=[3.2, 1.6, *[2.05] * n, 2.4],
                 money_cols=list(range(2, 3 + n)), total_row=True)


def plan_tables(inv: Inventory, lang: str) -> list[Table]:
    if inv.plan is None:
        return []
    return [schedule_table(inv, lang), cost_table(inv, lang), year_table(inv, lang), opd_cost_table(inv, lang)]
