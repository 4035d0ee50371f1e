"""A run with an inconclusive timing check (issue 10.5) in the web workspace: the check page shows the state and
its reason, and the home page asks to assess the application again."""

from __future__ import annotations

from datetime import UTC, datetime

from hub.assessment import AssessmentRun, AssessmentTarget, CheckResult, ProbeLimits, Status, load_catalog
from hub.assessment.models import Text
from hub.assessment.scoring import maturity, standard_scores
from hub.i18n import both
from registry import assessments as ra


def store_run(db) -> str:  # type: ignore[no-untyped-def]
    catalog = load_catalog()
    reason = Text(**both("assessment.reason.hub_busy", lag_p95_ms=420.0, lag_max_ms=1200.0, lag_limit_ms=50.0,
                         disturbed=12, total=20, app="e-planning"))
    results = [CheckResult(check_id=c.id, standard=c.standard, title=c.title, weight=c.weight, automated=c.automated,
                           status=Status.INCONCLUSIVE if c.id == "REL-002" else Status.PASS,
                           reason=reason if c.id == "REL-002" else None) for c in catalog.checks]
    scores = standard_scores(results, catalog)
    now = datetime.now(UTC)
    run = AssessmentRun(run_id="c0ffee" * 5, started_at=now, finished_at=now,
                        target=AssessmentTarget(app_id="e-planning", name="E-Planning", base_url="http://127.0.0.1:8101"),
                        catalog_version=catalog.label, limits=ProbeLimits(), results=results, scores=scores,
                        maturity=maturity(results, scores, catalog))
    with db.session() as s:
        ra.save_run(s, run.model_dump(mode="json"), trigger="cli", actor="cli:uji")
    return run.run_id


def test_the_run_page_shows_an_inconclusive_check_with_its_reason(web, web_db, sign_in):
    run_id = store_run(web_db)
    sign_in(web, "auditor")
    page = web.get(f"/penilaian/hasil/{run_id}").text
    assert 'class="badge s-inconclusive"' in page and "tidak meyakinkan" in page
    assert "simpul assess run e-planning" in page  # the reason says how to re-run
    home = web.get("/").text
    assert "pemeriksaan waktu yang tidak meyakinkan" in home
    english = web.get(f"/penilaian/hasil/{run_id}?lang=en").text
    assert ">inconclusive<" in english
