"""Roadmap: the priority formula beside each item, horizons and deadlines, quick wins, and weights that reorder."""

from __future__ import annotations

import pytest

from hub.inventory import PriorityWeights, build_inventory, load_weights
from hub.inventory.config import InventoryConfigError
from hub.inventory.roadmap import priority

from .factories import AS_OF, OPDS, PEMDA, app, run

# GAP-006 (4 × 4 ÷ 2 = 8, short, quick win), GAP-007 (3 × 3 ÷ 4 = 2.25, medium), GAP-009 (4 × 3 ÷ 4 = 3, long),
# GAP-010 (2 × 4 ÷ 1 = 8, short, not a quick win: impact 2)
MESSY = [app("e-pajak", area="keuangan", owner="bpkad", contact=None, integration={},
             supplier={"developer": "vendor", "vendor": "PT Pajak", "source_code_held": False},
             hosting={"type": "vendor_hosted"})]


def roadmap(weights=None, apps=MESSY, runs=None):
    return build_inventory(PEMDA, OPDS, apps, runs or {}, as_of=AS_OF, weights=weights).roadmap


def item(rm, kind):
    return next(i for i in rm.items if i.kind == kind)


def test_priority_is_impact_times_urgency_over_effort_and_shown_with_its_numbers():
    p = priority(4, 4, 2, PriorityWeights())
    assert (p.value, p.formula) == (8.0, "4 × 4 ÷ 2 = 8")
    p = priority(3, 3, 4, PriorityWeights(urgency=2))
    assert p.value == round(3 * 3 ** 2 / 4, 2) and p.formula == "3 × 3^2 ÷ 4 = 6.75"
    assert p.weights == {"impact": 1.0, "urgency": 2.0, "effort": 1.0}


def test_items_are_ranked_by_priority_with_factors_beside_them():
    rm = roadmap()
    values = [i.priority.value for i in rm.items]
    assert values == sorted(values, reverse=True)
    assert [i.rank for i in rm.items] == list(range(1, len(rm.items) + 1))
    lock_in = item(rm, "GAP-006")
    assert (lock_in.priority.impact, lock_in.priority.urgency, lock_in.priority.effort) == (4, 4, 2)
    assert lock_in.priority.formula == "4 × 4 ÷ 2 = 8"
    assert "dampak" in rm.formula.id and "impact" in rm.formula.en


def test_horizons_deadlines_and_kpi_what_when_who():
    rm = roadmap()
    assert {(i.kind, i.horizon, i.deadline_year) for i in rm.items} >= {
        ("GAP-006", "short", 2026), ("GAP-007", "medium", 2030), ("GAP-009", "long", 2035)}
    lock_in = item(rm, "GAP-006")
    assert "E-PAJAK" in lock_in.kpi.what.id  # applications by name (the ids are in app_ids)
    assert "2026" in lock_in.kpi.when.id and "Jangka pendek" in lock_in.kpi.when.id
    assert lock_in.kpi.who.id == "BPKAD" == lock_in.responsible.short_name
    assert [i.program_id for i in rm.by_horizon("long")] == ["PRG-009-bpkad"]


def test_quick_wins_are_high_impact_low_effort_within_a_year():
    rm = roadmap()
    assert [i.kind for i in rm.quick_wins] == ["GAP-006"]
    assert item(rm, "GAP-010").quick_win is False  # cheap and urgent, but impact 2
    assert item(rm, "GAP-010").priority.value == item(rm, "GAP-006").priority.value == 8
    assert rm.items[0].kind == "GAP-006"  # on a tie the quick win comes first
    looser = roadmap(PriorityWeights.model_validate({"quick_win": {"min_impact": 2, "max_effort": 2}}))
    assert item(looser, "GAP-010").quick_win is True


APP_KINDS = {"GAP-006", "GAP-007", "GAP-009", "GAP-010"}


def kinds(rm):
    return [i.kind for i in rm.items if i.kind in APP_KINDS]


def test_weights_change_the_order():
    default = kinds(roadmap())
    assert default.index("GAP-009") < default.index("GAP-007")  # 3 > 2.25
    # effort^0: effort no longer counts -> impact × urgency: GAP-009 12, GAP-007 9, GAP-006 16, GAP-010 8
    no_effort = kinds(roadmap({"weights": {"impact": 1, "urgency": 1, "effort": 0}}))
    assert no_effort[:2] == ["GAP-006", "GAP-009"] and no_effort.index("GAP-010") > no_effort.index("GAP-007")
    # urgency squared: GAP-010 2 × 16 ÷ 1 = 32 ties GAP-006 4 × 16 ÷ 2 = 32; GAP-007 3 × 9 ÷ 4 = 6.75
    urgent = roadmap(PriorityWeights(urgency=2))
    assert item(urgent, "GAP-010").priority.value == item(urgent, "GAP-006").priority.value == 32
    assert item(urgent, "GAP-007").priority.value == 6.75
    assert default != no_effort


def test_per_kind_overrides_change_factors_horizon_and_quick_win():
    rm = roadmap({"weights": {}, "factors": {"GAP-007": {"effort": 2, "impact": 4, "horizon": "short"}}})
    hosting = item(rm, "GAP-007")
    assert (hosting.priority.formula, hosting.horizon, hosting.quick_win) == ("4 × 3 ÷ 2 = 6", "short", True)
    inv = build_inventory(PEMDA, OPDS, MESSY, {}, as_of=AS_OF,
                          weights={"weights": {}, "factors": {"GAP-007": {"effort": 2}}})
    assert next(g for g in inv.gaps if g.kind == "GAP-007").effort == 2  # gaps show the factors used


def test_a_program_gathers_one_kinds_gaps_of_one_responsible_opd():
    apps = [app("simpus", area="pelayanan_publik", owner="dinkes", supplier={"developer": "vendor"}),
            app("simpeg-dinkes", area="kepegawaian", owner="dinkes", supplier={"developer": "vendor"}),
            app("e-pajak", area="keuangan", owner="bpkad", supplier={"developer": "vendor"})]
    programs = [i for i in roadmap(apps=apps).items if i.kind == "GAP-006"]
    assert sorted((i.program_id, tuple(i.app_ids)) for i in programs) == [
        ("PRG-006-bpkad", ("e-pajak",)), ("PRG-006-dinkes", ("simpeg-dinkes", "simpus"))]
    dinkes = next(i for i in programs if i.program_id == "PRG-006-dinkes")
    assert dinkes.gap_ids == ["GAP-006/simpeg-dinkes", "GAP-006/simpus"]


def test_weights_file_and_bad_weights():
    assert load_weights().model_dump()["impact"] == 1.0
    with pytest.raises(InventoryConfigError):
        roadmap({"weights": {"impact": -1}})
    assert roadmap(apps=[app("tidy")], runs={"tidy": run("tidy", {"interoperable": 90, "integrateable": 90})}) \
        .items != []  # other areas still lack an application
