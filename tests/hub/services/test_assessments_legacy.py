"""Runs stored before runs recorded what they measured (no ``maturity.measured`` in their JSON, level 1 for a run
that measured nothing) are told apart by their results: the snapshot, the inventory and Monev show such a run as
"belum diukur ulang" with the reason, and keep an old run that did measure something as it was."""

from __future__ import annotations

import json

from hub.assessment import load_catalog
from hub.assessment.models import Text
from hub.inventory import build_inventory
from hub.services.assessments import AssessmentService, run_of, target_from_application, unmeasured_run
from hub.services.registry_access import Principal
from registry import assessments as store
from registry import repository as repo
from registry.db import Database


def legacy(db: Database, app_id: str, *, measured_something: bool) -> dict:
    """The JSON of a run as an older Simpul stored it: level 1, no ``measured`` keys."""
    with db.session() as s:
        target = target_from_application(repo.get_application(s, app_id))
    run = unmeasured_run(target, Text(id="tanpa alamat", en="no address"), [], load_catalog(),
                         AssessmentService(db, Principal.cli()).limits)
    data = json.loads(run.model_dump_json())
    if measured_something:
        data["results"][0]["status"] = "pass"  # REL-001 was measured
    data["maturity"] = {k: v for k, v in data["maturity"].items()
                        if k not in ("measured", "not_measured_reason", "provisional", "missing", "score_level")}
    data["maturity"].update(level=1, name={"id": "Informasi", "en": "Information"}, overall_score=0.0)
    for score in data["scores"]:
        score.pop("measured", None)
    with db.session() as s:
        store.save_run(s, data, trigger="cli", actor="cli:lama")
    return data


def test_an_old_level_1_run_that_measured_nothing_is_shown_as_not_measured(registry_loaded: Database):
    legacy(registry_loaded, "dapodik", measured_something=False)
    legacy(registry_loaded, "e-planning", measured_something=True)
    snapshot = AssessmentService(registry_loaded, Principal.cli()).snapshot()
    old_empty, old_measured = snapshot["dapodik"], snapshot["e-planning"]
    assert not old_empty.measured and old_empty.maturity.level == 0 and old_empty.maturity.overall_score is None
    assert "not measured again yet" in old_empty.maturity.not_measured_reason.en
    assert "belum diukur ulang" in old_empty.maturity.not_measured_reason.id
    assert all(s.score is None for s in old_empty.scores)
    assert old_measured.measured and old_measured.maturity.level == 1  # it did measure REL-001: left as it was
    with registry_loaded.session() as s:
        apps = [repo.get_application(s, "dapodik"), repo.get_application(s, "e-planning")]
    inventory = build_inventory(None, [], apps, snapshot)  # the inventory counts only what was measured
    assert inventory.totals.assessed == 1
    assert [n.app_id for n in inventory.totals.not_measured] == ["dapodik"]


def test_a_run_that_records_what_it_measured_is_read_as_stored(registry_loaded: Database):
    with registry_loaded.session() as s:
        target = target_from_application(repo.get_application(s, "dapodik"))
    run = unmeasured_run(target, Text(id="tanpa alamat", en="no address"), [], load_catalog(),
                         AssessmentService(registry_loaded, Principal.cli()).limits)
    with registry_loaded.session() as s:
        record = store.save_run(s, json.loads(run.model_dump_json()), trigger="cli", actor="cli:baru")
    again = run_of(record)
    assert "no address" in again.maturity.not_measured_reason.en  # its own reason, not the legacy one
    assert "old run" not in again.maturity.not_measured_reason.en
