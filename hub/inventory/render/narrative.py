"""A short narrative generated from the data: counts, the weakest areas, the quick wins (id or en)."""

from __future__ import annotations

import re
from collections import Counter

from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.config import load_gaps
from hub.inventory.models import Inventory, MonevWorksheet, ReadinessLine
from hub.inventory.render.plan_tables import require_plan

ORDER = {"buruk": 0, "sedang": 1, "baik": 2}


def meta_text(inv: Inventory, lang: str) -> str:
    """'Keadaan per 7 Desember 2026. Disusun Simpul dari …; versi aturan …' (no internal names)."""
    found = dict(re.findall(r"(readiness|gaps) ([\w.-]+)", inv.rules_version))
    costs = inv.plan.cost_table.split(" + ")[0] if inv.plan else "-"
    return t("inventory.doc.meta", lang, as_of=fmt.day(inv.as_of, lang), readiness=found.get("readiness", "-"),
             gaps=found.get("gaps", "-"), costs=costs)


def weakest(inv: Inventory, limit: int = 3) -> list[ReadinessLine]:
    """Areas (items 14-20) from weakest: outcome, then share interoperable, share assessed, then most gaps."""
    gap_count = Counter(g.area for g in inv.gaps if g.area)
    lines = [r for r in inv.readiness if r.area]

    def key(r: ReadinessLine) -> tuple[float, ...]:
        prod = r.metrics.get("production", 0) or 1
        return (ORDER[r.outcome], r.metrics.get("interoperable", 0) / prod, r.metrics.get("assessed", 0) / prod,
                -gap_count[r.area], r.item)

    return sorted(lines, key=key)[:limit]


def paragraphs(inv: Inventory, lang: str) -> list[str]:
    tot = inv.totals
    name = inv.pemda.name if inv.pemda else t("inventory.value.all_pemda", lang)
    out = [t("inventory.narrative.systems", lang, pemda=name, registered=tot.registered, production=tot.production,
             assessed=tot.assessed, interoperable=tot.interoperable)]
    outcomes = Counter(r.outcome for r in inv.readiness if r.area)
    item8 = next(r for r in inv.readiness if r.area is None)
    out.append(t("inventory.narrative.readiness", lang, n=sum(outcomes.values()), baik=outcomes["baik"],
                 sedang=outcomes["sedang"], buruk=outcomes["buruk"],
                 item8=t(f"inventory.outcome.{item8.outcome}", lang)))
    worst = weakest(inv)
    if worst and worst[0].outcome != "baik":
        shown = "; ".join(f"{r.item}. {r.component.get(lang)} — {t(f'inventory.outcome.{r.outcome}', lang)} "
                          f"({r.condition.get(lang)})" for r in worst if r.outcome != "baik")
        out.append(t("inventory.narrative.weakest", lang, areas=shown))
    if inv.gaps:
        kinds = {k.id: k.title.get(lang) for k in load_gaps().kinds}
        top = ", ".join(f"{kinds.get(k, k)} ({n})" for k, n in
                        sorted(tot.gaps_by_kind.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        out.append(t("inventory.narrative.gaps", lang, gaps=tot.gaps, kinds=len(tot.gaps_by_kind), top=top))
    else:
        out.append(t("inventory.narrative.no_gaps", lang))
    qw = inv.roadmap.quick_wins
    names = {a.app_id: a.name for a in inv.applications}
    if qw:
        shown = "; ".join(f"{i.program.get(lang)} — {i.responsible.label} "
                          f"({', '.join(names.get(a, a) for a in i.app_ids) or '-'})" for i in qw[:5])
        more = t("inventory.narrative.more", lang, n=len(qw) - 5) if len(qw) > 5 else ""
        out.append(t("inventory.narrative.quick_wins", lang, n=len(qw), programs=shown, more=more))
    else:
        out.append(t("inventory.narrative.no_quick_wins", lang))
    by_h = Counter(i.horizon for i in inv.roadmap.items)
    out.append(t("inventory.narrative.roadmap", lang, short=by_h["short"], medium=by_h["medium"],
                 long=by_h["long"], formula=inv.roadmap.formula.get(lang)))
    if inv.plan is not None:
        out.append(plan_paragraph(inv, lang))
    if inv.monev is not None:
        out.append(monev_paragraph(inv.monev, lang))
    return out


def plan_paragraph(inv: Inventory, lang: str) -> str:
    """The yearly plan and its indicative cost in one sentence (first year, the quick wins, the total)."""
    plan = require_plan(inv)
    first = plan.per_year[0] if plan.per_year else None
    quick = sum(plan.cost_of(i.program_id).total for i in inv.roadmap.quick_wins)
    costly = max(plan.per_opd, key=lambda o: o.total, default=None)
    return t("inventory.narrative.plan", lang, first=plan.years[0], last=plan.years[-1],
             total=fmt.money(plan.total, lang), year1=fmt.money(first.cost if first else 0, lang),
             quick=fmt.money(quick, lang), opd=costly.opd if costly else "-",
             opd_total=fmt.money(costly.total if costly else 0, lang))


def monev_paragraph(ws: MonevWorksheet, lang: str) -> str:
    return t("inventory.narrative.monev", lang, a=ws.label_a, b=ws.label_b, apps=len(ws.apps_compared),
             works=len(ws.works), doesnt=len(ws.doesnt_work), improve=len(ws.improve))
