"""Monev: two snapshots of runs become the worksheet (what works / doesn't work / should be improved)."""

from __future__ import annotations

from hub.inventory import build_inventory, monev

from .factories import AS_OF, OPDS, PEMDA, app, run

BEFORE = {
    "e-planning": run("e-planning", {"interoperable": 60, "reliable": 70, "scalable": 50},
                      checks={"INT-001": "fail", "REL-002": "pass", "SCA-001": "fail"}, level=2, run_id="q1-plan"),
    "simpeg": run("simpeg", {"reliable": 90}, checks={"REL-001": "pass"}, run_id="q1-simpeg"),
    "e-office": run("e-office", run_id="q1-office"),
}
AFTER = {
    "e-planning": run("e-planning", {"interoperable": 80, "reliable": 55, "scalable": 52},
                      checks={"INT-001": "pass", "REL-002": "fail", "SCA-001": "fail", "ITG-003": "error"},
                      level=3, run_id="q2-plan"),
    "simpeg": run("simpeg", {"reliable": 90}, checks={"REL-001": "pass"}, run_id="q2-simpeg"),
    "jdih": run("jdih", run_id="q2-jdih"),
}


def texts(entries, app_id=None):
    return [e.text.id for e in entries if app_id is None or e.app_id == app_id]


def test_scores_that_moved_per_app_and_standard():
    ws = monev(BEFORE, AFTER, label_a="TW I", label_b="TW II")
    moves = {(m.app_id, m.standard): m for m in ws.score_moves}
    m = moves[("e-planning", "interoperable")]
    assert (m.before, m.after, m.delta, m.threshold, m.crossed) == (60, 80, 20, 75, "up")
    assert moves[("e-planning", "reliable")].crossed == "down"
    assert moves[("e-planning", "scalable")].delta == 2 and moves[("e-planning", "scalable")].crossed is None
    assert ("simpeg", "reliable") not in moves  # unchanged
    assert moves[("jdih", "reliable")].before is None  # newly assessed
    assert (ws.apps_compared, ws.apps_only_a, ws.apps_only_b) == (["e-planning", "simpeg"], ["e-office"], ["jdih"])


def test_checks_that_changed_status():
    ws = monev(BEFORE, AFTER)
    changed = {(c.app_id, c.check_id): (c.before, c.after) for c in ws.check_changes}
    assert changed == {("e-planning", "INT-001"): ("fail", "pass"), ("e-planning", "REL-002"): ("pass", "fail"),
                       ("e-planning", "ITG-003"): (None, "error")}


def test_the_three_columns_of_the_worksheet():
    ws = monev(BEFORE, AFTER, label_a="TW I", label_b="TW II")
    works = " ".join(texts(ws.works))
    assert "e-planning: Interoperabel kini memenuhi ambang (60 → 80, ambang 75)." in works
    assert "INT-001" in works and "level kematangan naik 2 → 3" in works
    assert "simpeg: tetap memenuhi ambang" in works and "jdih: dinilai untuk pertama kali" in works
    doesnt = " ".join(texts(ws.doesnt_work))
    assert "Andal (Reliable) tidak lagi memenuhi ambang (70 → 55" in doesnt
    assert "REL-002" in doesnt and "masih di bawah ambang" in doesnt and "Skalabel" in doesnt
    improve = texts(ws.improve)
    assert any("perbaiki REL-002" in x for x in improve) and any("perbaiki SCA-001" in x for x in improve)
    assert any("ITG-003" in x and "tidak dapat diukur" in x for x in improve)
    assert "e-office: tidak dinilai pada TW II; nilai ulang." in improve
    assert all(e.text.en for e in ws.works + ws.doesnt_work + ws.improve)


def test_small_moves_are_listed_but_not_judged_and_nothing_changes_gives_an_empty_diff():
    ws = monev(BEFORE, AFTER, min_delta=5)
    assert not any(e.standard == "scalable" and "naik" in e.text.id for e in ws.works)  # +2 < 5
    same = monev(BEFORE, BEFORE)
    assert same.score_moves == [] and same.check_changes == []
    assert all("masih di bawah" in e.text.id for e in same.doesnt_work)  # only what was already below


def test_inventory_carries_the_worksheet_when_given_the_earlier_runs():
    apps = [app("e-planning"), app("simpeg", area="kepegawaian", owner="bkpsdm")]
    inv = build_inventory(PEMDA, OPDS, apps, AFTER, as_of=AS_OF, runs_before=BEFORE)
    assert inv.monev is not None and inv.monev.apps_compared == ["e-planning", "simpeg"]
    assert inv.monev.apps_only_a == inv.monev.apps_only_b == []  # e-office, jdih: not applications of this Pemda


