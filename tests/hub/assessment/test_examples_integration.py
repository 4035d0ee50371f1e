"""The five simulated OPD applications, in different quality profiles, separate the way an auditor would expect.

Starts real servers (examples/launcher.py) and assesses them over loopback: marked slow (about a minute).
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from hub.assessment import AssessmentRun, AssessmentTarget, ProbeLimits, Status, TargetAuth, assess

launcher = pytest.importorskip("examples.launcher")

PROFILES = {"e-planning": "good", "e-budgeting": "good", "simpeg": "fragile", "jdih": "legacy", "pelayanan": "slow"}
AREAS = {"e-planning": "perencanaan", "e-budgeting": "keuangan", "simpeg": "kepegawaian", "jdih": "legislasi",
         "pelayanan": "pelayanan_publik"}
LIMITS = ProbeLimits(availability_probes=4, availability_interval_s=0.1, load_levels=[1, 4],
                     load_requests_per_client=1, sample_pages=1, total_timeout_s=150)


def partner_records(url: str, token: str) -> dict[str, list[dict]]:
    response = httpx.get(f"{url}/api/v1/export/sub-kegiatan.ndjson", headers={"Authorization": f"Bearer {token}"},
                         timeout=30)
    response.raise_for_status()
    return {"perencanaan/sub_kegiatan": [json.loads(line) for line in response.text.splitlines() if line.strip()]}


@pytest.fixture(scope="module")
def runs() -> dict[str, AssessmentRun]:
    with launcher.start_examples(PROFILES, ports=0, latency=1.2) as urls:
        partners = partner_records(urls["e-planning"], urls.tokens["e-planning"])

        async def one(app: str) -> AssessmentRun:
            target = AssessmentTarget(app_id=app, name=app, base_url=urls[app], area=AREAS[app],
                                      auth=TargetAuth(headers={"Authorization": f"Bearer {urls.tokens[app]}"}))
            return await assess(target, limits=LIMITS, partner_records=partners if app == "e-budgeting" else None)

        async def all_runs() -> list[AssessmentRun]:
            return await asyncio.gather(*(one(app) for app in PROFILES))

        return dict(zip(PROFILES, asyncio.run(all_runs()), strict=True))


def failed(run: AssessmentRun) -> set[str]:
    return {r.check_id for r in run.results if r.status is Status.FAIL}


@pytest.mark.slow
def test_good_applications_score_high_on_all_five_standards(runs):
    for app in ("e-planning", "e-budgeting"):
        run = runs[app]
        assert all(s.score is not None and s.score >= 90 for s in run.scores), (app, failed(run))
        assert run.maturity.score_level >= 4 and run.maturity.provisional  # manual checks unanswered


@pytest.mark.slow
def test_budget_lines_resolve_in_the_planning_application(runs):
    assert runs["e-budgeting"].result("INT-005").status is Status.PASS


@pytest.mark.slow
def test_fragile_fails_reliable(runs):
    run = runs["simpeg"]
    assert {"REL-003", "REL-004"} <= failed(run)
    assert run.score("reliable") < 70 <= runs["e-planning"].score("reliable")


@pytest.mark.slow
def test_legacy_fails_interoperable_and_integrateable(runs):
    run = runs["jdih"]
    assert {"INT-001", "INT-002", "INT-003", "ITG-001"} <= failed(run)
    hint = run.result("INT-001").message.en  # counts, fields, and the command that starts a mapping
    assert " of " in hint and "Canonical fields" in hint
    assert "Start a mapping: simpul mapping suggest jdih " in hint and "--schema legislasi/produk_hukum" in hint
    assert run.score("interoperable") < 50 and run.score("integrateable") < 75
    assert run.maturity.level <= 2


@pytest.mark.slow
def test_slow_fails_latency_and_scalable(runs):
    run = runs["pelayanan"]
    assert {"REL-002", "SCA-003"} <= failed(run)
    assert run.score("scalable") < runs["e-planning"].score("scalable")
