"""Coverage of the function areas (Tabel II.3 items 14-20) and the readiness interpretation of items 8 and 14-20.

For each area: which OPDs run which applications, which of them are interoperable, the metrics the readiness rules
read, and the rule (from ``readiness.yaml``) that decided baik / sedang / buruk.
"""

from __future__ import annotations

from collections.abc import Iterable

from hub.assessment.models import Text
from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.config import RuleGroup
from hub.inventory.context import Context, area_label, area_terms, item_areas
from hub.inventory.models import AreaCoverage, OpdApps, ReadinessLine


def metrics_of(ctx: Context, apps: Iterable[object]) -> dict[str, float]:
    """The metrics readiness rules read (see readiness.yaml) over ``apps``."""
    registered = active = production = assessed = interoperable = 0
    for app in apps:
        line = ctx.lines[app.id]  # type: ignore[attr-defined]
        registered += 1
        if line.status == "retired":
            continue
        active += 1
        if line.status != "production":
            continue
        production += 1
        if line.assessed:
            assessed += 1
        if line.interoperable:
            interoperable += 1
    pct = round(100 * interoperable / production, 1) if production else 0.0
    return {"registered": registered, "active": active, "production": production, "assessed": assessed,
            "interoperable": interoperable, "interoperable_pct": pct}


def condition_text(metrics: dict[str, float], opds: int | None = None) -> Text:
    """The Nilai/Kondisi column: the measured values in words."""
    key = "inventory.condition.area" if opds is not None else "inventory.condition.item8"

    def text(lang: str) -> str:
        params = {k: fmt.percent(v, lang) if k == "interoperable_pct" else fmt.number(v, lang)
                  for k, v in metrics.items()}
        return t(key, lang, opds=opds, **params)

    return Text(id=text("id"), en=text("en"))


def _decide(ctx: Context, group: RuleGroup, metrics: dict[str, float]) -> tuple[str, str, Text]:
    rule = group.decide(metrics)
    params = ctx.rules.placeholders()
    return rule.outcome, rule.id, Text(id=rule.text.id.format(**params), en=rule.text.en.format(**params))


def area_coverage(ctx: Context) -> list[AreaCoverage]:
    out: list[AreaCoverage] = []
    for area, (item, label) in area_terms().items():
        apps = ctx.by_area.get(area, [])
        by_opd: dict[str, list[str]] = {}
        for app in apps:
            by_opd.setdefault(app.kode_opd, []).append(app.id)
        opds = sorted((OpdApps(kode_opd=k, opd=ctx.lines[ids[0]].opd, apps=ids) for k, ids in by_opd.items()),
                      key=lambda o: (o.opd.lower(), o.kode_opd))
        out.append(AreaCoverage(
            area=area, item=item, label=label, opds=opds,
            main_apps=[a.id for a in apps if a.area == area], other_apps=[a.id for a in apps if a.area != area],
            interoperable_apps=[a.id for a in apps if ctx.lines[a.id].interoperable and a.status == "production"],
            metrics=metrics_of(ctx, apps)))
    return out


def readiness_lines(ctx: Context, coverage: list[AreaCoverage]) -> list[ReadinessLine]:
    rules = ctx.rules
    total = metrics_of(ctx, ctx.apps)
    outcome, rule_id, text = _decide(ctx, rules.item_8, total)
    lines = [ReadinessLine(item=8, area=None, component=rules.item_8.component, condition=condition_text(total),
                           outcome=outcome, rule_id=rule_id, rule=text, metrics=total)]
    by_area = {c.area: c for c in coverage}
    for area in item_areas():
        cov = by_area[area]
        label = area_label(area)
        component = Text(id=rules.areas.component.id.format(area=label.id.lower()),
                         en=rules.areas.component.en.format(area=label.en.lower()))
        outcome, rule_id, text = _decide(ctx, rules.areas, cov.metrics)
        lines.append(ReadinessLine(item=cov.item or 0, area=area, component=component,
                                   condition=condition_text(cov.metrics, opds=len(cov.opds)), outcome=outcome,
                                   rule_id=rule_id, rule=text, metrics=cov.metrics))
    return lines
