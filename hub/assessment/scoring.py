"""Scores per standard, the maturity level, and the comparison of two runs.

* A standard's score (0-100) is ``100 × Σ weight × value / Σ weight`` over its checks that ended pass (value 1),
  warning (0.5) or fail (0). ``not_applicable``, ``error``, ``inconclusive`` and ``not_answered`` are left out: a
  check Simpul could not measure — or measured while its own event loop was too busy to tell (``inconclusive``) —
  never lowers (or raises) the application's score. A standard with no such check has no score (``None``); a
  standard whose timing checks are all inconclusive is scored on its other checks only.
* The overall score is the mean of the standard scores that exist (each standard counts the same).
* The level is the highest level of ``levels.yaml`` whose requirements, and those of every lower level, are met.
  The explanation lists what the next level still needs and the failed/warned checks that cost the most points.
"""

from __future__ import annotations

from hub.assessment.catalog import Catalog, Level
from hub.assessment.models import (
    SCORED,
    STANDARDS,
    AssessmentRun,
    CheckResult,
    LevelGap,
    MaturityLevel,
    RunComparison,
    StandardScore,
    Status,
    StatusChange,
    Text,
)
from hub.i18n import both


def standard_scores(results: list[CheckResult], catalog: Catalog) -> list[StandardScore]:
    out: list[StandardScore] = []
    for key in STANDARDS:
        mine = [r for r in results if r.standard == key]
        counts = {s.value: sum(1 for r in mine if r.status is s) for s in Status}
        scored = [r for r in mine if r.status in SCORED]
        weight = sum(r.weight for r in scored)
        score = round(100 * sum(r.weight * SCORED[r.status] for r in scored) / weight, 1) if weight else None
        out.append(StandardScore(standard=key, name=catalog.standards[key].name, score=score, scored_weight=weight,
                                 counts={k: v for k, v in counts.items() if v}, measured=score is not None))
    return out


def overall(scores: list[StandardScore]) -> float | None:
    values = [s.score for s in scores if s.score is not None]
    return round(sum(values) / len(values), 1) if values else None


def coverage(results: list[CheckResult]) -> float:
    """Share of automated check weight that produced a verdict (pass, warning or fail)."""
    auto = [r for r in results if r.automated and r.status is not Status.NOT_APPLICABLE]
    total = sum(r.weight for r in auto)
    return round(sum(r.weight for r in auto if r.status in SCORED) / total, 3) if total else 0.0


def _gaps(level: Level, scores: dict[str, float | None], total: float | None, cov: float,
          catalog: Catalog) -> list[LevelGap]:
    req = level.requires
    gaps: list[LevelGap] = []
    if "overall_min" in req and (total is None or total < req["overall_min"]):
        gaps.append(LevelGap(requirement="overall", needed=req["overall_min"], actual=total))
    for std, needed in (req.get("standards_min") or {}).items():
        actual = scores.get(std)
        if actual is None or actual < needed:
            gaps.append(LevelGap(requirement=std, needed=needed, actual=actual))
    if "min_coverage" in req and cov < req["min_coverage"]:
        gaps.append(LevelGap(requirement="coverage", needed=req["min_coverage"], actual=cov))
    return gaps


def _drivers(results: list[CheckResult], standards: set[str] | None, limit: int = 5) -> list[str]:
    lost = [(r.weight * (1 - SCORED[r.status]), r.check_id, r) for r in results
            if r.status in (Status.FAIL, Status.WARNING) and (not standards or r.standard in standards)]
    lost.sort(key=lambda item: (-item[0], item[1]))
    return [cid for _, cid, _ in lost[:limit]]


def _explain(level: Level, nxt: Level | None, gaps: list[LevelGap], drivers: list[str],
             catalog: Catalog) -> Text:
    def name(req: str, lang: str) -> str:
        if req in catalog.standards:
            return catalog.standards[req].name.get(lang)
        return {"overall": {"id": "skor total", "en": "overall score"},
                "coverage": {"id": "cakupan pengukuran", "en": "measurement coverage"}}[req][lang]

    def text(lang: str) -> str:
        head = (f"Level {level.level} ({level.name.get(lang)})" + (": " + level.meaning.get(lang)))
        if nxt is None:
            return head
        shown = [f"{name(g.requirement, lang)} {'-' if g.actual is None else g.actual} < {g.needed}" for g in gaps]
        need = ("Untuk level {n} ({nm}) masih kurang: {gaps}." if lang == "id" else
                "Level {n} ({nm}) still needs: {gaps}.").format(n=nxt.level, nm=nxt.name.get(lang),
                                                                  gaps="; ".join(shown))
        why = ((" Pemeriksaan yang paling menurunkan: " if lang == "id" else " Checks that cost the most: ")
               + ", ".join(drivers) + ".") if drivers else ""
        return f"{head} {need}{why}"

    return Text(id=text("id"), en=text("en"))


