"""Per-OPD summary, the score heatmap rows and the totals of an inventory."""

from __future__ import annotations

from collections import Counter

from hub.assessment.models import STANDARDS
from hub.inventory.context import Context
from hub.inventory.models import AppLine, Gap, HeatRow, OpdSummary, Roadmap, Totals


def opd_summary(ctx: Context, gaps: list[Gap]) -> list[OpdSummary]:
    gap_count: Counter[str] = Counter()
    for gap in gaps:
        for kode in set(gap.kode_opd):
            gap_count[kode] += 1
    by_opd: dict[str, list[AppLine]] = {kode: [] for kode in ctx.opds}
    for app in ctx.apps:
        by_opd.setdefault(app.kode_opd, []).append(ctx.lines[app.id])
    out = []
    for kode, lines in by_opd.items():
        assessed = [line for line in lines if line.assessed]
        overall = [line.overall for line in assessed if line.overall is not None]
        opd = ctx.opds.get(kode)
        out.append(OpdSummary(
            kode_opd=kode, opd=(opd.short_name or opd.name) if opd else kode, apps=len(lines),
            production=sum(1 for line in lines if line.status == "production"), assessed=len(assessed),
            interoperable=sum(1 for line in lines if line.interoperable and line.status == "production"),
            gaps=gap_count[kode], mean_score=round(sum(overall) / len(overall), 1) if overall else None))
    out.sort(key=lambda s: (-s.gaps, s.opd.lower()))
    return out


def heatmap(ctx: Context) -> list[HeatRow]:
    """Active applications and any assessed one, by OPD then application."""
    rows = []
    for app in ctx.apps:
        line = ctx.lines[app.id]
        if line.status == "retired" and not line.assessed:
            continue
        rows.append(HeatRow(app_id=app.id, name=app.name, opd=line.opd, status=line.status,
                            scores={s: line.scores.get(s) for s in STANDARDS}, overall=line.overall,
                            level=line.level, run_id=line.run_id))
    rows.sort(key=lambda r: (r.opd.lower(), r.app_id))
    return rows


def totals(ctx: Context, gaps: list[Gap], roadmap: Roadmap) -> Totals:
    lines = list(ctx.lines.values())
    return Totals(
        registered=len(lines),
        production=sum(1 for x in lines if x.status == "production"),
        active=sum(1 for x in lines if x.status != "retired"),
        assessed=sum(1 for x in lines if x.assessed),
        interoperable=sum(1 for x in lines if x.interoperable and x.status == "production"),
        by_status=dict(sorted(Counter(x.status for x in lines).items())),
        by_kind=dict(sorted(Counter(x.kind for x in lines).items())),
        gaps=len(gaps), gaps_by_kind=dict(sorted(Counter(g.kind for g in gaps).items())),
        quick_wins=len(roadmap.quick_wins))
