"""The appendix: the rules the inventory applied (readiness, kinds of gap), the cost table of the yearly plan and
the works cited. ``audience="planner"`` (the reports) says everything in words; ``audience="docs"`` (the generated
blocks of docs/inventory.md, read by whoever maintains the rules) adds the rule ids, metric names and detectors."""

from __future__ import annotations

from typing import Literal

from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.config import cite, load_gaps, load_readiness, load_sources
from hub.inventory.models import Plan, RateUsed, VolumeUsed
from hub.inventory.render.tables import Table, h, title

Audience = Literal["planner", "docs"]


def _condition(name: str, value: float, lang: str) -> str:
    shown = fmt.percent(value, lang, 0) if name == "interoperable_pct" else fmt.number(value, lang)
    return t(f"inventory.metric.{name}", lang, v=shown)


def readiness_rules_table(lang: str, audience: Audience = "planner") -> Table:
    rules = load_readiness()
    params = rules.placeholders()
    rows = []
    for group, name in ((rules.item_8, h("item8", lang)), (rules.areas, h("items14_20", lang))):
        for r in group.rules:
            if audience == "docs":
                cond = ", ".join(f"{k} ≥ {v:g}" for k, v in r.when.items()) or t("inventory.value.otherwise", lang)
                rows.append([name, r.id, r.outcome, cond, r.text.get(lang).format(**params)])
            else:
                cond = "; ".join(_condition(k, v, lang) for k, v in r.when.items()) or t("inventory.value.otherwise",
                                                                                           lang)
                rows.append([name, t(f"inventory.outcome.{r.outcome}", lang), cond, r.text.get(lang).format(**params)])
    if audience == "docs":
        return Table("aturan_kesiapan", title("rules_readiness", lang),
                     [h("group", lang), h("rule_id", lang), h("outcome", lang), h("conditions", lang),
                      h("description", lang)], rows, [16, 12, 10, 40, 90], note=t("inventory.note.rules_docs", lang))
    return Table("aturan_kesiapan", title("rules_readiness", lang),
                 [h("group", lang), h("outcome", lang), h("conditions", lang), h("description", lang)], rows,
                 [16, 12, 40, 90], doc_widths=[2.6, 2.6, 6.5, 14.0], note=t("inventory.note.rules", lang))


def gap_kinds_table(lang: str, horizons: dict[str, int] | None = None, audience: Audience = "planner") -> Table:
    years = horizons or {"short": 1, "medium": 5, "long": 10}
    rows = []
    for k in load_gaps().kinds:
        row = [k.title.get(lang), k.description.get(lang), k.impact, k.urgency, k.effort,
               t(f"inventory.horizon.{k.horizon}", lang, years=years.get(k.horizon, 1)),
               t(f"inventory.responsible.{k.responsible}", lang), cite(k.sources).get(lang)]
        rows.append([k.id, *row[:-1], k.detector, row[-1]] if audience == "docs" else row)
    heads = [h("gap", lang), h("description", lang), h("impact", lang), h("urgency", lang), h("effort", lang),
             h("horizon", lang), h("responsible", lang), h("source", lang)]
    if audience == "docs":
        return Table("jenis_kesenjangan", title("rules_gaps", lang),
                     [h("gap_id", lang), *heads[:-1], h("detector", lang), heads[-1]], rows,
                     [9, 34, 70, 8, 8, 8, 22, 22, 26, 40])
    return Table("jenis_kesenjangan", title("rules_gaps", lang), heads, rows, [34, 70, 8, 8, 8, 22, 22, 50],
                 doc_widths=[3.6, 7.0, 1.4, 1.5, 1.3, 2.6, 2.6, 5.7])


def cost_rate_table(rates: list[RateUsed], regional_index: float, lang: str) -> Table:
    rows = [[r.label.get(lang), r.unit.get(lang), r.unit_cost,
             t("inventory.value.yes" if r.regional else "inventory.value.no", lang), r.source.get(lang)]
            for r in rates]
    return Table("satuan_biaya", title("cost_rates", lang),
                 [h("component", lang), h("unit", lang), h("unit_cost", lang), h("regional", lang), h("source", lang)],
                 rows, [40, 16, 18, 12, 60], doc_widths=[7.0, 2.6, 3.2, 2.2, 10.7], money_cols=[2],
                 note=t("inventory.note.cost_rates", lang, index=fmt.fixed(regional_index, lang)))


def cost_volume_table(rates_used: list[RateUsed], volumes: list[VolumeUsed], lang: str) -> Table:
    rates = {r.key: r for r in rates_used}
    kinds = {k.id: k for k in load_gaps().kinds}
    rows = []
    for v in volumes:
        kind = kinds.get(v.kind)
        name = kind.program.get(lang).replace(" {area}", "").replace("{area}", "").strip() if kind else v.kind
        volume = " + ".join(f"{fmt.number(q, lang)} {rates[r].unit.get(lang)} "
                            f"{(rates[r].short or rates[r].label).get(lang)}"
                            for r, q in v.volume.items() if r in rates) or "-"
        rows.append([name, t(f"inventory.value.per_{v.per}", lang), volume, v.work.get(lang), v.source.get(lang)])
    return Table("volume_biaya", title("cost_volumes", lang),
                 [h("program", lang), h("per", lang), h("volume", lang), h("work", lang), h("source", lang)], rows,
                 [40, 14, 60, 50, 30], doc_widths=[5.0, 2.4, 8.0, 6.8, 3.5])


def sources_table(lang: str) -> Table:
    rows = [[n, s.short.get(lang), s.full.get(lang)]
            for n, s in enumerate(load_sources().sources.values(), start=1)]
    return Table("sumber", title("sources", lang), [h("no", lang), h("short", lang), h("reference", lang)], rows,
                 [5, 36, 110], doc_widths=[0.9, 6.0, 18.8])


def appendix_tables(lang: str, horizons: dict[str, int] | None = None, plan: Plan | None = None) -> list[Table]:
    tables = [readiness_rules_table(lang), gap_kinds_table(lang, horizons)]
    if plan is not None:
        tables += [cost_rate_table(plan.rates, plan.regional_index, lang),
                   cost_volume_table(plan.rates, plan.volumes, lang)]
    return [*tables, sources_table(lang)]


def rules_tables(lang: str, horizons: dict[str, int] | None = None, audience: Audience = "docs") -> list[Table]:
    """The readiness rules and the kinds of gap (docs/inventory.md reads them with ``audience="docs"``)."""
    return [readiness_rules_table(lang, audience), gap_kinds_table(lang, horizons, audience)]
