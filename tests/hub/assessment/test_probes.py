"""Probes against small applications served in-process: each kind of weakness shows up where an auditor expects."""

from __future__ import annotations

import pytest

from hub.assessment import Status, load_catalog
from hub.assessment.probes import PROBES

from .apps import build_app, records_app, schema_examples
from .conftest import FAST, run_app, target

AUTOMATED = [c.id for c in load_catalog().checks if c.automated]


def statuses(run) -> dict[str, str]:
    return {r.check_id: r.status.value for r in run.results}


async def test_a_good_application_passes_every_automated_check():
    run = await run_app(build_app())
    s = statuses(run)
    assert {s[c] for c in AUTOMATED} <= {"pass", "not_applicable"}, {c: s[c] for c in AUTOMATED if s[c] != "pass"}
    assert s["REL-006"] == "not_applicable"  # loopback: TLS does not apply
    assert all(score.score == 100 for score in run.scores)
    assert run.maturity.score_level == 5  # what the scores reach; the manual checks are not answered yet:
    assert run.maturity.level == 2 and run.maturity.provisional  # level 3 needs the SLA and data-protection answers
    assert {"REL-007", "REL-009", "SCA-005"} <= set(run.maturity.missing)


async def test_fragile_application_fails_reliable():
    run = await run_app(build_app(fragile=True))
    s = statuses(run)
    assert s["REL-003"] == "fail" and s["REL-004"] == "fail"
    assert "page=abc" in run.result("REL-003").message.en
    assert run.score("reliable") < 70


async def test_legacy_spreadsheet_application_fails_interoperable_and_integrateable():
    run = await run_app(build_app(legacy=True))
    s = statuses(run)
    for check in ("INT-001", "INT-002", "INT-003", "ITG-001", "ITG-004", "USR-004", "USR-005", "USR-006"):
        assert s[check] == "fail", check
    assert "text/csv" in run.result("INT-002").message.en
    assert "dd-mm" not in run.result("INT-003").message.en and "-19" in run.result("INT-003").message.en
    assert run.score("interoperable") < 50 and run.score("integrateable") < 70


async def test_unpaginated_lists_fail_scalable():
    run = await run_app(build_app(paginate=False))
    assert statuses(run)["SCA-001"] == "fail"


async def test_failing_requests_fail_availability_and_read_error_rate():
    catalog = load_catalog().model_copy(deep=True)  # no latency top-up: every 3rd request of the sequence fails
    catalog.get("REL-002").thresholds.update(min_samples=3)
    run = await run_app(build_app(fail_every=3), limits=FAST.model_copy(update={"availability_probes": 9}),
                        catalog=catalog)
    s = statuses(run)
    assert s["REL-001"] == "fail" and s["REL-005"] == "fail"
    assert run.result("REL-001").measured["successes"] < 9
    assert any(e.http and e.http.status == 503 for e in run.result("REL-001").evidence)


async def test_slow_serial_application_fails_latency_and_load_with_thresholds_from_data():
    catalog = load_catalog().model_copy(deep=True)
    # the application runs in-process, on the hub's own loop: its work is the hub's lag, so the lag limit is
    # widened here (lag_fraction × a 20 ms limit would be 2 ms)
    catalog.get("REL-002").thresholds.update(p95_max_ms=30, p95_warn_ms=20, lag_fraction=5.0)
    catalog.get("SCA-003").thresholds.update(abs_ok_ms=40, lag_fraction=2.5)
    # 8 concurrent clients against one worker: p95 grows about 8×, far from the 3.3× (3 + 10% tolerance) limit
    run = await run_app(build_app(delay_s=0.04, serial=True), catalog=catalog,
                        limits=FAST.model_copy(update={"load_levels": [1, 8]}))
    s = statuses(run)
    assert s["REL-002"] == "fail" and s["SCA-003"] == "fail"
    levels = run.result("SCA-003").measured["levels"]
    assert levels[-1]["p95_ms"] > levels[0]["p95_ms"] * 2


async def test_english_only_errors_fail_the_language_check():
    run = await run_app(build_app(english=True))
    assert statuses(run)["USR-003"] == "fail"
    assert statuses(run)["USR-002"] == "pass"


async def test_without_openapi_the_api_is_still_found_but_integration_suffers():
    run = await run_app(build_app(openapi=False))
    s = statuses(run)
    assert s["ITG-001"] == "fail" and s["USR-001"] == "fail"
    assert s["INT-001"] == "pass"  # /api/v1/pegawai was found by the usual paths


async def test_leaks_in_404_pages_are_found():
    run = await run_app(build_app(leak_in_404=True))
    assert statuses(run)["REL-004"] == "fail"


