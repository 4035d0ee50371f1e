"""Monitoring and evaluation: two snapshots of assessment runs (each ``app_id -> run``) become the guide's
quarterly worksheet — what works, what doesn't work, what should be improved — with every score that moved and
every check whose status changed.

* works: a standard that now meets its threshold, a score up by at least ``min_delta``, a check that now passes,
  a level up; and, per application, the standards that meet their threshold in both snapshots;
* doesn't work: the reverse (threshold lost, score down, check now failing, level down), and the standards still
  below their threshold in both snapshots;
* should be improved: the failing checks of the later snapshot (heaviest first), checks Simpul could not measure,
  manual checks not answered, and applications assessed before but not now.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime

from hub.assessment.models import STANDARDS, AssessmentRun, Status, Text
from hub.assessment.scoring import compare
from hub.errors import BadRequest
from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.config import load_readiness
from hub.inventory.context import standard_names
from hub.inventory.models import CheckChange, MonevEntry, MonevWorksheet, ScoreMove

STATUS_VALUES = {s.value for s in Status}
GOOD = {Status.PASS}
BAD = {Status.FAIL, Status.WARNING}


def _local(params: dict[str, object], lang: str) -> dict[str, object]:
    """Numbers in the language's notation, check statuses in its words (the texts are kept in both)."""
    out: dict[str, object] = {}
    for key, value in params.items():
        if value is None:
            out[key] = "-"
        elif isinstance(value, dict) and set(value) == {"id", "en"}:
            out[key] = value[lang]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            out[key] = fmt.number(value, lang)
        elif key in ("status", "before", "after") and value in STATUS_VALUES:
            out[key] = t(f"assessment.status.{value}", lang)
        else:
            out[key] = value
    return out


def _both(key: str, **params: object) -> dict[str, str]:
    return {lang: t(key, lang, **_local(params, lang)) for lang in ("id", "en")}


def _t(key: str, **params: object) -> Text:
    return Text(**_both(f"inventory.monev.{key}", **params))


def _std(standard: str) -> Text:
    return standard_names()[standard]


def _fmt(value: float | None, lang: str = "id") -> str:
    return fmt.number(value, lang)


def _moves(app_id: str, a: AssessmentRun | None, b: AssessmentRun | None, thresholds: dict[str, float],
           ) -> list[ScoreMove]:
    out = []
    for std in STANDARDS:
        before = a.score(std) if a else None
        after = b.score(std) if b else None
        if before is None and after is None:
            continue
        delta = round(after - before, 1) if before is not None and after is not None else None
        thr = thresholds.get(std, 0.0)
        met_a, met_b = before is not None and before >= thr, after is not None and after >= thr
        crossed = "up" if met_b and not met_a else ("down" if met_a and not met_b else None)
        if delta == 0 and crossed is None:
            continue
        out.append(ScoreMove(app_id=app_id, standard=std, before=before, after=after, delta=delta, threshold=thr,
                             crossed=crossed))
    return out


def _check_changes(app_id: str, a: AssessmentRun, b: AssessmentRun) -> list[CheckChange]:
    titles = {r.check_id: (r.standard, r.title) for r in (*a.results, *b.results)}
    return [CheckChange(app_id=app_id, check_id=c.check_id, standard=titles.get(c.check_id, (None, None))[0],
                        title=titles.get(c.check_id, (None, None))[1],
                        before=c.before.value if c.before else None, after=c.after.value if c.after else None)
            for c in compare(a, b).changed]


def _judge(app_id: str, moves: list[ScoreMove], changes: list[CheckChange], a: AssessmentRun, b: AssessmentRun,
           thresholds: dict[str, float], min_delta: float) -> tuple[list[MonevEntry], list[MonevEntry]]:
    works, bad = [], []
    for m in moves:
        params = {"app": app_id, "before": m.before, "after": m.after, "delta": m.delta,
                  "threshold": m.threshold}
        name = _std(m.standard)
        if m.crossed == "up":
            works.append(MonevEntry(app_id=app_id, standard=m.standard, text=_std_t("crossed_up", name, params)))
        elif m.crossed == "down":
            bad.append(MonevEntry(app_id=app_id, standard=m.standard, text=_std_t("crossed_down", name, params)))
        elif m.delta is not None and m.delta >= min_delta:
            works.append(MonevEntry(app_id=app_id, standard=m.standard, text=_std_t("score_up", name, params)))
        elif m.delta is not None and m.delta <= -min_delta:
            bad.append(MonevEntry(app_id=app_id, standard=m.standard, text=_std_t("score_down", name, params)))
    for c in changes:
        params = {"app": app_id, "check": c.check_id, "before": c.before or "-", "after": c.after or "-"}
        title = c.title or Text(id="", en="")
        after_good = c.after == Status.PASS.value
        if after_good and c.before in {s.value for s in BAD}:
            works.append(MonevEntry(app_id=app_id, check_id=c.check_id, text=_title_t("check_fixed", title, params)))
        elif c.after in {s.value for s in BAD} and c.before in {Status.PASS.value, Status.WARNING.value} \
                and c.before != c.after:
            bad.append(MonevEntry(app_id=app_id, check_id=c.check_id, text=_title_t("check_broke", title, params)))
    la, lb = a.maturity.level, b.maturity.level
    if lb != la:
        entry = MonevEntry(app_id=app_id, text=_t("level_up" if lb > la else "level_down", app=app_id, a=la, b=lb))
        (works if lb > la else bad).append(entry)
    steady_ok = [s for s in STANDARDS if _meets(a, s, thresholds) and _meets(b, s, thresholds)]
    steady_bad = [s for s in STANDARDS if _below(a, s, thresholds) and _below(b, s, thresholds)]
    if steady_ok:
        works.append(MonevEntry(app_id=app_id, text=_list_t("steady_ok", app_id, steady_ok, b)))
    if steady_bad:
        bad.append(MonevEntry(app_id=app_id, text=_list_t("steady_bad", app_id, steady_bad, b)))
    return works, bad


