"""Result states, scores per standard, the maturity level, manual answers and run comparison."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hub.assessment import (
    AssessmentRun,
    CheckResult,
    ProbeLimits,
    Status,
    answer_manual,
    compare,
    load_catalog,
    rescore,
)
from hub.assessment.models import Text
from hub.assessment.scoring import coverage, maturity, standard_scores
from hub.errors import BadRequest, NotFound

from .conftest import target

CATALOG = load_catalog()
T = Text(id="x", en="x")


def result(check_id: str, status: Status, weight: int = 2, automated: bool = True) -> CheckResult:
    std = next(s for s, v in CATALOG.standards.items() if v.prefix == check_id[:3])
    return CheckResult(check_id=check_id, standard=std, title=T, status=status, weight=weight, automated=automated)


def score_of(results: list[CheckResult], standard: str) -> float | None:
    return next(s.score for s in standard_scores(results, CATALOG) if s.standard == standard)


def test_score_is_weighted_and_a_warning_counts_half():
    results = [result("REL-001", Status.PASS, 3), result("REL-002", Status.WARNING, 2),
               result("REL-003", Status.FAIL, 3)]
    assert score_of(results, "reliable") == round(100 * (3 + 1) / 8, 1)


@pytest.mark.parametrize("ignored", [Status.ERROR, Status.NOT_APPLICABLE, Status.NOT_ANSWERED, Status.INCONCLUSIVE])
def test_errors_not_applicable_and_unanswered_checks_do_not_count(ignored):
    base = [result("REL-001", Status.PASS, 3), result("REL-003", Status.FAIL, 1)]
    assert score_of([*base, result("REL-004", ignored, 5)], "reliable") == score_of(base, "reliable") == 75.0


def test_a_standard_with_nothing_measured_has_no_score():
    assert score_of([result("REL-001", Status.ERROR)], "reliable") is None
    assert score_of([], "scalable") is None


def test_coverage_counts_only_automated_measured_weight():
    results = [result("REL-001", Status.PASS, 3), result("REL-002", Status.ERROR, 1),
               result("REL-007", Status.NOT_ANSWERED, 2, automated=False),
               result("REL-006", Status.NOT_APPLICABLE, 2)]
    assert coverage(results) == 0.75


def all_checks(status: Status) -> list[CheckResult]:
    return [result(c.id, status, c.weight, c.automated) for c in CATALOG.checks]


def test_level_mapping_follows_levels_yaml():
    perfect = all_checks(Status.PASS)
    assert maturity(perfect, standard_scores(perfect, CATALOG), CATALOG).level == 5
    failing = all_checks(Status.FAIL)
    low = maturity(failing, standard_scores(failing, CATALOG), CATALOG)
    assert low.level == 1 and low.name.id == "Informasi" and low.next_level == 2
    assert low.gaps[0].requirement == "overall"


def test_level_is_held_back_by_a_weak_standard_and_explained_by_its_costliest_checks():
    results = all_checks(Status.PASS)
    for r in results:
        if r.standard == "interoperable" and r.check_id in ("INT-001", "INT-002"):
            r.status = Status.FAIL
    level = maturity(results, standard_scores(results, CATALOG), CATALOG)
    assert level.level == 3  # overall is high, but level 4 (Kolaborasi) needs Interoperable ≥ 75
    assert [g.requirement for g in level.gaps] == ["interoperable"]
    assert level.drivers[:2] == ["INT-001", "INT-002"]  # weight 3 before weight 2
    assert "INT-001" in level.explanation.en and "Kolaborasi" in level.explanation.id


def test_low_coverage_blocks_the_top_levels():
    results = all_checks(Status.PASS)
    for r in results:
        if r.automated and r.standard in ("scalable", "user_friendly", "reliable"):
            r.status = Status.ERROR
    level = maturity(results, standard_scores(results, CATALOG), CATALOG)
    assert level.score_level == 3  # the scores that exist are high, coverage holds back level 4
    assert level.level == 1 and level.provisional and level.missing == ["REL-001", "REL-002"]  # nothing measured


def run_with(results: list[CheckResult], run_id: str) -> AssessmentRun:
    scores = standard_scores(results, CATALOG)
    now = datetime.now(UTC)
    return AssessmentRun(run_id=run_id, started_at=now, finished_at=now, target=target(),
                         catalog_version=CATALOG.label, limits=ProbeLimits(), results=results, scores=scores,
                         maturity=maturity(results, scores, CATALOG))


def test_compare_lists_status_changes_and_score_deltas():
    before = all_checks(Status.PASS)
    after = all_checks(Status.PASS)
    after[0].status = Status.FAIL  # REL-001
    diff = compare(run_with(before, "a"), run_with(after, "b"))
    assert [(c.check_id, c.before, c.after) for c in diff.changed] == [("REL-001", Status.PASS, Status.FAIL)]
    assert diff.score_deltas["reliable"] < 0 and diff.score_deltas["scalable"] == 0
    assert diff.overall_delta < 0 and diff.run_a == "a" and diff.run_b == "b"


def test_runs_are_json_round_trippable():
    run = run_with(all_checks(Status.WARNING), "r1")
    again = AssessmentRun.model_validate_json(run.model_dump_json())
    assert again == run


def test_answer_manual_checks_the_catalog_and_the_evidence():
    ok = answer_manual("REL-008", "fail", [{"title": "Berita acara uji pemulihan", "url": "https://x/ba.pdf",
                                            "note": "tidak pernah diuji"}], "Inspektorat")
    assert ok.answer == "fail" and ok.answered_at.tzinfo is not None
    with pytest.raises(NotFound):
        answer_manual("REL-999", "pass", [{"title": "x", "url": "u"}], "a")
    with pytest.raises(BadRequest):
        answer_manual("REL-001", "pass", [{"title": "x", "url": "u"}], "a")  # automated
    with pytest.raises(BadRequest):
        answer_manual("REL-008", "pass", [], "a")  # a pass needs evidence
    with pytest.raises(BadRequest):
        answer_manual("REL-008", "not_applicable", [{"title": "x"}], "a")  # n/a needs a note why
    na = answer_manual("REL-008", "not_applicable", [{"title": "x", "note": "aplikasi SaaS nasional"}], "a")
    assert na.answer == "not_applicable"


def test_rescore_applies_later_answers():
    results = all_checks(Status.PASS)
    for r in results:
        if not r.automated:
            r.status = Status.NOT_ANSWERED
    run = run_with(results, "r")
    assert run.score("reliable") == 100 and len(run.pending_manual) == 7
    answer = answer_manual("REL-009", "fail", [{"title": "Matriks hak akses", "file_name": "akses.xlsx"}], "auditor")
    again = rescore(run, [answer])
    assert again.result("REL-009").status is Status.FAIL and again.result("REL-009").answered_by == "auditor"
    assert again.score("reliable") < 100 and "REL-009" not in again.pending_manual
    assert again.run_id == run.run_id


def test_a_level_needs_its_required_checks_answered_else_it_is_provisional():
    results = all_checks(Status.PASS)
    for r in results:
        if not r.automated:
            r.status = Status.NOT_ANSWERED
    level = maturity(results, standard_scores(results, CATALOG), CATALOG)
    assert level.score_level == 5 and level.level == 2 and level.provisional
    assert level.missing[:2] == ["REL-007", "REL-009"]  # what level 3 still waits for, first
    assert "sementara" in level.explanation.id.lower() and "REL-007" in level.explanation.en
    for r in results:
        if r.check_id in ("REL-007", "REL-009"):
            r.status = Status.NOT_APPLICABLE  # an answer, with the auditor's note
    lifted = maturity(results, standard_scores(results, CATALOG), CATALOG)
    assert lifted.level == 3 and lifted.provisional and "INT-006" in lifted.missing


def test_a_run_that_measured_nothing_has_no_level_and_no_score():
    results = [result(c.id, Status.ERROR if c.automated else Status.PASS, c.weight, c.automated)
               for c in CATALOG.checks]
    scores = standard_scores(results, CATALOG)
    level = maturity(results, scores, CATALOG)
    assert level.level == 0 and not level.measured and level.name.id == "Belum diukur"
    assert level.overall_score is None
    assert [s.measured for s in scores if s.standard == "reliable"] == [True]  # manual answers are measured
    assert not any(s.measured for s in standard_scores([r for r in results if r.automated], CATALOG))


def test_an_inconclusive_timing_check_is_not_measured_and_makes_its_level_provisional():
    results = all_checks(Status.PASS)
    by_id = {r.check_id: r for r in results}
    by_id["SCA-003"].status = Status.INCONCLUSIVE  # level 5 requires SCA-003 answered
    scores = standard_scores(results, CATALOG)
    scalable = next(s for s in scores if s.standard == "scalable")
    assert scalable.score == 100.0 and scalable.counts["inconclusive"] == 1  # scored on its other checks only
    level = maturity(results, scores, CATALOG)
    assert level.score_level == 5 and level.level == 4 and level.provisional and level.missing == ["SCA-003"]
    assert "tidak meyakinkan" in level.explanation.id and "inconclusive" in level.explanation.en
    assert coverage(results) < coverage(all_checks(Status.PASS))  # not a verdict: it lowers the coverage


def test_a_standard_whose_only_measured_checks_are_inconclusive_has_no_score():
    results = [result("SCA-003", Status.INCONCLUSIVE), result("SCA-001", Status.ERROR)]
    assert score_of(results, "scalable") is None


def test_compare_shows_a_change_to_inconclusive_as_it_is():
    before = all_checks(Status.PASS)
    after = all_checks(Status.PASS)
    next(r for r in after if r.check_id == "REL-002").status = Status.INCONCLUSIVE
    diff = compare(run_with(before, "a"), run_with(after, "b"))
    assert [(c.check_id, c.before, c.after) for c in diff.changed] == [("REL-002", Status.PASS,
                                                                         Status.INCONCLUSIVE)]
