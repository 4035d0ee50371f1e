"""The tables of the inventory, in one language, as plain rows: every export (Markdown, HTML, XLSX, DOCX) renders
these same tables, so every figure and every sentence is the same in every format.

These are the planner's tables: applications by name, evidence in words with a link to the assessment, one
Tabel II.11 row per program (a kind of gap × the OPD responsible, listing its applications). Internal ids (gap,
program and rule ids, run ids, field paths) stay in the JSON export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hub.assessment.models import STANDARDS
from hub.i18n import t
from hub.inventory import fmt
from hub.inventory.context import area_label, standard_names
from hub.inventory.models import Inventory, MonevEntry, MonevWorksheet, RoadmapItem
from hub.inventory.render.evidence import RunLink, gap_evidence, no_link

CHECK = "✓"
STANDARD_ABBR = {"reliable": "REL", "interoperable": "INT", "scalable": "SCA", "user_friendly": "USR",
                 "integrateable": "ITG"}


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int]  # XLSX column widths (characters)
    doc_widths: list[float] | None = None  # DOCX/print column widths (cm, scaled to the page); None: from widths
    note: str = ""
    heat_cols: list[int] = field(default_factory=list)  # 0-100 scores: colour scale
    outcome_cols: dict[int, str] = field(default_factory=dict)  # column -> baik|sedang|buruk (✓ cells)
    count_cols: list[int] = field(default_factory=list)  # counts where more is worse (gaps)
    money_cols: list[int] = field(default_factory=list)  # whole rupiah
    mark_cols: list[int] = field(default_factory=list)  # short centred marks (✓, quarters)
    fill_cols: dict[int, str] = field(default_factory=dict)  # column -> colour of every non-empty cell
    total_row: bool = False  # the last row sums the others (bold)

    def numeric(self, col: int) -> bool:
        values = [row[col] for row in self.rows if row[col] not in ("", "-", None)]
        return bool(values) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def h(key: str, lang: str, **params: Any) -> str:
    return t(f"inventory.col.{key}", lang, **params)


def title(key: str, lang: str, **params: Any) -> str:
    return t(f"inventory.table.{key}", lang, **params)


def show(value: Any, table: Table | None, col: int, lang: str) -> str:
    """A cell as people read it: rupiah, numbers in the language's notation, '' for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return t("inventory.value.yes" if value else "inventory.value.no", lang)
    if table is not None and col in table.money_cols and isinstance(value, int | float):
        return fmt.money(value, lang)
    if isinstance(value, int | float):
        return fmt.number(value, lang)
    return str(value)


def _yes(value: bool | None, lang: str) -> str:
    if value is None:
        return t("inventory.value.not_assessed", lang)
    return t("inventory.value.yes" if value else "inventory.value.no", lang)


def _score(value: float | None) -> float | str:
    return "-" if value is None else value


def _label(code: str, lang: str, vocab_name: str) -> str:
    from registry.vocab import vocab

    return vocab(vocab_name).label(code, lang)


def app_names(inv: Inventory) -> dict[str, str]:
    return {a.app_id: a.name for a in inv.applications}


def horizon_name(inv: Inventory, horizon: str, lang: str) -> str:
    return t(f"inventory.horizon.{horizon}", lang, years=inv.roadmap.horizons.get(horizon, 1))


ACTION_BREAK = re.compile(r" (?=(?:Program|Langkah|Actions?): |\(\d+\) )")


def action_lines(text: str) -> str:
    """'Strategi: … Program: … Langkah: (1) …; (2) …' one part a line, each step on its own line."""
    return ACTION_BREAK.sub("\n", text)


def formula(priority: Any, lang: str) -> str:
    """'4 × 4 ÷ 2 = 8', '5 × 4 ÷ 3 = 6,67': the priority with this item's numbers, in the language's notation."""
    def term(factor: int, exponent: float) -> str:
        return str(factor) if exponent == 1 else f"{factor}^{fmt.number(exponent, lang)}"

    w = priority.weights
    return (f"{term(priority.impact, w['impact'])} × {term(priority.urgency, w['urgency'])} ÷ "
            f"{term(priority.effort, w['effort'])} = {fmt.number(priority.value, lang)}")


# --- readiness and coverage ------------------------------------------------------------------------------------

