"""The roadmap: recommended programs in the guide's horizons (1, 5 and 10 years) with a transparent priority.

A program gathers the gaps of one kind that one OPD is responsible for (area-wide kinds: per area too), so each
OPD can carry it into its Renja. ``priority = impact^a × urgency^b ÷ effort^c`` (exponents from ``weights.yaml``,
factors 1-5 from ``gaps.yaml``); the formula with the item's numbers is kept beside every item. A program is a quick
win when its impact, effort and horizon satisfy the quick-win rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hub.assessment.models import Text
from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.config import GapCatalog, PriorityWeights
from hub.inventory.gaps import deadline_year, effective, fill, localize, when_text
from hub.inventory.models import Gap, Kpi, Priority, Roadmap, RoadmapItem

HORIZON_ORDER = {"short": 0, "medium": 1, "long": 2}


def _n(value: float) -> str:
    return f"{value:g}"


def priority(impact: int, urgency: int, effort: int, weights: PriorityWeights) -> Priority:
    w = {"impact": weights.impact, "urgency": weights.urgency, "effort": weights.effort}
    value = round((impact ** w["impact"]) * (urgency ** w["urgency"]) / (effort ** w["effort"]), 2)

    def term(factor: int, exponent: float) -> str:
        return str(factor) if exponent == 1 else f"{factor}^{_n(exponent)}"

    formula = f"{term(impact, w['impact'])} × {term(urgency, w['urgency'])} ÷ {term(effort, w['effort'])} = {_n(value)}"
    return Priority(impact=impact, urgency=urgency, effort=effort, weights=w, value=value, formula=formula)


def is_quick_win(impact: int, effort: int, horizon: str, weights: PriorityWeights) -> bool:
    rule = weights.quick_win
    return impact >= rule.min_impact and effort <= rule.max_effort and horizon in rule.horizons


def _merge(params: list[dict[str, Any]], gaps: list[Gap]) -> dict[str, Any]:
    """Parameters of a program = those of its gaps, lists joined without repeats."""
    merged: dict[str, Any] = dict(params[0])
    for key in ("app", "apps", "ids", "national", "vendor", "checks", "opd"):
        items: list[Any] = []
        for p in params:
            value = p.get(key)
            if value in (None, "", "-"):
                continue
            items += value if isinstance(value, list) else str(value).split(", ") if key in SPLIT else [value]
        merged[key] = list(dict.fromkeys(items)) or "-"
    merged["n"] = len({a for g in gaps for a in g.app_ids})
    return merged


SPLIT = ("national", "checks", "opd")  # comma-joined lists of names/ids that hold no comma themselves


def formula_text(weights: PriorityWeights) -> Text:
    def power(lang: str) -> dict[str, str]:  # an exponent of 1 is not written
        return {k: "" if getattr(weights, k) == 1 else f"^{fmt.number(getattr(weights, k), lang)}"
                for k in ("impact", "urgency", "effort")}
    return Text(id=t("inventory.roadmap.formula", "id", **power("id")),
                en=t("inventory.roadmap.formula", "en", **power("en")))


def quick_win_text(weights: PriorityWeights) -> Text:
    rule = weights.quick_win
    params = {"impact": rule.min_impact, "effort": rule.max_effort}
    hz = {lang: ", ".join(t(f"inventory.horizon.{h}", lang, years=weights.horizons.get(h, 1)) for h in rule.horizons)
          for lang in ("id", "en")}
    return Text(id=t("inventory.roadmap.quick_win_rule", "id", horizons=hz["id"], **params),
                en=t("inventory.roadmap.quick_win_rule", "en", horizons=hz["en"], **params))


def build_roadmap(gaps: list[Gap], params_of: dict[str, dict[str, Any]], catalog: GapCatalog,
                  weights: PriorityWeights, as_of: date) -> Roadmap:
    groups: dict[tuple[str, str, str | None], list[Gap]] = {}
    for gap in gaps:
        kind = catalog.get(gap.kind)
        per_area = gap.area if kind.responsible == "area_lead" else None
        key = (gap.kind, gap.responsible.kode or gap.responsible.name, per_area)
        groups.setdefault(key, []).append(gap)
    items: list[RoadmapItem] = []
    for (kind_id, _, area), members in groups.items():
        kind = effective(catalog.get(kind_id), weights)
        params = localize(_merge([params_of[g.id] for g in members], members))
        who = members[0].responsible
        resp_slug = "".join(c if c.isalnum() else "-" for c in who.label.lower()).strip("-")
        program_id = f"PRG-{kind_id[4:]}-{resp_slug}" + (f"-{area}" if area else "")
        pr = priority(kind.impact, kind.urgency, kind.effort, weights)
        items.append(RoadmapItem(
            rank=0, program_id=program_id, kind=kind_id, program=fill(kind.program, params),
            to_be=fill(kind.to_be, params), action=fill(kind.action, params), horizon=kind.horizon,
            deadline_year=deadline_year(kind.horizon, weights, as_of),
            quick_win=is_quick_win(kind.impact, kind.effort, kind.horizon, weights), priority=pr,
            responsible=who, gap_ids=[g.id for g in members],
            app_ids=list(dict.fromkeys(a for g in members for a in g.app_ids)),
            kpi=Kpi(what=fill(kind.kpi_what, params), when=when_text(kind.horizon, weights, as_of),
                    who=Text(id=who.label, en=who.label))))
    items.sort(key=lambda i: (-i.priority.value, not i.quick_win, HORIZON_ORDER[i.horizon], -len(i.gap_ids),
                              i.program_id))
    for rank, item in enumerate(items, start=1):
        item.rank = rank
    return Roadmap(formula=formula_text(weights), quick_win_rule=quick_win_text(weights),
                   weights={"impact": weights.impact, "urgency": weights.urgency, "effort": weights.effort},
                   horizons=dict(weights.horizons), items=items)
