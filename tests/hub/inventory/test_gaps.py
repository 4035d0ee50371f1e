"""Each kind of gap: a fixture that triggers it and one that does not; every gap carries traceable evidence."""

from __future__ import annotations

import pytest

from hub.inventory import DETECTORS, build_inventory, load_gaps

from .factories import AS_OF, OPDS, PEMDA, app, run

GOOD = {"interoperable": 90, "integrateable": 90}


def gaps(apps, runs=None, kind=None):
    inv = build_inventory(PEMDA, OPDS, apps, runs or {}, as_of=AS_OF)
    return [g for g in inv.gaps if kind is None or g.kind == kind]


def ids(found):
    return [g.id for g in found]


def test_every_kind_names_a_registered_detector_and_fills_every_placeholder():
    kinds = load_gaps().kinds
    assert [k.id for k in kinds] == [f"GAP-{n:03d}" for n in range(1, len(kinds) + 1)]
    assert all(k.detector in DETECTORS for k in kinds)
    messy = [app("xx", area="monev", contact=None, hosting={"type": "opd_server"}, integration={},
                 supplier={"developer": "vendor", "vendor": "PT X", "source_code_held": False}, spbe_indicators=[40]),
             app("yy", area="monev", owner="bpkad", integration={"consumes": ["kepegawaian/pegawai"]}),
             app("zz", area="monev", kind="umum", spbe_indicators=[40]),
             app("old", status="retired", hosting={"type": "opd_server"})]
    found = gaps(messy, {"xx": run("xx", {"reliable": 10}, checks={"REL-002": "fail"}),
                         "old": run("old", checks={"REL-001": "pass"})})
    assert len({g.kind for g in found}) >= 10
    for g in found:
        for text in (g.to_be, g.as_is, g.action, g.description, g.kpi.what):
            assert "{" not in text.id + text.en, (g.id, text)
        assert g.evidence and all(e.ref() for e in g.evidence)


def test_gap_001_area_without_production_application():
    found = gaps([app("e-planning", status="planned")], kind="GAP-001")
    planning = next(g for g in found if g.area == "perencanaan")
    assert planning.id == "GAP-001/perencanaan" and planning.app_ids == ["e-planning"]
    assert planning.evidence[0].fields == {"status": "planned", "area": "perencanaan"}
    assert planning.responsible.short_name == "Bappeda"
    legislation = next(g for g in found if g.area == "legislasi")
    assert legislation.evidence[0].fields["registered"] == 0 and legislation.responsible.short_name == "Bagian Hukum"
    assert "GAP-001/perencanaan" not in ids(gaps([app("e-planning")], kind="GAP-001"))


def test_gap_002_area_without_interoperable_application():
    found = gaps([app("e-planning")], {"e-planning": run("e-planning", {"interoperable": 40})}, kind="GAP-002")
    g = next(g for g in found if g.area == "perencanaan")
    assert g.evidence[0].scores == {"interoperable": 40, "integrateable": 80}
    assert g.evidence[0].run_id == "run-e-planning"
    # each standard by its name: the second one is Integrateable, not a second "INT"
    assert "Interoperabel 40; Mudah diintegrasikan (Integrateable) 80" in g.as_is.id
    assert "Interoperable 40; Integrateable 80" in g.as_is.en
    unassessed = next(g for g in gaps([app("e-planning")], kind="GAP-002") if g.area == "perencanaan")
    assert unassessed.evidence[0].fields["assessment"] == "none" and "belum dinilai" in unassessed.as_is.id
    good = gaps([app("e-planning")], {"e-planning": run("e-planning", GOOD)}, kind="GAP-002")
    assert "GAP-002/perencanaan" not in ids(good)


