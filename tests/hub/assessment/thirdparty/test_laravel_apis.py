"""``simpul assess`` on two Laravel-style APIs nobody here wrote (issue 10, "Done when"): registered through a
registry file as docs/registry.md says, served by uvicorn on loopback, assessed through the CLI; every check's
status is pinned with the reason it is the right verdict, then the standard scores and the level.

Timing checks (REL-002 latency, SCA-003 load) depend on how busy the machine is: they are only asserted not to
fail, and the scores they feed are recomputed from the statuses the run actually has."""

from __future__ import annotations

import json
from typing import Any

import pytest
import structlog
from typer.testing import CliRunner

from hub.assessment import load_catalog
from hub.cli import app
from hub.commands import assess as assess_cmd
from hub.services.assessments import ProbeOptions
from registry.db import Database

from ..conftest import FAST
from .conftest import Sites
from .laravel import TOKEN_SIPERA, TOKEN_SIRETRI

runner = CliRunner()
TIMING = {"REL-002", "SCA-003"}  # latency and load: a busy machine may slow them, never make them fail here
VALUES = {"pass": 1.0, "warning": 0.5, "fail": 0.0}

# SIPERA, the careful one. Every automated check passes, each for a reason the test API gives it:
SIPERA = {
    "REL-001": "pass",  # the declared health endpoint /api/v1/health answered 2xx every time
    "REL-002": "timing",
    "REL-003": "pass",  # page=abc, page=-1, limit=-5 (each with tahun=2025) and "without tahun" got a 422, the
                        # broken JSON body to its webhook endpoint a 400, nothing a 5xx
    "REL-004": "pass",  # its 4xx bodies are Laravel validation messages: no trace, no path, no SQL
    "REL-005": "pass",  # every page read without retry answered 2xx
    "REL-006": "not_applicable",  # 127.0.0.1 is not a public address: HTTPS is not asked of it
    "REL-007": "not_answered", "REL-008": "not_answered", "REL-009": "not_answered",  # manual, nobody answered
    "INT-001": "pass",  # its vendor built against perencanaan/kegiatan: 12 of 12 records valid
    "INT-002": "pass",  # application/json, UTF-8
    "INT-003": "pass",  # ISO dates with an offset, pagu as a number
    "INT-004": "pass",  # kode_kegiatan, kode_program, kode_opd follow the Permendagri 90/2019 patterns
    "INT-005": "not_applicable",  # kegiatan refer to no partner application's data
    "INT-006": "not_answered",
    "SCA-001": "pass",  # meta.total/totalPages, and limit=100000 answered 422 (at most 100)
    "SCA-002": "pass",  # updated_since in the future gives 0 records, in the past all of them
    "SCA-003": "timing",
    "SCA-004": "pass",  # /api/v1/...
    "SCA-005": "not_answered",
    "USR-001": "pass",  # /docs is an HTML page, and info.description says what the API is for
    "USR-002": "pass",  # "Kolom page harus berupa bilangan bulat minimal 1." — a sentence a person reads
    "USR-003": "pass",  # ... in Bahasa Indonesia
    "USR-004": "pass",  # <html lang="id">
    "USR-005": "pass",  # <title> and <meta name="viewport">
    "USR-006": "pass",  # both inputs are labelled, the logo has alt text
    "USR-007": "not_answered",
    "ITG-001": "pass",  # read from the registry's openapi_file (a path relative to the registry file)
    "ITG-002": "pass",  # components.securitySchemes: http bearer
    "ITG-003": "pass",  # the XLSX export needs `tanggal`: called with the description's example, answered XLSX
    "ITG-004": "pass",  # POST /api/v1/webhooks in the description
    "ITG-005": "pass",  # kode_kegiatan is unique and the same on two reads
    "ITG-006": "not_answered",
}