def readiness_table(inv: Inventory, lang: str) -> Table:
    rows = []
    for line in inv.readiness:
        marks = [CHECK if line.outcome == o else "" for o in ("baik", "sedang", "buruk")]
        rows.append([line.item, line.component.get(lang), line.condition.get(lang), *marks, line.rule.get(lang)])
    return Table("kesiapan", title("readiness", lang),
                 [h("no_item", lang), h("component", lang), h("condition", lang), h("baik", lang), h("sedang", lang),
                  h("buruk", lang), h("rule_basis", lang)], rows, [7, 38, 48, 7, 7, 7, 60],
                 doc_widths=[1.3, 5.6, 6.4, 1.3, 1.4, 1.3, 8.4], note=t("inventory.note.readiness", lang),
                 outcome_cols={3: "baik", 4: "sedang", 5: "buruk"}, mark_cols=[0, 3, 4, 5])


def coverage_table(inv: Inventory, lang: str) -> Table:
    lines = {a.app_id: a for a in inv.applications}
    rows = []
    for cov in inv.coverage:
        for group in cov.opds:
            for app_id in group.apps:
                a = lines[app_id]
                role = h("main_area", lang) if a.area == cov.area else h("other_area", lang)
                rows.append([cov.item or "-", cov.label.get(lang), group.opd, a.name, _label(a.status, lang, "status"),
                             _label(a.kind, lang, "kind"), role, _yes(a.interoperable, lang),
                             _score(a.scores.get("interoperable")), _score(a.scores.get("integrateable"))])
        if not cov.opds:
            rows.append([cov.item or "-", cov.label.get(lang), "-", t("inventory.value.none", lang), "", "", "",
                         "", "-", "-"])
    return Table("cakupan", title("coverage", lang),
                 [h("item", lang), h("area", lang), h("opd", lang), h("application", lang), h("status", lang),
                  h("kind", lang), h("area_role", lang), h("interoperable", lang), "INT", "ITG"],
                 rows, [6, 30, 18, 40, 16, 22, 12, 14, 7, 7],
                 doc_widths=[1.2, 4.4, 2.6, 5.6, 2.4, 3.0, 1.7, 2.2, 1.3, 1.3], heat_cols=[8, 9], mark_cols=[0],
                 note=t("inventory.note.coverage", lang))


# --- Tabel II.11: one row per program -------------------------------------------------------------------------

def gap_rows(inv: Inventory, item: RoadmapItem) -> list[Any]:
    ids = set(item.gap_ids)
    return [g for g in inv.gaps if g.id in ids]


def gaps_table(inv: Inventory, lang: str, run_link: RunLink = no_link) -> Table:
    """Tabel II.11: the gaps of one kind one OPD answers for together (the roadmap's programs), with the
    applications, the current state of each, one strategy, and the evidence in words."""
    order = {k: i for i, k in enumerate(dict.fromkeys(g.kind for g in inv.gaps))}
    items = sorted(inv.roadmap.items, key=lambda i: (order.get(i.kind, 99), i.responsible.label.lower(),
                                                     i.program.get(lang)))
    rows = []
    for n, item in enumerate(items, start=1):
        members = gap_rows(inv, item)
        head = members[0].title.get(lang)
        if members[0].area and len({g.area for g in members}) == 1 and item.kind in AREA_KINDS:
            head = f"{head}: {area_label(members[0].area).get(lang).lower()}"
        as_is = "\n".join(dict.fromkeys(g.as_is.get(lang) for g in members))
        to_be = (item.to_be or members[0].to_be).get(lang)
        evidence = gap_evidence(inv, [e for g in members for e in g.evidence], lang, run_link)
        rows.append([n, head, to_be, as_is, action_lines(item.action.get(lang)), item.responsible.label, evidence])
    return Table("kesenjangan", title("gaps", lang),
                 [h("no", lang), h("gap", lang), h("to_be", lang), h("as_is", lang), h("action", lang),
                  h("responsible", lang), h("evidence", lang)],
                 rows, [5, 28, 40, 45, 70, 18, 60], doc_widths=[0.8, 2.9, 4.0, 4.6, 6.2, 2.1, 5.1], mark_cols=[0],
                 note=t("inventory.note.gaps", lang))