def test_gap_003_same_function_in_different_opds():
    twins = [app("simpeg", area="kepegawaian", owner="bkpsdm", spbe_indicators=[36]),
             app("simpeg-dinkes", area="kepegawaian", owner="dinkes", spbe_indicators=[36])]
    found = gaps(twins, kind="GAP-003")
    assert ids(found) == ["GAP-003/kepegawaian-36"]
    assert found[0].app_ids == ["simpeg", "simpeg-dinkes"]
    assert {e.fields["kode_opd"] for e in found[0].evidence} == {app("aa", owner="bkpsdm").kode_opd,
                                                                 app("aa", owner="dinkes").kode_opd}
    assert found[0].responsible.short_name == "BKPSDM"  # leads the function
    # single-function area: sharing the main area is enough
    monev = [app("e-monev", area="monev", spbe_indicators=[40]), app("simona", area="monev", owner="bpkad")]
    assert ids(gaps(monev, kind="GAP-003")) == ["GAP-003/monev"]


@pytest.mark.parametrize("other", [
    {"owner": "bkpsdm", "spbe_indicators": [36]},                     # same OPD
    {"owner": "dinkes", "spbe_indicators": [41]},                     # another function of the area
    {"owner": "dinkes", "spbe_indicators": [36], "kind": "umum"},     # a national app: GAP-004's job
    {"owner": "dinkes", "spbe_indicators": [36], "status": "planned"},
])
def test_gap_003_not_for_same_opd_other_function_national_or_inactive(other):
    apps = [app("simpeg", area="kepegawaian", owner="bkpsdm", spbe_indicators=[36]),
            app("other", area="kepegawaian", **other)]
    assert gaps(apps, kind="GAP-003") == []


def test_gap_003_sectoral_public_services_are_not_the_same_function():
    apps = [app("simpus", area="pelayanan_publik", owner="dinkes", spbe_indicators=[46]),
            app("antrean", area="pelayanan_publik", owner="kominfo", spbe_indicators=[46])]
    assert gaps(apps, kind="GAP-003") == []


def test_gap_004_local_island_next_to_a_national_application():
    apps = [app("e-kinerja", area="kepegawaian", owner="bkpsdm", spbe_indicators=[41], integration={}),
            app("e-kinerja-bkn", area="kepegawaian", owner="bkpsdm", kind="umum", national_app="e_kinerja",
                spbe_indicators=[41])]
    found = gaps(apps, kind="GAP-004")
    assert ids(found) == ["GAP-004/e-kinerja"]
    assert [e.app_id for e in found[0].evidence] == ["e-kinerja", "e-kinerja-bkn"]
    assert found[0].evidence[1].fields["national_app"] == "e_kinerja"
    assert "E-KINERJA-BKN" in found[0].to_be.id
    connected = [app("e-kinerja", area="kepegawaian", owner="bkpsdm", spbe_indicators=[41]), apps[1]]
    assert gaps(connected, kind="GAP-004") == []  # it has a connector: it exchanges data


def test_gap_005_standard_below_threshold_with_failed_checks():
    runs = {"e-planning": run("e-planning", {"reliable": 50, "scalable": 59.9},
                              checks={"REL-001": "fail", "REL-002": "warning", "SCA-001": "fail", "INT-001": "fail"})}
    found = gaps([app("e-planning")], runs, kind="GAP-005")
    assert ids(found) == ["GAP-005/e-planning"]
    ev = found[0].evidence[0]
    assert ev.scores == {"reliable": 50, "scalable": 59.9}
    assert [c.check_id for c in ev.checks] == ["REL-001", "SCA-001"]  # failed checks of those standards only
    assert "REL-001=fail@run-e-planning" in found[0].evidence_refs()
    assert gaps([app("e-planning")], {"e-planning": run("e-planning")}, kind="GAP-005") == []
    assert gaps([app("e-planning")], kind="GAP-005") == []


@pytest.mark.parametrize(("supplier", "expect"), [
    ({"developer": "vendor", "vendor": "PT X", "source_code_held": False}, True),
    ({"developer": "vendor", "vendor": "PT X"}, True),                      # unknown
    ({"developer": "in_house"}, False),                                      # built in-house
    ({"developer": "vendor", "source_code_held": True}, False),
    ({"developer": "central_government", "source_code_held": False}, False),
])
def test_gap_006_source_code_not_held(supplier, expect):
    found = gaps([app("e-pajak", supplier=supplier)], kind="GAP-006")
    assert bool(found) is expect
    if expect:
        assert found[0].evidence[0].fields["supplier.source_code_held"] == supplier.get("source_code_held")
        assert found[0].responsible.short_name == "Bappeda"  # the owner


