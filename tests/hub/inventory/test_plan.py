"""The yearly schedule and the indicative costs: where programs fall per year and quarter, what they cost from
the cost table (the Pemda's own merged over the shipped one), and the same figures in every format."""

from __future__ import annotations

import io
import json
import re
from collections import defaultdict

import pytest
from docx import Document
from openpyxl import load_workbook

from hub.inventory import build_inventory, fmt, render_inventory
from hub.inventory.config import InventoryConfigError, load_weights
from hub.inventory.costs import clear_cache, load_costs, rates_used
from hub.inventory.schedule import _spread

from .factories import AS_OF, OPDS, PEMDA, app, example_inventory, run


@pytest.fixture(scope="module")
def inv():  # type: ignore[no-untyped-def]
    return example_inventory()


def test_money_dates_and_numbers_read_as_indonesian_writes_them():
    assert fmt.money(2320000) == "Rp2.320.000" and fmt.money(2320000, "en") == "Rp2,320,000"
    assert fmt.number(55.6) == "55,6" and fmt.number(1250) == "1.250" and fmt.number(55.6, "en") == "55.6"
    assert fmt.percent(15.4) == "15,4%" and fmt.day(AS_OF) == "1 Juli 2025" and fmt.quarters(1, 4) == "TW I–IV"


def test_each_horizon_runs_in_its_window_of_plan_years(inv):  # type: ignore[no-untyped-def]
    plan = inv.plan
    first = AS_OF.year + 1
    assert plan.first_year == first and plan.years == list(range(first, first + 10))
    windows = {"short": (first, first), "medium": (first + 1, first + 4), "long": (first + 5, first + 9)}
    for item in inv.roadmap.items:
        sched = plan.schedule_of(item.program_id)
        low, high = windows[item.horizon]
        assert low <= sched.start.year <= sched.end.year <= high, (item.program_id, sched)
        assert sched.end.year <= item.deadline_year  # the KPI's "kapan" holds
        assert sum(len(q) for q in sched.by_year.values()) == sched.quarters


def test_an_opd_runs_at_most_two_programs_at_once_when_its_window_allows(inv):  # type: ignore[no-untyped-def]
    load: dict[tuple[str, int, int], int] = defaultdict(int)
    for item in inv.roadmap.items:
        for year, quarters in inv.plan.schedule_of(item.program_id).by_year.items():
            for q in quarters:
                load[(item.responsible.label, year, q)] += 1
    crowded = {k: v for k, v in load.items() if v > 2}
    # only the one-year window of the short horizon can overflow (everything there must happen in year 1)
    assert all(year == inv.plan.first_year for (_, year, _) in crowded), crowded


def test_cost_is_volume_times_unit_cost_per_application(inv):  # type: ignore[no-untyped-def]
    table = load_costs()
    hosting = next(i for i in inv.roadmap.items if i.kind == "GAP-007")
    cost = inv.plan.cost_of(hosting.program_id)
    n = len(hosting.app_ids)
    expected = n * (0.25 * table.rates["ahli"].cost + 0.5 * table.rates["pemrogram"].cost)
    assert cost.total == round(expected / 1000) * 1000 and cost.applications == n
    assert cost.basis.id.startswith(f"{n} aplikasi × (0,25 orang-bulan tenaga ahli + 0,5 orang-bulan pemrogram)")
    assert sum(cost.by_year.values()) == cost.total
    contacts = next(i for i in inv.roadmap.items if i.kind == "GAP-010")
    assert inv.plan.cost_of(contacts.program_id).total == 0  # OPD staff's own work


def test_totals_per_year_and_per_opd_add_up(inv):  # type: ignore[no-untyped-def]
    plan = inv.plan
    assert plan.total == sum(c.total for c in plan.costs) == sum(y.cost for y in plan.per_year)
    assert plan.total == sum(o.total for o in plan.per_opd) == plan.per_year[-1].cumulative
    for year in plan.years:
        assert sum(o.by_year.get(year, 0) for o in plan.per_opd) == next(y.cost for y in plan.per_year
                                                                          if y.year == year)
    assert plan.indicative and all(r.source.id for r in plan.rates) and all(v.source.id for v in plan.volumes)


def test_spreading_a_cost_over_quarters_keeps_every_rupiah():
    assert _spread(10_000, 3, 1000) == [3000, 3000, 4000]
    assert sum(_spread(3_137_500, 2, 1000)) == 3_137_500


