"""The example OPD applications registered in a registry and assessed together, as ``simpul assess --all`` does:
the good application scores higher than the fragile one, and the budget lines resolve in e-planning.

Starts real servers (examples/launcher.py) and assesses them over loopback: marked slow.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import yaml

from hub.assessment import ProbeLimits, Status
from hub.services.assessments import AssessmentService, ProbeOptions
from hub.services.registry_access import Principal
from registry.db import Database
from registry.io import import_batch, read

launcher = pytest.importorskip("examples.launcher")

REGISTRY = Path(__file__).resolve().parents[3] / "examples" / "registry" / "registry.yaml"
PROFILES = {"e-planning": "good", "e-budgeting": "good", "jdih": "fragile"}
PORTS = {"e-planning": 8101, "e-budgeting": 8102, "jdih": 8104}
LIMITS = ProbeLimits(availability_probes=4, availability_interval_s=0.1, load_levels=[1, 4],
                     load_requests_per_client=1, sample_pages=1, total_timeout_s=150)


def register(db: Database, urls: dict[str, str]) -> None:
    """The sample registry, reduced to the running applications, with their real addresses."""
    text = REGISTRY.read_text("utf-8")
    for app, port in PORTS.items():
        text = text.replace(f"http://127.0.0.1:{port}", urls[app])
    data = yaml.safe_load(text)
    data["applications"] = [a for a in data["applications"] if a["id"] in PROFILES]
    with db.session() as s:
        report = import_batch(s, read(yaml.safe_dump(data, allow_unicode=True).encode(), "yaml"), "test:examples")
    assert report.valid, report.errors


@pytest.mark.slow
def test_registered_examples_good_scores_higher_than_fragile(registry_db: Database,
                                                             monkeypatch: pytest.MonkeyPatch):
    with launcher.start_examples(PROFILES, ports=0) as urls:
        for app in PROFILES:
            monkeypatch.setenv(f"SIMPUL_{app.replace('-', '').upper()}_TOKEN", urls.tokens[app])
        register(registry_db, urls)
        service = AssessmentService(registry_db, Principal.cli(), options=ProbeOptions(limits=LIMITS))
        records = asyncio.run(service.assess_applications(None, trigger="demo"))
    by_app = {r.app_id: r for r in records}
    assert set(by_app) == set(PROFILES)
    good, fragile = by_app["e-planning"], by_app["jdih"]
    assert good.overall_score is not None and fragile.overall_score is not None
    assert good.overall_score > fragile.overall_score
    score_level = {r.app_id: (r.result or {})["maturity"]["score_level"] for r in (good, fragile)}
    assert score_level["e-planning"] > score_level["jdih"]  # the levels both wait for the manual answers
    assert good.scores["reliable"] > fragile.scores["reliable"]
    assert good.counts["fail"] == 0 and fragile.counts["fail"] > 0
    fragile_run = service.run(fragile.run_id)
    assert {"REL-003", "REL-004"} <= {r.check_id for r in fragile_run.failed}
    assert service.run(by_app["e-budgeting"].run_id).result("INT-005").status is Status.PASS
    assert len(service.list_runs().items) == 3