AREA_KINDS = {"GAP-001", "GAP-002", "GAP-003"}


# --- roadmap -----------------------------------------------------------------------------------------------------

def roadmap_table(inv: Inventory, lang: str, horizon: str | None = None) -> Table:
    names = app_names(inv)
    items = [i for i in inv.roadmap.items if horizon is None or i.horizon == horizon]
    rows = [[i.rank, horizon_name(inv, i.horizon, lang), CHECK if i.quick_win else "", i.program.get(lang),
             i.responsible.label, ", ".join(names.get(a, a) for a in i.app_ids) or "-", formula(i.priority, lang),
             i.kpi.what.get(lang), i.kpi.when.get(lang)] for i in items]
    table = Table("peta_jalan", title("roadmap", lang) if horizon is None else horizon_name(inv, horizon, lang),
                  [h("rank", lang), h("horizon", lang), h("quick_win", lang), h("program", lang),
                   h("responsible", lang), h("applications", lang), h("priority_formula", lang), h("kpi_what", lang),
                   h("kpi_when", lang)],
                  rows, [6, 22, 9, 40, 18, 40, 16, 45, 30],
                  doc_widths=[1.55, 2.4, 1.4, 4.6, 2.3, 4.4, 2.3, 4.8, 2.8],
                  note=f"{inv.roadmap.formula.get(lang)} {inv.roadmap.quick_win_rule.get(lang)}", mark_cols=[0, 2])
    if horizon is not None:  # the horizon is the table's title
        table.headers.pop(1)
        table.widths.pop(1)
        table.doc_widths.pop(1)  # type: ignore[union-attr]
        for row in table.rows:
            row.pop(1)
        table.mark_cols, table.note = [0, 1], ""
        table.key = f"peta_jalan_{horizon}"
    return table


# --- scores, OPDs ------------------------------------------------------------------------------------------------

def heatmap_table(inv: Inventory, lang: str) -> Table:
    names = standard_names()
    rows = [[r.name, r.opd, _label(r.status, lang, "status"), *[_score(r.scores.get(s)) for s in STANDARDS],
             _score(r.overall), r.level or "-"] for r in inv.heatmap]
    return Table("skor", title("heatmap", lang),
                 [h("application", lang), h("opd", lang), h("status", lang), *[names[s].get(lang) for s in STANDARDS],
                  h("overall", lang), h("level", lang)],
                 rows, [40, 18, 16, 12, 12, 12, 12, 12, 10, 7],
                 doc_widths=[6.0, 2.6, 2.6, 2.1, 2.1, 2.1, 2.1, 2.1, 1.6, 1.3], heat_cols=[3, 4, 5, 6, 7, 8],
                 note=t("inventory.note.heatmap", lang))


def opd_table(inv: Inventory, lang: str) -> Table:
    rows = [[s.opd, s.kode_opd, s.apps, s.production, s.assessed, s.interoperable, s.gaps, _score(s.mean_score)]
            for s in inv.opd_summary]
    return Table("opd", title("opd", lang),
                 [h("opd", lang), h("kode_opd", lang), h("apps", lang), h("production", lang), h("assessed", lang),
                  h("interoperable", lang), h("gaps", lang), h("mean_score", lang)],
                 rows, [24, 26, 10, 11, 10, 13, 12, 12], doc_widths=[4.0, 5.2, 2.2, 2.4, 2.2, 2.6, 2.4, 2.4],
                 heat_cols=[7], count_cols=[6])


# --- Monev ---------------------------------------------------------------------------------------------------------

def _entries(entries: list[MonevEntry], lang: str, names: dict[str, str]) -> list[list[Any]]:
    std = standard_names()
    out = []
    for e in entries:
        text = e.text.get(lang)
        if e.app_id and text.startswith(f"{e.app_id}: "):  # the application has its own column
            text = text[len(e.app_id) + 2:]
            text = text[:1].upper() + text[1:]
        out.append([names.get(e.app_id or "", e.app_id or "-"), std[e.standard].get(lang) if e.standard else "",
                    e.check_id or "", text])
    return out