def test_the_pemda_table_is_merged_over_the_shipped_one(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    own = tmp_path / "biaya.yaml"
    own.write_text("regional_index: 0.9\nrates:\n  pemrogram: {cost: 10000000}\n"
                   "  analis: {label: Analis, unit: orang-bulan, cost: 1, source: {text: SSH Pemda 2026}}\n"
                   "programs:\n  GAP-007: {volume: {pemrogram: 1}}\n", encoding="utf-8")
    table = load_costs(own)
    assert table.regional_index == 0.9 and table.unit_cost("pemrogram") == 9_000_000
    assert table.rates["pemrogram"].source.ref == "inkindo2019"  # the fields not given stay
    assert table.programs["GAP-007"].volume == {"pemrogram": 1} and table.rates["narasumber"].cost == 900_000
    assert table.unit_cost("narasumber") == 900_000  # not a regional rate
    own_rate = next(r for r in rates_used(table) if r.key == "analis")
    assert own_rate.source.id == "SSH Pemda 2026"  # a Pemda's own figure, cited in full
    apps = [app("e-pajak", area="keuangan", owner="bpkad", hosting={"type": "vendor_hosted"})]
    inv = build_inventory(PEMDA, OPDS, apps, {}, as_of=AS_OF, costs=own)
    item = next(i for i in inv.roadmap.items if i.kind == "GAP-007")
    assert inv.plan.cost_of(item.program_id).total == 9_000_000 and str(own) in inv.plan.cost_table
    monkeypatch.setenv("SIMPUL_COSTS_FILE", str(own))
    clear_cache()
    try:
        assert build_inventory(PEMDA, OPDS, apps, {}, as_of=AS_OF).plan.regional_index == 0.9
    finally:
        monkeypatch.delenv("SIMPUL_COSTS_FILE")
        clear_cache()


@pytest.mark.parametrize(("text", "problem"), [
    ("programs:\n  GAP-007: {volume: {helikopter: 1}}\n", "unknown rate(s) ['helikopter']"),
    ("rates:\n  ahli: {cost: -5}\n", "greater than or equal to 0"),
    ("rates:\n  ahli: {source: {ref: buku-saya}}\n", "unknown source(s) ['buku-saya']"),
    ("- not a mapping\n", "must hold a mapping"),
])
def test_a_broken_cost_table_names_its_problem(tmp_path, text, problem):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InventoryConfigError, match=re.escape(problem)):
        load_costs(bad)


def test_schedule_windows_must_lie_within_their_horizon():
    from hub.inventory.config import parse_weights

    with pytest.raises(InventoryConfigError, match=r"schedule\.windows\.short"):
        parse_weights({"schedule": {"windows": {"short": [1, 3]}}})
    assert load_weights().schedule.window("long", {"short": 1, "medium": 5, "long": 10}) == (6, 10)


# --- the same figures in every format ------------------------------------------------------------------------

def _money(text: str) -> int:
    return int(text.replace("Rp", "").replace(".", ""))


def test_every_format_shows_the_same_yearly_and_opd_totals(inv):  # type: ignore[no-untyped-def]
    plan = inv.plan
    per_year = {str(y.year): y.cost for y in plan.per_year}
    per_opd = {o.opd: o.total for o in plan.per_opd}
    data = json.loads(render_inventory(inv, "json"))
    assert {str(y["year"]): y["cost"] for y in data["plan"]["per_year"]} == per_year
    assert data["plan"]["total"] == plan.total

    md = render_inventory(inv, "md")
    section = md.split("## Biaya indikatif per tahun")[1].split("\n## ")[0]
    rows = {m[0]: _money(m[1]) for m in re.findall(r"^\| (\d{4}) \| \d+ \| \d+ \| (Rp[\d.]+) \|", section, re.M)}
    assert rows == per_year
    assert f"**{fmt.money(plan.total)}**" in section

    html = render_inventory(inv, "html")
    table = html.split('<table class="biaya_tahun">')[1].split("</table>")[0]
    cells = re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)[1:]
    html_rows = {}
    for row in cells:
        values = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if re.fullmatch(r"\d{4}", values[0]):
            html_rows[values[0]] = _money(values[3])
    assert html_rows == per_year

    wb = load_workbook(io.BytesIO(render_inventory(inv, "xlsx")))
    ws = wb["Biaya per tahun"]
    xlsx_rows = {r[0]: r[3] for r in ws.iter_rows(min_row=2, values_only=True) if r[0] and re.fullmatch(r"\d{4}", r[0])}
    assert xlsx_rows == per_year and ws["D2"].number_format == '"Rp"#,##0'
    opd_ws = wb["Biaya per OPD"]
    assert {r[0]: r[-1] for r in opd_ws.iter_rows(min_row=2, values_only=True) if r[0] in per_opd} == per_opd

    doc = Document(io.BytesIO(render_inventory(inv, "docx")))
    year_table = next(t for t in doc.tables if [c.text for c in t.rows[0].cells][:2] == ["Tahun", "Program berjalan"])
    docx_rows = {r.cells[0].text: _money(r.cells[3].text) for r in year_table.rows[1:]
                 if re.fullmatch(r"\d{4}", r.cells[0].text)}
    assert docx_rows == per_year
    opd_table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Penanggung jawab"
                     and t.rows[0].cells[-1].text == "Jumlah")
    assert {r.cells[0].text: _money(r.cells[-1].text) for r in opd_table.rows[1:] if r.cells[0].text in per_opd} \
        == per_opd


def test_every_format_has_the_schedule_and_the_indicative_label(inv):  # type: ignore[no-untyped-def]
    first = str(inv.plan.first_year)
    for lang, label in (("id", "INDIKATIF"), ("en", "INDICATIVE")):
        md = render_inventory(inv, "md", lang)
        assert label in md and "TW I" in md if lang == "id" else "Q1" in md
        assert label in render_inventory(inv, "html", lang)
        wb = load_workbook(io.BytesIO(render_inventory(inv, "xlsx", lang)))
        sheet = wb["Jadwal per tahun" if lang == "id" else "Schedule"]
        assert first in [c.value for c in sheet[1]]
        doc = Document(io.BytesIO(render_inventory(inv, "docx", lang)))
        assert any(label in p.text for p in doc.paragraphs)


def test_a_pemda_without_gaps_has_an_empty_plan():
    apps = [app("simpeg", area="kepegawaian", owner="bkpsdm")]
    runs = {"simpeg": run("simpeg", {"interoperable": 95, "integrateable": 90})}
    inv = build_inventory(PEMDA, OPDS, apps, runs, as_of=AS_OF)
    assert inv.plan is not None and inv.plan.total == sum(c.total for c in inv.plan.costs)
    for kind in ("md", "html", "xlsx", "docx"):
        assert render_inventory(inv, kind)