ANSWERED = frozenset({Status.PASS, Status.WARNING, Status.FAIL, Status.NOT_APPLICABLE})


def measured(results: list[CheckResult]) -> bool:
    """A run measured something when at least one automated check ended pass, warning or fail."""
    return any(r.automated and r.status in SCORED for r in results)


def _not_measured(results: list[CheckResult], catalog: Catalog) -> MaturityLevel:
    reasons = [r.reason for r in results if r.automated and r.reason is not None
               and r.status in (Status.ERROR, Status.INCONCLUSIVE)]
    reason = reasons[0] if reasons else None
    why = {lang: both("assessment.level.not_measured_why", reason=reason.get(lang) if reason else "-")[lang]
           for lang in ("id", "en")}
    return MaturityLevel(level=0, name=Text(**both("assessment.level.not_measured")), overall_score=None,
                         measured=False, not_measured_reason=reason, explanation=Text(**why))


def _unanswered(level: Level, by_check: dict[str, CheckResult]) -> list[str]:
    return [cid for cid in level.requires.get("answered") or []
            if cid in by_check and by_check[cid].status not in ANSWERED]


def maturity(results: list[CheckResult], scores: list[StandardScore], catalog: Catalog) -> MaturityLevel:
    """The level the scores reach, capped at the highest level whose required checks (``answered`` in
    levels.yaml, manual ones included) all have an answer; a cap makes the level provisional ("sementara")."""
    if not measured(results):
        return _not_measured(results, catalog)
    by_std = {s.standard: s.score for s in scores}
    by_check = {r.check_id: r for r in results}
    total = overall(scores)
    cov = coverage(results)
    levels = catalog.levels
    reached = levels[0]
    next_gaps: list[LevelGap] = []
    nxt: Level | None = None
    for level in levels[1:]:
        gaps = _gaps(level, by_std, total, cov, catalog)
        if gaps:
            nxt, next_gaps = level, gaps
            break
        reached = level
    capped = levels[0]
    missing: list[str] = []
    for level in levels[1:]:
        if level.level > reached.level:
            break
        unanswered = _unanswered(level, by_check)
        if unanswered:
            missing = [cid for lv in levels if capped.level < lv.level <= reached.level
                       for cid in _unanswered(lv, by_check)]
            break
        capped = level
    blocking = {g.requirement for g in next_gaps if g.requirement in by_std}
    drivers = _drivers(results, blocking or None)
    if capped.level < reached.level:
        following = next(lv for lv in levels if lv.level == capped.level + 1)
        head = _explain(capped, None, [], drivers, catalog)
        params = {"score_level": reached.level, "missing": ", ".join(missing), "next": following.level}
        texts = {lang: head.get(lang) + " " + both("assessment.level.provisional", score_name=reached.name.get(lang),
                                                   **params)[lang] for lang in ("id", "en")}
        return MaturityLevel(level=capped.level, name=capped.name, overall_score=total, next_level=following.level,
                             gaps=[], drivers=drivers, explanation=Text(**texts), provisional=True, missing=missing,
                             score_level=reached.level)
    return MaturityLevel(level=reached.level, name=reached.name, overall_score=total,
                         next_level=nxt.level if nxt else None, gaps=next_gaps, drivers=drivers,
                         explanation=_explain(reached, nxt, next_gaps, drivers, catalog), score_level=reached.level)


def compare(run_a: AssessmentRun, run_b: AssessmentRun) -> RunComparison:
    """What changed from ``run_a`` (before) to ``run_b`` (after): statuses, scores per standard, level."""
    before = {r.check_id: r.status for r in run_a.results}
    after = {r.check_id: r.status for r in run_b.results}
    changed = [StatusChange(check_id=cid, before=before.get(cid), after=after.get(cid))
               for cid in sorted(set(before) | set(after)) if before.get(cid) != after.get(cid)]
    deltas: dict[str, float | None] = {}
    for key in STANDARDS:
        a, b = run_a.score(key), run_b.score(key)
        deltas[key] = round(b - a, 1) if a is not None and b is not None else None
    oa, ob = run_a.maturity.overall_score, run_b.maturity.overall_score
    return RunComparison(run_a=run_a.run_id, run_b=run_b.run_id, changed=changed, score_deltas=deltas,
                         overall_delta=round(ob - oa, 1) if oa is not None and ob is not None else None,
                         level_before=run_a.maturity.level, level_after=run_b.maturity.level)