def monev_tables(ws: MonevWorksheet, lang: str, names: dict[str, str] | None = None) -> list[Table]:
    names = names or {}
    std = standard_names()
    cols = [h("application", lang), h("standard", lang), h("check", lang), h("description", lang)]
    tables = [Table(key, title(f"monev_{key}", lang), list(cols), _entries(entries, lang, names), [22, 22, 12, 90],
                    doc_widths=[4.0, 4.0, 2.0, 15.7])
              for key, entries in (("works", ws.works), ("doesnt_work", ws.doesnt_work), ("improve", ws.improve))]
    if ws.not_measured:  # "belum diukur": judged by nobody, so listed apart with the reason (issue 10.3)
        tables.append(Table("not_measured", title("monev_not_measured", lang, count=len(ws.not_measured)),
                            list(cols), _entries(ws.not_measured, lang, names), [22, 22, 12, 90],
                            doc_widths=[4.0, 4.0, 2.0, 15.7], note=t("inventory.table.monev_not_measured_note", lang)))
    if ws.warnings:
        tables.append(Table("monev_warnings", title("monev_warnings", lang), [h("description", lang)],
                            [[w.get(lang)] for w in ws.warnings], [110], doc_widths=[25.7]))
    moves = [[names.get(m.app_id, m.app_id), std[m.standard].get(lang), _score(m.before), _score(m.after),
              "-" if m.delta is None else m.delta, m.threshold,
              t(f"inventory.value.crossed_{m.crossed}", lang) if m.crossed else ""] for m in ws.score_moves]
    tables.append(Table("score_moves", title("monev_moves", lang),
                        [h("application", lang), h("standard", lang), h("before", lang), h("after", lang),
                         h("delta", lang), h("threshold", lang), h("crossed", lang)],
                        moves, [22, 22, 10, 10, 10, 10, 22], doc_widths=[5.0, 5.0, 2.2, 2.2, 2.4, 2.2, 6.7],
                        heat_cols=[2, 3]))
    changes = [[names.get(c.app_id, c.app_id), c.check_id, c.title.get(lang) if c.title else "",
                t(f"assessment.status.{c.before}", lang) if c.before else "-",
                t(f"assessment.status.{c.after}", lang) if c.after else "-"] for c in ws.check_changes]
    tables.append(Table("check_changes", title("monev_checks", lang),
                        [h("application", lang), h("check", lang), h("title", lang), h("before", lang),
                         h("after", lang)], changes, [22, 12, 60, 14, 14], doc_widths=[5.0, 2.2, 12.0, 3.2, 3.3]))
    return tables


def inventory_tables(inv: Inventory, lang: str, run_link: RunLink = no_link) -> list[Table]:
    """Every table of the inventory in reading order (the appendix apart: :func:`appendix_tables`)."""
    from hub.inventory.render.plan_tables import plan_tables

    tables = [readiness_table(inv, lang), coverage_table(inv, lang), gaps_table(inv, lang, run_link),
              roadmap_table(inv, lang)]
    if inv.plan is not None:
        tables += plan_tables(inv, lang)
    tables += [heatmap_table(inv, lang), opd_table(inv, lang)]
    if inv.monev is not None:
        tables += monev_tables(inv.monev, lang, app_names(inv))
    return tables


OUTCOME_FILL = {"baik": "63BE7B", "sedang": "FFEB84", "buruk": "F8696B"}


def fills(table: Table) -> list[list[str | None]]:
    """Background colour (hex, no #) of every cell, or None: scores on the red-yellow-green scale, counts where
    more is worse from white to red, the ✓ of baik / sedang / buruk in its colour, and the cells of
    ``fill_cols`` (the quarters a program runs) in theirs."""
    from hub.inventory.render.svg import count_color, score_color

    worst = {c: max((r[c] for r in table.rows if isinstance(r[c], int | float)), default=0) for c in table.count_cols}
    out: list[list[str | None]] = []
    for row in table.rows:
        line: list[str | None] = []
        for c, value in enumerate(row):
            if c in table.heat_cols:
                line.append(score_color(value if isinstance(value, int | float) else None))
            elif c in table.count_cols and isinstance(value, int | float):
                line.append(count_color(int(value), int(worst[c])))
            elif c in table.outcome_cols and value == CHECK:
                line.append(OUTCOME_FILL[table.outcome_cols[c]])
            elif c in table.fill_cols and value not in ("", None):
                line.append(table.fill_cols[c])
            else:
                line.append(None)
        out.append(line)
    return out