async def test_references_resolve_against_partner_data():
    lines = schema_examples("penganggaran/rincian_belanja")
    plans = schema_examples("perencanaan/sub_kegiatan")
    app = records_app("/api/v1/rincian-belanja", lines)
    tgt = target(area="keuangan", schemas=["penganggaran/rincian_belanja"])
    none = await run_app(app, target=tgt)
    assert none.result("INT-005").status is Status.ERROR
    assert "perencanaan/sub_kegiatan" in none.result("INT-005").reason.en
    partial = await run_app(app, target=tgt, partner_records={"perencanaan/sub_kegiatan": plans})
    assert partial.result("INT-005").status is Status.FAIL
    complete = plans + [{"kode_sub_kegiatan": r["kode_sub_kegiatan"], "tahun_anggaran": r["tahun_anggaran"]}
                        for r in lines]
    ok = await run_app(app, target=tgt, partner_records={"perencanaan/sub_kegiatan": complete})
    assert ok.result("INT-005").status is Status.PASS
    assert ok.result("INT-001").status is Status.PASS and ok.result("INT-004").status is Status.PASS


async def test_references_do_not_apply_to_applications_without_them():
    run = await run_app(build_app())
    assert run.result("INT-005").status is Status.NOT_APPLICABLE


async def test_a_broken_probe_is_an_error_and_never_lowers_the_score(monkeypatch):
    async def broken(ctx):
        raise RuntimeError("bug in Simpul")

    monkeypatch.setitem(PROBES, "front_page", broken)
    run = await run_app(build_app())
    for check in ("USR-004", "USR-005", "USR-006"):
        result = run.result(check)
        assert result.status is Status.ERROR and "bug in Simpul" in result.reason.en
    friendly = next(s for s in run.scores if s.standard == "user_friendly")
    assert friendly.counts.get("error") == 3 and friendly.counts.get("fail") is None
    assert friendly.score == 100


async def test_an_unreachable_application_fails_availability_only_on_a_known_endpoint(serve):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    from hub.assessment import assess

    limits = FAST.model_copy(update={"load_levels": [1, 2]})
    base = f"http://127.0.0.1:{port}"
    spec = {"connector": {"type": "rest_json", "config": {"base_url": base}},
            "resources": {"pegawai": {"path": "/api/v1/pegawai", "schema": "kepegawaian/pegawai"}}}
    run = await assess(target(base_url=base, connector=spec), limits=limits)
    s = statuses(run)
    assert s["REL-001"] == "fail"  # the registry declares the endpoint: its silence is the application's
    assert {s[c] for c in AUTOMATED if c != "REL-001"} <= {"error", "not_applicable"}
    guessed = await assess(target(base_url=base), limits=limits)
    assert guessed.result("REL-001").status is Status.ERROR  # nothing known to exist: never pass, never fail
    assert "guessed address" in guessed.result("REL-001").reason.en


async def test_spec_resources_are_used_for_discovery():
    spec = {"connector": {"type": "rest_json", "config": {"base_url": "http://127.0.0.1:9",
                                                          "pagination": {"type": "page", "page_param": "page",
                                                                         "size_param": "size"}}},
            "resources": {"pegawai": {"path": "/api/v1/pegawai", "record_path": "data",
                                      "schema": "kepegawaian/pegawai"}}}
    run = await run_app(build_app(openapi=False), target=target(connector=spec))
    assert run.result("INT-001").status is Status.PASS
    assert run.result("SCA-001").measured["size_param"] == "size"


async def test_spec_mappings_are_validated_through_the_connectors(serve):
    server = serve(build_app())
    mapping = {"schema": "kepegawaian/pegawai", "fields": {"nip": "nip", "nama": "nama"}}
    spec = {"connector": {"type": "rest_json", "config": {"base_url": server.url, "record_path": "data"}},
            "resources": {"pegawai": {"path": "/api/v1/pegawai", "mapping": mapping}}}
    from hub.assessment import assess

    run = await assess(target(base_url=server.url, connector=spec), limits=FAST)
    result = run.result("INT-001")
    assert result.status is Status.FAIL  # the two mapped fields are not a whole canonical record
    assert any(e.kind == "data" and "mapped" in (e.data or {}) for e in result.evidence)


async def test_progress_and_manual_answers():
    from hub.assessment import answer_manual

    seen: list[tuple[int, int, str]] = []
    answer = answer_manual("SCA-005", "pass", [{"title": "BAST kode sumber", "file_name": "bast.pdf"}], "auditor")
    run = await run_app(build_app(), progress=lambda d, t, c: seen.append((d, t, c)), manual_answers=[answer])
    assert len(seen) == len(run.results) and seen[-1][0] == seen[-1][1]
    sca5 = run.result("SCA-005")
    assert sca5.status is Status.PASS and sca5.answered_by == "auditor" and sca5.evidence[0].file_name == "bast.pdf"
    assert "SCA-005" not in run.pending_manual and "REL-007" in run.pending_manual


@pytest.mark.parametrize("bad", [{"availability_probes": 0}, {"load_levels": []}, {"load_levels": [1, 500]}])
def test_limits_are_bounded(bad):
    from pydantic import ValidationError

    from hub.assessment import ProbeLimits

    with pytest.raises(ValidationError):
        ProbeLimits(**bad)
