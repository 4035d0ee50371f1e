"""Assessing registered applications: targets from the registry, stored runs, partner data, manual answers that
change the stored scores, and who may do what."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hub.assessment import Status
from hub.errors import BadRequest, Forbidden, NotFound, RequestInvalid
from hub.services import assessments as svc_module
from hub.services.assessments import (
    AssessmentService,
    auth_from_config,
    plan_target,
    target_from_application,
)
from hub.services.registry_access import Principal
from registry import repository as repo
from registry.db import Database
from registry.models import ApplicationIn

from .test_assessments_kit import BAPPEDA, BPKAD, ENV, options

AUDITOR = Principal(actor="key:inspektorat#7", role="auditor", name="Inspektorat Kota Blitar", key_id=7)
VENDOR = Principal(actor="key:vendor#8", role="vendor", name="PT Vendor", key_id=8)
OPD_BAPPEDA = Principal(actor="key:bappeda#9", role="opd", name="Bappeda", key_id=9, kode_pemda="35.72",
                        kode_opd=BAPPEDA)


def app_of(db: Database, app_id: str) -> Any:
    with db.session() as s:
        return repo.get_application(s, app_id)


def service(db: Database, principal: Principal = AUDITOR, **kwargs: Any) -> AssessmentService:
    return AssessmentService(db, principal, "en", options=options(**kwargs))


def minimal_app(**overrides: Any) -> ApplicationIn:
    data: dict[str, Any] = {"id": "uji", "name": "Aplikasi uji", "status": "production", "kode_pemda": "35.72",
                            "kode_opd": BAPPEDA, "area": "perencanaan", "kind": "khusus"}
    data.update(overrides)
    return ApplicationIn.model_validate(data)


# -- targets --------------------------------------------------------------------------------------------------
def test_targets_from_the_sample_registry(registry_loaded: Database, monkeypatch: pytest.MonkeyPatch):
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_ASSESS_ALLOWED_HOSTS", '["gateway.blitarkota.go.id"]')
    get_settings.cache_clear()
    eplanning = target_from_application(app_of(registry_loaded, "e-planning"), environ=ENV)
    assert eplanning.base_url == "http://127.0.0.1:8101" and eplanning.area == "perencanaan"
    assert eplanning.schemas == ["perencanaan/program", "perencanaan/kegiatan", "perencanaan/sub_kegiatan"]
    assert eplanning.connector is not None
    assert set(eplanning.connector["resources"]) == {"program", "kegiatan", "sub-kegiatan"}
    assert eplanning.connector["connector"]["config"]["auth"]["token"] == {"env": "SIMPUL_EPLANNING_TOKEN"}
    assert eplanning.auth.headers["Authorization"].get_secret_value() == "Bearer demo-e-planning-token"
    assert "demo-e-planning-token" not in json.dumps(eplanning.model_dump(mode="json"))
    assert eplanning.is_public is False
    assert eplanning.allowed_hosts == ["gateway.blitarkota.go.id"]

    assert target_from_application(app_of(registry_loaded, "sipd")).is_public  # national, on the internet
    assert svc_module.public_address("https://lpse.blitarkota.go.id")  # a public go.id name
    assert not target_from_application(app_of(registry_loaded, "spse")).is_public  # the sample's reserved name
    simona = target_from_application(app_of(registry_loaded, "simona"))
    assert simona.is_public is False and simona.base_url == "http://simona.bappeda.blitarkota.example/simona"


def test_an_application_without_address_or_secret_cannot_be_probed(registry_loaded: Database):
    dapodik = plan_target(app_of(registry_loaded, "dapodik"))
    assert dapodik.problem is not None and "hosting.base_urls" in dapodik.problem.en
    assert dapodik.target.base_url.endswith(".invalid")
    budgeting = plan_target(app_of(registry_loaded, "e-budgeting"), environ={})
    assert budgeting.problem is not None and "SIMPUL_EBUDGETING_TOKEN" in budgeting.problem.en
    assert "SIMPUL_EBUDGETING_TOKEN" in budgeting.problem.id
    assert budgeting.target.auth.headers == {}
    bad = plan_target(minimal_app(hosting={"base_urls": ["http://uji.example.go.id/?token=x"]}))
    assert bad.problem is not None and "uji.example.go.id" in bad.problem.en


def test_every_connector_auth_kind_becomes_probe_credentials():
    env = {"KEY": "k-123", "PASS": "rahasia", "TOKEN": "t-9"}
    auth, problem = auth_from_config({"auth": {"type": "api_key", "header": "X-Key", "api_key": {"env": "KEY"}}},
                                     env, "a")
    assert problem is None and auth.headers["X-Key"].get_secret_value() == "k-123"
    auth, _ = auth_from_config({"auth": {"type": "api_key", "name": "apikey", "in": "query", "prefix": "T ",
                                         "value": {"env": "KEY"}}}, env, "a")
    assert auth.query["apikey"].get_secret_value() == "T k-123" and not auth.headers
    auth, _ = auth_from_config({"auth": {"type": "basic", "username": "u", "password": {"env": "PASS"}},
                                "headers": {"X-Tenant": "blitar", "X-Extra": {"env": "TOKEN"}}}, env, "a")
    assert auth.headers["Authorization"].get_secret_value() == "Basic dTpyYWhhc2lh"
    assert auth.headers["X-Extra"].get_secret_value() == "t-9" and auth.headers["X-Tenant"].get_secret_value()
    auth, problem = auth_from_config({"auth": {"type": "oauth2_client_credentials", "token_url": "https://x",
                                               "client_id": "c", "client_secret": {"env": "PASS"}}}, env, "a")
    assert problem is None and auth.oauth2 is not None  # the probes fetch the token themselves
    assert auth.oauth2.client_secret.get_secret_value() == "rahasia" and auth.oauth2.token_url == "https://x"
    _, problem = auth_from_config({"auth": {"type": "bearer", "token": {"env": "MISSING_ONE"}}}, env, "a")
    assert problem is not None and "MISSING_ONE" in problem.en
    assert auth_from_config({}, env, "a") == (auth_from_config({"auth": {"type": "none"}}, env, "a")[0], None)


# -- assessing ------------------------------------------------------------------------------------------------
async def test_assessing_stores_a_run_per_application(registry_loaded: Database):
    seen: dict[str, int] = {}

    def progress(app_id: str, done: int, total: int, check_id: str) -> None:
        seen[app_id] = max(seen.get(app_id, 0), done)

    service_ = service(registry_loaded)
    records = await service_.assess_applications(["e-planning", "e-budgeting", "dapodik"], trigger="demo",
                                                 progress=progress)
    by_app = {r.app_id: r for r in records}
    assert list(by_app) == ["e-planning", "e-budgeting", "dapodik"]
    total = len(service_.catalog.checks)
    assert seen == dict.fromkeys(by_app, total)

    good = service_.run(by_app["e-planning"].run_id)
    assert good.failed == [] and good.maturity.score_level >= 4 and by_app["e-planning"].trigger == "demo"
    assert by_app["e-planning"].actor == AUDITOR.actor
    assert good.result("REL-001").evidence[0].http is not None  # evidence is stored with the run

    budget = service_.run(by_app["e-budgeting"].run_id)
    assert budget.result("INT-005").status is Status.PASS  # budget lines found in e-planning's sub-kegiatan

    dapodik = by_app["dapodik"]  # no address: reported as "belum diukur" with the reason, never stored
    assert not dapodik.stored and not dapodik.measured and dapodik.level == 0
    assert "hosting.base_urls" in (dapodik.not_measured or {}).get("en", "")
    missing = svc_module.run_of(dapodik)
    assert {r.status for r in missing.results if r.automated} == {Status.ERROR}
    assert dapodik.counts["fail"] == 0 and dapodik.overall_score is None
    with pytest.raises(NotFound):
        service_.run(dapodik.run_id)

    page = service_.list_runs()
    assert {r.run_id for r in page.items} == {r.run_id for r in records if r.stored}
    assert set(service_.latest_runs()) == {"e-planning", "e-budgeting"}


async def test_a_missing_secret_is_an_error_naming_the_variable_never_a_failure(registry_loaded: Database):
    service_ = service(registry_loaded, environ={"SIMPUL_EPLANNING_TOKEN": "demo-e-planning-token"})
    [record] = await service_.assess_applications(["e-budgeting"])
    run = svc_module.run_of(record)  # nothing measured: reported, not stored
    assert not record.stored and "SIMPUL_EBUDGETING_TOKEN" in (record.not_measured or {}).get("id", "")
    assert run.score("reliable") is None and run.maturity.level == 0
    assert record.counts["fail"] == 0 and record.counts["error"] == len([r for r in run.results if r.automated])
    assert all("SIMPUL_EBUDGETING_TOKEN" in (r.reason.en if r.reason else "") for r in run.results if r.automated)


async def test_a_crash_inside_simpul_is_not_the_applications_failure(registry_loaded: Database,
                                                                     monkeypatch: pytest.MonkeyPatch):
    async def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("bug in a probe")

    monkeypatch.setattr(svc_module, "assess", boom)
    service_ = service(registry_loaded)
    [record] = await service_.assess_applications(["e-planning"])
    run = svc_module.run_of(record)
    assert record.counts["fail"] == 0 and not record.stored and not record.measured
    assert all("RuntimeError" in (r.reason.en if r.reason else "") for r in run.results if r.automated)


async def test_answering_a_manual_check_changes_the_stored_scores(registry_loaded: Database):
    service_ = service(registry_loaded)
    [first] = await service_.assess_applications(["e-planning"])
    assert service_.run(first.run_id).result("SCA-005").status is Status.NOT_ANSWERED

    outcome = service_.answer("e-planning", "SCA-005", "fail",
                              [{"title": "BAST tidak ada", "url": "https://arsip.blitarkota.go.id/bast"}],
                              note="Kode sumber masih di vendor")
    assert outcome.previous is not None and outcome.run is not None and outcome.comparison is not None
    assert outcome.previous.run_id == first.run_id
    assert outcome.run.based_on == first.run_id and outcome.run.trigger == "manual"
    assert outcome.run.scores["scalable"] < outcome.previous.scores["scalable"]
    assert outcome.run.overall_score < outcome.previous.overall_score
    assert [(c.check_id, c.before, c.after) for c in outcome.comparison.changed] == [
        ("SCA-005", Status.NOT_ANSWERED, Status.FAIL)]
    assert outcome.answer.answered_by == AUDITOR.name and outcome.answer.note == "Kode sumber masih di vendor"

    rescored = service_.run(outcome.run.run_id)
    assert rescored.result("SCA-005").status is Status.FAIL
    assert rescored.result("SCA-005").answered_by == AUDITOR.name
    assert [r.run_id for r in service_.list_runs("e-planning").items] == [outcome.run.run_id, first.run_id]
    assert service_.compare_runs(first.run_id, outcome.run.run_id).overall_delta < 0

    outcome = service_.answer("e-planning", "SCA-005", "pass", [{"title": "BAST", "file_name": "bast-027.pdf"}])
    assert outcome.run is not None and outcome.run.scores["scalable"] == first.scores["scalable"]
    answers = service_.manual_answers("e-planning", history=True)
    assert [a.answer for a in answers.answers] == ["pass"] and len(answers.history) == 2
    assert "SCA-005" not in answers.pending and "REL-007" in answers.pending

    [again] = await service_.assess_applications(["e-planning"])  # the next assessment applies the answer
    assert service_.run(again.run_id).result("SCA-005").status is Status.PASS


def test_answers_are_checked_before_they_are_stored(registry_loaded: Database):
    service_ = service(registry_loaded)
    with pytest.raises(RequestInvalid) as info:
        service_.answer("e-planning", "REL-001", "pass", [{"title": "x", "url": "https://x.example"}])
    assert info.value.status == 422 and "SCA-005" in info.value.extra["manual_checks"]
    with pytest.raises(RequestInvalid):
        service_.answer("e-planning", "XYZ-999", "pass", [{"title": "x", "url": "https://x.example"}])
    with pytest.raises(RequestInvalid) as info:
        service_.answer("e-planning", "REL-007", "pass", [{"title": "tanpa tautan"}])
    assert info.value.extra["errors"][0]["field"] == "evidence"
    with pytest.raises(NotFound):
        service_.answer("e-plannin", "REL-007", "pass", [{"title": "x", "url": "https://x.example"}])
    outcome = service_.answer("e-planning", "REL-007", "not_applicable", [], note="SLA diatur nasional")
    assert outcome.run is None and outcome.answer.evidence[-1]["note"] == "SLA diatur nasional"


async def test_roles_decide_who_assesses_answers_and_reads(registry_loaded: Database):
    [record] = await service(registry_loaded).assess_applications(["e-planning"])
    vendor = service(registry_loaded, VENDOR)
    with pytest.raises(Forbidden):
        await vendor.assess_applications(["e-planning"])
    with pytest.raises(Forbidden):
        vendor.list_runs()
    with pytest.raises(Forbidden):
        vendor.answer("e-planning", "REL-007", "not_applicable", [], note="x")

    bappeda = service(registry_loaded, OPD_BAPPEDA)
    assert bappeda.get_run(record.run_id).app_id == "e-planning"  # its own application
    assert [r.run_id for r in bappeda.list_runs().items] == [record.run_id]
    with pytest.raises(Forbidden):
        await bappeda.assess_applications(["e-planning"])
    [other] = await service(registry_loaded).assess_applications(["e-budgeting"])  # BPKAD's
    with pytest.raises(Forbidden) as info:
        bappeda.get_run(other.run_id)
    assert "e-budgeting" in info.value.message("en")
    with pytest.raises(Forbidden):
        bappeda.list_runs("e-budgeting")
    assert [r.app_id for r in bappeda.list_runs().items] == ["e-planning"]
    bpkad = Principal(actor="key:bpkad#3", role="opd", name="BPKAD", kode_pemda="35.72", kode_opd=BPKAD)
    with pytest.raises(Forbidden):
        service(registry_loaded, bpkad).manual_answers("e-planning")


async def test_reports_and_lookups(registry_loaded: Database):
    service_ = service(registry_loaded)
    [record] = await service_.assess_applications(["e-planning"])
    html = service_.report(record.run_id, "html")
    assert html.media_type.startswith("text/html") and b"E-Planning Kota Blitar" in html.content
    assert html.filename == f"penilaian-e-planning-{record.run_id[:8]}.html"
    xlsx = service_.report(record.run_id, "xlsx", "id")
    assert xlsx.content[:2] == b"PK" and xlsx.filename.endswith(".xlsx")
    assert service_.report(record.run_id, "junit").content.startswith(b"<?xml")
    assert json.loads(service_.report(record.run_id, "json").content)["run_id"] == record.run_id
    with pytest.raises(BadRequest):
        service_.report(record.run_id, "pdf")
    assert service_.get_run(record.run_id[:8]).run_id == record.run_id  # a short id is enough
    with pytest.raises(NotFound):
        service_.get_run("0" * 32)
    with pytest.raises(NotFound):
        service_.get_job("0" * 32)


async def test_stored_runs_feed_the_inventory_and_monev_snapshots(registry_loaded: Database):
    from datetime import UTC, datetime, timedelta

    from hub.inventory import build_inventory, load_inputs
    from hub.services.registry import RegistryService

    before = datetime.now(UTC) - timedelta(seconds=1)
    service_ = service(registry_loaded)
    await service_.assess_applications(["e-planning"], trigger="demo")

    assert service_.snapshot(before) == {}  # nothing was stored before the run
    snapshot = service_.snapshot()
    assert set(snapshot) == {"e-planning"}

    inputs = load_inputs(RegistryService(registry_loaded, Principal.cli(), "id"), "35.72")
    inventory = build_inventory(inputs.pemda, inputs.opds, inputs.apps, snapshot, "id")
    assert inventory.totals.assessed == 1