def test_a_run_that_measured_nothing_is_listed_not_judged_and_not_counted():
    from hub.assessment.models import MaturityLevel, Text

    why = Text(id="Aplikasi tanpa alamat", en="Application without an address")
    silent = run("dapodik", dict.fromkeys(("reliable", "interoperable", "scalable", "user_friendly", "integrateable")),
                 checks={"REL-001": "error"}, run_id="q2-dapodik")
    silent.maturity = MaturityLevel(level=0, name=why, overall_score=None, measured=False, not_measured_reason=why,
                                    explanation=why)
    ws = monev(BEFORE, {**AFTER, "dapodik": silent}, label_a="TW I", label_b="TW II")
    assert "dapodik" not in {e.app_id for e in ws.works + ws.doesnt_work}  # never "sudah berjalan baik"
    assert [e.app_id for e in ws.not_measured] == ["dapodik"]
    assert "Aplikasi tanpa alamat" in ws.not_measured[0].text.id and "belum diukur" in ws.not_measured[0].text.id
    inventory = build_inventory(PEMDA, OPDS, [app("dapodik"), app("e-planning")],
                                {"dapodik": silent, "e-planning": AFTER["e-planning"]}, as_of=AS_OF)
    assert inventory.totals.assessed == 1
    assert [(n.app_id, n.reason.en) for n in inventory.totals.not_measured] == [("dapodik", why.en)]


def test_monev_refuses_reversed_dates_and_warns_on_an_empty_before():
    from datetime import date

    import pytest

    from hub.errors import BadRequest
    from hub.inventory.monev import check_period

    with pytest.raises(BadRequest) as caught:
        check_period(date(2025, 6, 30), date(2025, 3, 31))
    assert "2025-06-30" in caught.value.message("en")
    check_period(date(2025, 3, 31), date(2025, 6, 30))
    ws = monev({}, AFTER, label_a="TW I", label_b="TW II")
    assert ws.warnings and "TW I" in ws.warnings[0].id
    assert monev(BEFORE, AFTER).warnings == []


def test_the_rendered_worksheets_list_what_was_not_measured_in_both_languages(tmp_path):
    """md, html, xlsx and docx carry the "belum diukur" table and the empty-"before" warning, not only the JSON."""
    import io
    import zipfile

    from hub.assessment.models import MaturityLevel, Text
    from hub.inventory.render import render_monev

    why = Text(id="Aplikasi tanpa alamat", en="Application without an address")
    silent = run("dapodik", dict.fromkeys(("reliable", "interoperable", "scalable", "user_friendly", "integrateable")),
                 checks={"REL-001": "error"}, run_id="q2-dapodik")
    silent.maturity = MaturityLevel(level=0, name=why, overall_score=None, measured=False, not_measured_reason=why,
                                    explanation=why)
    ws = monev({}, {**AFTER, "dapodik": silent}, label_a="TW I", label_b="TW II")

    def text_of(fmt: str, lang: str) -> str:
        content = render_monev(ws, fmt, lang)
        if isinstance(content, str):
            return content
        with zipfile.ZipFile(io.BytesIO(content)) as book:  # xlsx and docx are zipped XML
            return " ".join(book.read(n).decode("utf-8", "replace") for n in book.namelist() if n.endswith(".xml"))

    for fmt in ("md", "html", "xlsx", "docx"):
        indonesian, english = text_of(fmt, "id"), text_of(fmt, "en")
        titled = ("Belum diukur", "Not measured") if fmt == "xlsx" else ("Belum diukur (1 aplikasi)",
                                                                         "Not measured (1 applications)")
        assert titled[0] in indonesian and "Aplikasi tanpa alamat" in indonesian, fmt  # xlsx: the sheet's name
        assert titled[1] in english and "Application without an address" in english, fmt
        assert "dapodik" in indonesian and "belum ada penilaian" not in indonesian.lower(), fmt
        warned = ("Peringatan", "Warnings") if fmt == "xlsx" else ("Peringatan Monev", "Monev warnings")
        assert warned[0] in indonesian and warned[1] in english, fmt
    plain = text_of("md", "id")
    assert plain.index("Belum diukur") > plain.index("Yang perlu ditingkatkan")  # after the guide's three lists