def _meets(run: AssessmentRun, std: str, thresholds: dict[str, float]) -> bool:
    s = run.score(std)
    return s is not None and s >= thresholds.get(std, 0.0)


def _below(run: AssessmentRun, std: str, thresholds: dict[str, float]) -> bool:
    s = run.score(std)
    return s is not None and s < thresholds.get(std, 0.0)


def _std_t(key: str, name: Text, params: dict[str, str]) -> Text:
    return Text(id=_both(f"inventory.monev.{key}", standard=name.id, **params)["id"],
                en=_both(f"inventory.monev.{key}", standard=name.en, **params)["en"])


def _title_t(key: str, title: Text, params: dict[str, str]) -> Text:
    return Text(id=_both(f"inventory.monev.{key}", title=title.id, **params)["id"],
                en=_both(f"inventory.monev.{key}", title=title.en, **params)["en"])


def _list_t(key: str, app_id: str, standards: list[str], run: AssessmentRun) -> Text:
    def shown(lang: str) -> str:
        return ", ".join(f"{_std(s).get(lang)} {_fmt(run.score(s), lang)}" for s in standards)
    return Text(id=_both(f"inventory.monev.{key}", app=app_id, standards=shown("id"))["id"],
                en=_both(f"inventory.monev.{key}", app=app_id, standards=shown("en"))["en"])


def _improve(app_id: str, run: AssessmentRun, limit: int) -> list[MonevEntry]:
    out = []
    failing = sorted((r for r in run.results if r.status in BAD), key=lambda r: (r.status is not Status.FAIL,
                                                                                 -r.weight, r.check_id))
    for r in failing[:limit]:
        params = {"app": app_id, "check": r.check_id, "status": r.status.value}
        out.append(MonevEntry(app_id=app_id, standard=r.standard, check_id=r.check_id,
                              text=_title_t("fix_check", r.title, params)))
    if len(failing) > limit:
        rest = ", ".join(r.check_id for r in failing[limit:])
        out.append(MonevEntry(app_id=app_id, text=_t("fix_more", app=app_id, n=len(failing) - limit, checks=rest)))
    if run.errors:
        out.append(MonevEntry(app_id=app_id, text=_t("unmeasured", app=app_id, checks=", ".join(run.errors))))
    if run.pending_manual:
        out.append(MonevEntry(app_id=app_id, text=_t("manual", app=app_id, checks=", ".join(run.pending_manual))))
    return out


def monev(runs_a: Mapping[str, AssessmentRun], runs_b: Mapping[str, AssessmentRun], *, label_a: str = "A",
          label_b: str = "B", thresholds: Mapping[str, float] | None = None, min_delta: float = 1.0,
          max_checks_per_app: int = 5) -> MonevWorksheet:
    """Compare snapshot ``runs_a`` (before) with ``runs_b`` (after), both ``app_id -> latest run``."""
    thr = dict(thresholds or load_readiness().standard_min)
    warnings = [] if runs_a else [_t("empty_before", label=label_a)]
    not_measured = [MonevEntry(app_id=k, text=_t("not_measured", app=k, reason=_reason(v)))
                    for k, v in sorted(runs_b.items()) if not v.measured]
    runs_a = {k: v for k, v in runs_a.items() if v.measured}  # a run that measured nothing is judged by nobody
    runs_b = {k: v for k, v in runs_b.items() if v.measured}
    works: list[MonevEntry] = []
    bad: list[MonevEntry] = []
    improve: list[MonevEntry] = []
    moves: list[ScoreMove] = []
    changes: list[CheckChange] = []
    only_a = sorted(set(runs_a) - set(runs_b))
    only_b = sorted(set(runs_b) - set(runs_a))
    both_ = sorted(set(runs_a) & set(runs_b))
    for app_id in sorted(set(runs_a) | set(runs_b)):
        a, b = runs_a.get(app_id), runs_b.get(app_id)
        app_moves = _moves(app_id, a, b, thr)
        moves += app_moves
        if a is not None and b is not None:
            app_changes = _check_changes(app_id, a, b)
            changes += app_changes
            w, d = _judge(app_id, app_moves, app_changes, a, b, thr, min_delta)
            works += w
            bad += d
        elif b is not None:
            works.append(MonevEntry(app_id=app_id, text=_t("newly_assessed", app=app_id,
                                                           overall=b.maturity.overall_score,
                                                           level=b.maturity.level)))
        else:
            improve.append(MonevEntry(app_id=app_id, text=_t("reassess", app=app_id, label=label_b)))
        if b is not None:
            improve += _improve(app_id, b, max_checks_per_app)
    return MonevWorksheet(generated_at=datetime.now(UTC), label_a=label_a, label_b=label_b, apps_compared=both_,
                          apps_only_a=only_a, apps_only_b=only_b, works=works, doesnt_work=bad, improve=improve,
                          score_moves=moves, check_changes=changes, thresholds=thr, not_measured=not_measured,
                          warnings=warnings)


def _reason(run: AssessmentRun) -> dict[str, str]:
    why = run.maturity.not_measured_reason
    return {"id": why.id, "en": why.en} if why is not None else {"id": "-", "en": "-"}


def check_period(day_a: date | None, day_b: date | None) -> None:
    """Refuse a Monev whose 'before' date is after its 'after' date (the worksheet would read backwards)."""
    if day_a is not None and day_b is not None and day_a > day_b:
        raise BadRequest("inventory.monev.reversed", before=day_a.isoformat(), after=day_b.isoformat())
