"""Readiness interpretation (Tabel II.1) of Tabel II.3 items 8 and 14-20: each outcome, with its rule shown."""

from __future__ import annotations

import pytest

from hub.assessment.catalog import load_catalog
from hub.inventory import build_inventory, load_readiness
from hub.inventory.config import InventoryConfigError, parse_readiness

from .factories import AS_OF, OPDS, PEMDA, app, run


def line(inv, area):
    return next(r for r in inv.readiness if r.area == area)


def build(apps, runs=None, **kwargs):
    return build_inventory(PEMDA, OPDS, apps, runs or {}, as_of=AS_OF, **kwargs)


def test_every_item_gets_a_line_with_the_rule_that_decided_it():
    inv = build([app("e-planning")])
    assert [r.item for r in inv.readiness] == [8, 14, 15, 16, 17, 18, 19, 20]
    for r in inv.readiness:
        assert r.outcome in ("baik", "sedang", "buruk")
        assert r.rule_id and r.rule.id and r.rule.en and r.condition.id and r.condition.en
        assert "{" not in r.rule.id + r.rule.en  # placeholders filled


def test_baik_when_a_production_application_meets_interoperable_and_integrateable():
    inv = build([app("e-planning")], {"e-planning": run("e-planning", {"interoperable": 75, "integrateable": 90})})
    r = line(inv, "perencanaan")
    assert (r.outcome, r.rule_id) == ("baik", "RA-BAIK")
    assert "75" in r.rule.id and "Interoperable" in r.rule.en
    assert inv.coverage[0].interoperable_apps == ["e-planning"]


def test_sedang_when_production_apps_exist_but_none_is_assessed():
    r = line(build([app("e-planning")]), "perencanaan")
    assert (r.outcome, r.rule_id) == ("sedang", "RA-SEDANG")
    assert r.metrics["production"] == 1 and r.metrics["assessed"] == 0


@pytest.mark.parametrize("scores", [{"interoperable": 74.9}, {"integrateable": 50}, {"interoperable": None}])
def test_sedang_when_assessed_but_below_a_threshold(scores):
    r = line(build([app("e-planning")], {"e-planning": run("e-planning", scores)}), "perencanaan")
    assert r.outcome == "sedang" and r.metrics["assessed"] == 1 and r.metrics["interoperable"] == 0


def test_a_refused_run_counts_as_not_assessed():
    inv = build([app("e-planning")], {"e-planning": run("e-planning", refused=True)})
    assert line(inv, "perencanaan").metrics["assessed"] == 0
    assert inv.applications[0].interoperable is None


@pytest.mark.parametrize("status", ["planned", "development", "retired"])
def test_buruk_when_nothing_is_in_production(status):
    inv = build([app("e-planning", status=status)], {"e-planning": run("e-planning", {"interoperable": 100})})
    r = line(inv, "perencanaan")
    assert (r.outcome, r.rule_id) == ("buruk", "RA-BURUK")
    assert line(inv, "legislasi").outcome == "buruk"  # no application at all


def test_an_other_area_counts_for_coverage():
    inv = build([app("sipd", area="keuangan", other_areas=["perencanaan"], kind="umum", owner="bpkad")])
    assert line(inv, "perencanaan").outcome == "sedang"
    cov = next(c for c in inv.coverage if c.area == "perencanaan")
    assert cov.other_apps == ["sipd"] and cov.main_apps == []
    assert [o.opd for o in cov.opds] == ["BPKAD"]


def test_item_8_counts_every_system_and_its_share_interoperable():
    apps = [app("aa"), app("bb", area="keuangan", owner="bpkad"), app("cc", status="retired")]
    ok = {"interoperable": 90, "integrateable": 90}
    half = build(apps, {"aa": run("aa", ok)})
    item8 = line(half, None)
    assert item8.metrics["registered"] == 3 and item8.metrics["production"] == 2
    assert (item8.outcome, item8.rule_id) == ("baik", "R8-BAIK")  # 1 of 2 = 50 %
    assert line(build(apps), None).outcome == "sedang"
    assert line(build([app("cc", status="retired")]), None).outcome == "buruk"


def test_thresholds_are_data_and_agree_with_maturity_level_4():
    rules = load_readiness()
    level4 = next(lv for lv in load_catalog().levels if lv.level == 4).requires["standards_min"]
    for std in rules.interoperable_requires:
        assert rules.standard_min[std] == level4[std]
    stricter = rules.model_copy(update={"standard_min": {**rules.standard_min, "interoperable": 95}})
    runs = {"e-planning": run("e-planning", {"interoperable": 90, "integrateable": 90})}
    assert line(build([app("e-planning")], runs), "perencanaan").outcome == "baik"
    assert line(build([app("e-planning")], runs, readiness=stricter), "perencanaan").outcome == "sedang"


def test_a_broken_rules_file_names_the_problem():
    data = {"version": "x", "standard_min": {"interoperable": 75, "integrateable": 75},
            "interoperable_requires": ["interoperable", "integrateable"],
            "item_8": {"component": {"id": "a", "en": "a"}, "rules": [
                {"id": "X", "outcome": "baik", "when": {"interoperabel": 1}, "text": {"id": "a", "en": "a"}}]},
            "areas": {"component": {"id": "a", "en": "a"}, "rules": [
                {"id": "Y", "outcome": "baik", "when": {"production": 1}, "text": {"id": "a", "en": "a"}}]},
            "coordinator_fallback": {"id": "Diskominfo", "en": "Diskominfo"}}
    with pytest.raises(InventoryConfigError) as err:
        parse_readiness(data)
    assert "interoperabel" in str(err.value)
    assert "last rule" in str(err.value)