# SIRETRI, the flawed one. Each flaw costs exactly the check it should, and nothing it does not deserve:
SIRETRI = {
    "REL-001": "pass",  # the list endpoint (a data endpoint known from the registry) answered 2xx
    "REL-002": "timing",
    "REL-003": "fail",  # /api/retribusi/'"> gives a 500 (APP_DEBUG); page=abc, page=-1, limit=-5 and the list
                        # without its required `tahun` are "accepted" — the last one as HTTP 200 with an error body
    "REL-004": "fail",  # that 500 shows SQLSTATE, the SQL and /var/www/... of Laravel's debug page
    "REL-005": "pass",  # reading the pages themselves never failed
    "REL-006": "not_applicable",
    "REL-007": "not_answered", "REL-008": "not_answered", "REL-009": "not_answered",
    "INT-001": "fail",  # idData/kd_rek/nm_retribusi are not penganggaran/pendapatan: 0 of 7 valid, with the
                        # missing fields and "simpul mapping suggest siretri retribusi --schema ..." to start one
    "INT-002": "pass",  # its JSON is UTF-8 application/json
    "INT-003": "fail",  # target_rp "Rp 1.500.000.000" and tgl_update "01-01-2025": local formats
    "INT-004": "not_applicable",  # kd_rek is a kode rekening, but under a local name: INT-004 knows the national
                                  # field names only, so it cannot be judged before a mapping (not a pass either)
    "INT-005": "not_applicable",
    "INT-006": "not_answered",
    "SCA-001": "fail",  # limit=100000 was taken: the answer reports pagination.per_page 100000 (no upper bound)
    "SCA-002": "fail",  # no updated_since (or any other change filter) works
    "SCA-003": "timing",
    "SCA-004": "fail",  # /api/retribusi: no /v1/ and no version header
    "SCA-005": "not_answered",
    "USR-001": "fail",  # no documentation page, and its OpenAPI has no info.description
    "USR-002": "fail",  # its error answers are a debug dump and a bare "Not Found": nothing a person reads
    "USR-003": "error",  # so their language cannot be judged (said so, pointing at USR-002) — not a pass
    "USR-004": "warning",  # Laravel's welcome page left at lang="en"
    "USR-005": "pass",  # title and viewport are there
    "USR-006": "fail",  # the logo has no alt text
    "USR-007": "not_answered",
    "ITG-001": "pass",  # the OpenAPI 3 document at openapi_url is valid
    "ITG-002": "pass",  # it declares http bearer (Sanctum)
    "ITG-003": "pass",  # /api/export/retribusi needs `tanggal`: with the example value it sends an XLSX
    "ITG-004": "fail",  # no webhooks, callbacks or change feed
    "ITG-005": "pass",  # idData is recognised as the identifier: unique and stable
    "ITG-006": "not_answered",
}


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


@pytest.fixture
def registered(registry_db: Database, sites: Sites, monkeypatch: pytest.MonkeyPatch) -> Sites:
    """The registry file imported as a user does; the probes get small bounds (the network is real loopback)."""
    monkeypatch.setattr(assess_cmd, "probe_options", lambda: ProbeOptions(limits=FAST))
    result = runner.invoke(app, ["registry", "import", str(sites.registry)])
    assert result.exit_code == 0, result.output
    return sites


def assess(*apps: str) -> tuple[int, dict[str, dict[str, Any]]]:
    """``simpul assess APP... --format json``, then each run's JSON report (every check) by its run id."""
    result = runner.invoke(app, ["--lang", "en", "assess", *apps, "--format", "json"], env={"COLUMNS": "200"})
    summaries = json.loads(result.stdout)
    runs = {}
    for summary in summaries:
        report = runner.invoke(app, ["assess", "report", summary["run_id"], "--format", "json"])
        assert report.exit_code == 0, report.output
        runs[summary["app_id"]] = {"summary": summary, "run": json.loads(report.stdout)}
    return result.exit_code, runs


def statuses(run: dict[str, Any]) -> dict[str, str]:
    return {c["check_id"]: c["status"] for c in run["results"]}


def check_pins(run: dict[str, Any], pinned: dict[str, str]) -> None:
    got = statuses(run)
    assert set(got) == set(pinned), "the catalog changed: pin the new checks"
    for check_id, expected in pinned.items():
        if expected == "timing":
            assert got[check_id] != "fail", (check_id, got[check_id])
        else:
            assert got[check_id] == expected, (check_id, got[check_id], _text(run, check_id))


def _text(run: dict[str, Any], check_id: str) -> str:
    found = next(c for c in run["results"] if c["check_id"] == check_id)
    return ((found.get("message") or found.get("reason") or {}) or {}).get("en", "")