def test_gap_006_general_applications_and_auditor_verdict():
    assert gaps([app("sipd", kind="umum", supplier={"developer": "vendor", "source_code_held": False})],
                kind="GAP-006") == []
    runs = {"e-x": run("e-x", checks={"SCA-005": "fail"})}
    found = gaps([app("e-x")], runs, kind="GAP-006")  # registry says held, the auditor found otherwise
    assert found and found[0].evidence[0].checks[0].check_id == "SCA-005"


@pytest.mark.parametrize(("hosting", "expect"), [({"type": "opd_server"}, True), ({"type": "vendor_hosted"}, True),
                                                 ({}, True), ({"type": "diskominfo_dc"}, False),
                                                 ({"type": "national"}, False)])
def test_gap_007_hosting_outside_the_data_center(hosting, expect):
    found = gaps([app("simona", hosting=hosting)], kind="GAP-007")
    assert bool(found) is expect
    if expect:
        assert "hosting.type" in found[0].evidence[0].fields
        assert found[0].responsible.short_name == "Diskominfo"


def test_gap_008_declared_exchange_without_connector():
    found = gaps([app("e-kinerja", integration={"consumes": ["kepegawaian/pegawai"]})], kind="GAP-008")
    assert ids(found) == ["GAP-008/e-kinerja"]
    assert found[0].evidence[0].fields["integration.consumes"] == ["kepegawaian/pegawai"]
    assert gaps([app("e-kinerja")], kind="GAP-008") == []


def test_gap_009_no_integration_at_all():
    assert ids(gaps([app("simpus", area="pelayanan_publik", integration={})], kind="GAP-009")) == ["GAP-009/simpus"]
    assert gaps([app("simpus", area="pelayanan_publik")], kind="GAP-009") == []
    assert gaps([app("web", area="lainnya", integration={})], kind="GAP-009") == []  # outside items 14-20


def test_gap_010_no_owner_or_no_contact():
    found = gaps([app("web", contact=None), app("lost", kode_opd="9.99.0.00.0.00.01.0000")], kind="GAP-010")
    assert ids(found) == ["GAP-010/lost", "GAP-010/web"]
    assert found[0].evidence[0].fields == {"kode_opd": "9.99.0.00.0.00.01.0000"}
    assert found[0].responsible.short_name == "Diskominfo"  # unknown owner: the coordinator
    assert found[1].evidence[0].fields == {"contact": None}
    assert gaps([app("web")], kind="GAP-010") == []
    assert gaps([app("web", contact=None, status="retired", hosting={})], kind="GAP-010") == []


def test_gap_011_retired_application_still_answering():
    runs = {"e-office": run("e-office", checks={"REL-001": "pass"})}
    found = gaps([app("e-office", status="retired", hosting={})], runs, kind="GAP-011")
    assert ids(found) == ["GAP-011/e-office"]
    assert found[0].evidence[0].checks[0].check_id == "REL-001"
    assert "REL-001=pass@run-e-office" in found[0].evidence_refs()
    down = {"e-office": run("e-office", checks={"REL-001": "fail"})}
    assert gaps([app("e-office", status="retired", hosting={})], down, kind="GAP-011") == []
    assert gaps([app("e-office")], runs, kind="GAP-011") == []  # in production: answering is fine


def test_gap_012_retired_application_not_decommissioned():
    found = gaps([app("sipkd", status="retired", hosting={"type": "opd_server"})], kind="GAP-012")
    assert ids(found) == ["GAP-012/sipkd"]
    assert found[0].evidence[0].fields["hosting.type"] == "opd_server"
    assert gaps([app("sipkd", status="retired", hosting={})], kind="GAP-012") == []


def test_gap_rows_are_stable_and_english_on_request():
    apps = [app("web", contact=None)]
    first, second = gaps(apps), gaps(apps)
    assert ids(first) == ids(second)
    g = next(g for g in first if g.kind == "GAP-010")
    assert g.as_is.en.endswith("no contact person.") and "narahubung belum dicatat" in g.as_is.id