def expected_score(run: dict[str, Any], standard: str) -> float | None:
    """The standard's score recomputed from the statuses of the run (weights from the catalog)."""
    weights = {c.id: c.weight for c in load_catalog().checks}
    scored = [(weights[c["check_id"]], VALUES[c["status"]]) for c in run["results"]
              if c["standard"] == standard and c["status"] in VALUES]
    if not scored:
        return None
    return round(100 * sum(w * v for w, v in scored) / sum(w for w, _ in scored), 1)


def test_sipera_the_careful_api_is_judged_check_by_check(registered: Sites, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIMPUL_SIPERA_TOKEN", TOKEN_SIPERA)
    code, runs = assess("sipera")
    assert code == 0  # no check failed
    run = runs["sipera"]["run"]
    check_pins(run, SIPERA)
    assert run["target"]["openapi_file"].endswith("openapi/sipera.yaml")  # anchored at the registry file
    assert runs["sipera"]["run"]["results"][0]["check_id"] == "REL-001"
    int1 = next(c for c in run["results"] if c["check_id"] == "INT-001")
    assert int1["measured"]["checked"] == 12 and int1["measured"]["valid"] == 12  # tahun=2025 from the registry
    itg3 = next(c for c in run["results"] if c["check_id"] == "ITG-003")
    assert itg3["measured"]["exports"][0].startswith("/api/v1/export/kegiatan.xlsx")
    rel3 = next(c for c in run["results"] if c["check_id"] == "REL-003")
    # the seven bad inputs, "without tahun", the unknown path, and a broken JSON body POSTed to /api/v1/webhooks
    assert rel3["measured"]["cases"] == 10 and rel3["measured"]["server_errors"] == 0
    # Scores: every measured check passed (timing ones too, or the score shows exactly what they cost).
    scores = {s["standard"]: s["score"] for s in run["scores"]}
    for standard in ("interoperable", "user_friendly", "integrateable"):
        assert scores[standard] == 100.0, standard
    for standard in ("reliable", "scalable"):
        assert scores[standard] == expected_score(run, standard), standard
    if all(statuses(run)[c] == "pass" for c in TIMING):
        assert scores["reliable"] == scores["scalable"] == 100.0 and run["maturity"]["overall_score"] == 100.0
    # The scores reach level 5, but the level needs the evidence: REL-007 and REL-009 (manual, level 3) are
    # unanswered, so the level given is 2 "Interaksi", provisional, with what is missing.
    maturity = run["maturity"]
    assert maturity["level"] == 2 and maturity["provisional"] is True
    assert {"REL-007", "REL-009", "INT-006", "ITG-006"} <= set(maturity["missing"])
    assert runs["sipera"]["summary"]["level_name"] == "Interaction" and runs["sipera"]["summary"]["measured"]


def test_siretri_the_flawed_api_pays_for_each_flaw_and_only_for_it(registered: Sites,
                                                                    monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIMPUL_SIRETRI_TOKEN", TOKEN_SIRETRI)
    code, runs = assess("siretri")
    assert code == 1  # checks failed
    run = runs["siretri"]["run"]
    check_pins(run, SIRETRI)
    results = {c["check_id"]: c for c in run["results"]}
    assert "without tahun" in results["REL-003"]["measured"]["accepted_cases"]  # the 200 with an error body
    assert results["REL-003"]["measured"]["crashed_cases"] == ["odd id"]
    assert results["SCA-001"]["measured"]["huge_reported_size"] == 100000
    assert "simpul mapping suggest siretri retribusi --schema penganggaran/pendapatan" in _text(run, "INT-001")
    assert "USR-002" in _text(run, "USR-003")
    assert results["ITG-005"]["status"] == "pass"  # idData
    scores = {s["standard"]: s["score"] for s in run["scores"]}
    # Interoperable: INT-001 (3) fail, INT-002 (2) pass, INT-003 (2) fail → 2/7
    # User friendly: USR-001 (2) fail, USR-002 (2) fail, USR-004 (1) warning, USR-005 (1) pass, USR-006 (1) fail
    #                → 1.5/7; Integrateable: ITG-001 (3), ITG-002 (2), ITG-003 (2), ITG-005 (2) pass, ITG-004 (1)
    #                fail → 9/10
    assert scores == {**scores, "interoperable": 28.6, "user_friendly": 21.4, "integrateable": 90.0}
    for standard in ("reliable", "scalable"):
        assert scores[standard] == expected_score(run, standard), standard
    if all(statuses(run)[c] == "pass" for c in TIMING):
        # Reliable: REL-001 (3) + REL-002 (2) + REL-005 (2) pass, REL-003 (3) and REL-004 (2) fail → 7/12;
        # Scalable: SCA-003 (2) pass, SCA-001, SCA-002 (2 each) and SCA-004 (1) fail → 2/7
        assert scores["reliable"] == 58.3 and scores["scalable"] == 28.6
        assert run["maturity"]["overall_score"] == 45.4
    # Overall ≥ 40 with REL-001 answered gives level 2; below 60 it cannot reach 3 — not provisional, since what
    # holds it back is its scores, not a missing answer.
    maturity = run["maturity"]
    assert maturity["level"] == 2 and maturity["provisional"] is False and maturity["score_level"] == 2


def test_with_its_token_unset_sipera_is_not_measured_and_the_variable_is_named(registered: Sites,
                                                                             monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("SIMPUL_SIPERA_TOKEN", raising=False)
    result = runner.invoke(app, ["--lang", "en", "assess", "sipera", "--format", "json"])
    summary = json.loads(result.stdout)[0]
    # Simpul cannot call an API whose secret it was not given: no score at all (Reliable included), no level,
    # not stored — and the reason names the variable to set
    assert summary["measured"] is False and summary["stored"] is False and summary["level"] == 0
    assert summary["scores"]["reliable"] is None and summary["overall_score"] is None
    assert "SIMPUL_SIPERA_TOKEN" in summary["not_measured"]["en"]
    assert "SIMPUL_SIPERA_TOKEN" in summary["not_measured"]["id"]
    text = runner.invoke(app, ["assess", "sipera"], env={"COLUMNS": "200"}).output
    assert "belum diukur" in text and "SIMPUL_SIPERA_TOKEN" in text
    assert json.loads(runner.invoke(app, ["assess", "runs", "--format", "json"]).stdout)["items"] == []


def test_with_a_refused_token_only_what_needs_no_token_is_judged_and_the_variable_is_named(
        registered: Sites, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIMPUL_SIPERA_TOKEN", "token-lama-yang-sudah-dicabut")
    _code, runs = assess("sipera")
    run = runs["sipera"]["run"]
    got = statuses(run)
    # Every check that needs the API's data or its answers to bad input got 401s: Simpul's error, naming the
    # variable — never a pass on a refusal (REL-003 used to pass on 401s to page=abc, and ITG-003 to fail: "no
    # export", for an export that only refused the token), never a failure of the application.
    refused = ("REL-003", "REL-004", "REL-005", "INT-001", "INT-002", "INT-003", "INT-004", "INT-005", "SCA-001",
               "SCA-002", "SCA-003", "USR-002", "USR-003", "ITG-003", "ITG-005")
    for check_id in refused:
        assert got[check_id] == "error", (check_id, got[check_id])
        assert "SIMPUL_SIPERA_TOKEN" in _text(run, check_id), check_id
    # The health endpoint is declared without security: availability and latency were measured there, so
    # Reliable is scored on those two alone (and says so through its coverage), not on the refused checks.
    assert got["REL-001"] == "pass" and got["REL-002"] != "fail"
    reliable = next(s for s in run["scores"] if s["standard"] == "reliable")
    assert reliable["score"] == expected_score(run, "reliable")
    # What needs no token is judged as with the token: the registry's OpenAPI file, the docs, the front page.
    for check_id in ("ITG-001", "ITG-002", "ITG-004", "SCA-004", "USR-001", "USR-004", "USR-005", "USR-006"):
        assert got[check_id] == "pass", (check_id, got[check_id])
    assert "fail" not in got.values()


def test_both_in_one_command_and_the_registry_pinned_their_openapi_sources(registered: Sites,
                                                                           monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SIMPUL_SIPERA_TOKEN", TOKEN_SIPERA)
    monkeypatch.setenv("SIMPUL_SIRETRI_TOKEN", TOKEN_SIRETRI)
    result = runner.invoke(app, ["--lang", "en", "assess", "sipera", "siretri"], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "sipera" in result.output and "siretri" in result.output and "1 application(s)" in result.output
    runs = json.loads(runner.invoke(app, ["assess", "runs", "--format", "json"]).stdout)["items"]
    assert sorted(r["app_id"] for r in runs) == ["sipera", "siretri"]
