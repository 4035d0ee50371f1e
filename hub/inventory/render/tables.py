"""The tables of the inventory, in one language, as plain rows: every export (Markdown, HTML, XLSX, DOCX) renders
these same tables, so a gap row carries the same evidence reference everywhere."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.assessment.models import STANDARDS
from hub.i18n import t
from hub.inventory.config import load_gaps, load_readiness
from hub.inventory.context import area_label, standard_names
from hub.inventory.models import Inventory, MonevEntry, MonevWorksheet

CHECK = "✓"


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    widths: list[int]
    note: str = ""
    heat_cols: list[int] = field(default_factory=list)  # 0-100 scores: colour scale
    outcome_cols: dict[int, str] = field(default_factory=dict)  # column -> baik|sedang|buruk (✓ cells)
    count_cols: list[int] = field(default_factory=list)  # counts where more is worse (gaps)
    ref_cols: list[int] = field(default_factory=list)  # evidence references (monospace)


def h(key: str, lang: str, **params: Any) -> str:
    return t(f"inventory.col.{key}", lang, **params)


def title(key: str, lang: str, **params: Any) -> str:
    return t(f"inventory.table.{key}", lang, **params)


def _yes(value: bool | None, lang: str) -> str:
    if value is None:
        return t("inventory.value.not_assessed", lang)
    return t("inventory.value.yes" if value else "inventory.value.no", lang)


def _score(value: float | None) -> float | str:
    return "-" if value is None else value


def _label(code: str, lang: str, vocab_name: str) -> str:
    from registry.vocab import vocab

    return vocab(vocab_name).label(code, lang)


def readiness_table(inv: Inventory, lang: str) -> Table:
    rows = []
    for line in inv.readiness:
        marks = [CHECK if line.outcome == o else "" for o in ("baik", "sedang", "buruk")]
        rows.append([line.item, line.component.get(lang), line.condition.get(lang), *marks,
                     f"{line.rule_id}: {line.rule.get(lang)}"])
    return Table("kesiapan", title("readiness", lang),
                 [h("no", lang), h("component", lang), h("condition", lang), h("baik", lang), h("sedang", lang),
                  h("buruk", lang), h("rule", lang)], rows, [5, 38, 48, 7, 7, 7, 60],
                 note=t("inventory.note.readiness", lang), outcome_cols={3: "baik", 4: "sedang", 5: "buruk"})


def coverage_table(inv: Inventory, lang: str) -> Table:
    lines = {a.app_id: a for a in inv.applications}
    rows = []
    for cov in inv.coverage:
        for group in cov.opds:
            for app_id in group.apps:
                a = lines[app_id]
                role = h("main_area", lang) if a.area == cov.area else h("other_area", lang)
                rows.append([cov.item or "-", cov.label.get(lang), group.opd, f"{a.name} ({a.app_id})",
                             _label(a.status, lang, "status"), _label(a.kind, lang, "kind"), role,
                             _yes(a.interoperable, lang), _score(a.scores.get("interoperable")),
                             _score(a.scores.get("integrateable"))])
        if not cov.opds:
            rows.append([cov.item or "-", cov.label.get(lang), "-", t("inventory.value.none", lang), "", "", "",
                         "", "-", "-"])
    return Table("cakupan", title("coverage", lang),
                 [h("item", lang), h("area", lang), h("opd", lang), h("application", lang), h("status", lang),
                  h("kind", lang), h("area_role", lang), h("interoperable", lang), "INT", "ITG"],
                 rows, [6, 30, 18, 40, 16, 22, 12, 14, 7, 7], heat_cols=[8, 9])


def gaps_table(inv: Inventory, lang: str) -> Table:
    rows = [[n, g.id, g.title.get(lang), g.to_be.get(lang), g.as_is.get(lang), g.action.get(lang),
             g.responsible.label, g.evidence_refs()] for n, g in enumerate(inv.gaps, start=1)]
    return Table("kesenjangan", title("gaps", lang),
                 [h("no", lang), h("gap_id", lang), h("gap", lang), h("to_be", lang), h("as_is", lang),
                  h("action", lang), h("responsible", lang), h("evidence", lang)],
                 rows, [5, 24, 28, 40, 45, 70, 18, 60], note=t("inventory.note.gaps", lang), ref_cols=[7])


def roadmap_table(inv: Inventory, lang: str) -> Table:
    rows = []
    for i in inv.roadmap.items:
        rows.append([i.rank, t(f"inventory.horizon.{i.horizon}", lang, years=inv.roadmap.horizons[i.horizon]),
                     CHECK if i.quick_win else "", i.program.get(lang), i.responsible.label, i.priority.impact,
                     i.priority.urgency, i.priority.effort, i.priority.value, i.priority.formula,
                     i.kpi.what.get(lang), i.kpi.when.get(lang), i.kpi.who.get(lang), ", ".join(i.gap_ids),
                     ", ".join(i.app_ids)])
    return Table("peta_jalan", title("roadmap", lang),
                 [h("rank", lang), h("horizon", lang), h("quick_win", lang), h("program", lang),
                  h("responsible", lang), h("impact", lang), h("urgency", lang), h("effort", lang),
                  h("priority", lang), h("formula", lang), h("kpi_what", lang), h("kpi_when", lang),
                  h("kpi_who", lang), h("gap_ids", lang), h("applications", lang)],
                 rows, [6, 22, 9, 40, 18, 8, 8, 8, 9, 18, 45, 30, 18, 40, 30],
                 note=f"{inv.roadmap.formula.get(lang)} {inv.roadmap.quick_win_rule.get(lang)}")


def heatmap_table(inv: Inventory, lang: str) -> Table:
    names = standard_names()
    rows = [[f"{r.name} ({r.app_id})", r.opd, _label(r.status, lang, "status"),
             *[_score(r.scores.get(s)) for s in STANDARDS], _score(r.overall), r.level or "-"] for r in inv.heatmap]
    return Table("skor", title("heatmap", lang),
                 [h("application", lang), h("opd", lang), h("status", lang), *[names[s].get(lang) for s in STANDARDS],
                  h("overall", lang), h("level", lang)],
                 rows, [40, 18, 16, 12, 12, 12, 12, 12, 10, 7], heat_cols=[3, 4, 5, 6, 7, 8],
                 note=t("inventory.note.heatmap", lang))


def opd_table(inv: Inventory, lang: str) -> Table:
    rows = [[s.opd, s.kode_opd, s.apps, s.production, s.assessed, s.interoperable, s.gaps, _score(s.mean_score)]
            for s in inv.opd_summary]
    return Table("opd", title("opd", lang),
                 [h("opd", lang), h("kode_opd", lang), h("apps", lang), h("production", lang), h("assessed", lang),
                  h("interoperable", lang), h("gaps", lang), h("mean_score", lang)],
                 rows, [24, 26, 10, 11, 10, 13, 12, 12], heat_cols=[7], count_cols=[6])


def _entries(entries: list[MonevEntry], lang: str) -> list[list[Any]]:
    names = standard_names()
    return [[e.app_id or "-", names[e.standard].get(lang) if e.standard else "", e.check_id or "", e.text.get(lang)]
            for e in entries]


def monev_tables(ws: MonevWorksheet, lang: str) -> list[Table]:
    names = standard_names()
    cols = [h("application", lang), h("standard", lang), h("check", lang), h("description", lang)]
    widths = [22, 22, 12, 90]
    tables = [Table(key, title(f"monev_{key}", lang), cols, _entries(entries, lang), widths)
              for key, entries in (("works", ws.works), ("doesnt_work", ws.doesnt_work), ("improve", ws.improve))]
    moves = [[m.app_id, names[m.standard].get(lang), _score(m.before), _score(m.after),
              "-" if m.delta is None else m.delta, m.threshold,
              t(f"inventory.value.crossed_{m.crossed}", lang) if m.crossed else ""] for m in ws.score_moves]
    tables.append(Table("score_moves", title("monev_moves", lang),
                        [h("application", lang), h("standard", lang), h("before", lang), h("after", lang),
                         h("delta", lang), h("threshold", lang), h("crossed", lang)],
                        moves, [22, 22, 10, 10, 10, 10, 22], heat_cols=[2, 3]))
    changes = [[c.app_id, c.check_id, c.title.get(lang) if c.title else "", c.before or "-", c.after or "-"]
               for c in ws.check_changes]
    tables.append(Table("check_changes", title("monev_checks", lang),
                        [h("application", lang), h("check", lang), h("title", lang), h("before", lang),
                         h("after", lang)], changes, [22, 12, 60, 14, 14]))
    return tables


def rules_tables(lang: str, horizons: dict[str, int] | None = None) -> list[Table]:
    years = horizons or {"short": 1, "medium": 5, "long": 10}
    rules = load_readiness()
    params = rules.placeholders()
    rows = []
    for group, name in ((rules.item_8, h("item8", lang)), (rules.areas, h("items14_20", lang))):
        for r in group.rules:
            cond = ", ".join(f"{k} ≥ {v:g}" for k, v in r.when.items()) or t("inventory.value.otherwise", lang)
            rows.append([name, r.id, r.outcome, cond, r.text.get(lang).format(**params)])
    readiness = Table("aturan_kesiapan", title("rules_readiness", lang),
                      [h("group", lang), h("rule_id", lang), h("outcome", lang), h("conditions", lang),
                       h("description", lang)], rows, [16, 12, 10, 40, 90], note=t("inventory.note.rules", lang))
    kinds = [[k.id, k.title.get(lang), k.description.get(lang).format_map(_Keep()), k.impact, k.urgency, k.effort,
              t(f"inventory.horizon.{k.horizon}", lang, years=years.get(k.horizon, 1)),
              t(f"inventory.responsible.{k.responsible}", lang), k.detector, k.source] for k in load_gaps().kinds]
    gaps = Table("jenis_kesenjangan", title("rules_gaps", lang),
                 [h("gap_id", lang), h("gap", lang), h("description", lang), h("impact", lang), h("urgency", lang),
                  h("effort", lang), h("horizon", lang), h("responsible", lang), h("detector", lang),
                  h("source", lang)], kinds, [9, 34, 70, 8, 8, 8, 22, 22, 26, 40])
    return [readiness, gaps]


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def inventory_tables(inv: Inventory, lang: str) -> list[Table]:
    tables = [readiness_table(inv, lang), coverage_table(inv, lang), gaps_table(inv, lang), roadmap_table(inv, lang),
              heatmap_table(inv, lang), opd_table(inv, lang)]
    if inv.monev is not None:
        tables += monev_tables(inv.monev, lang)
    return tables


def area_name(area: str | None, lang: str) -> str:
    return area_label(area).get(lang)


OUTCOME_FILL = {"baik": "63BE7B", "sedang": "FFEB84", "buruk": "F8696B"}


def fills(table: Table) -> list[list[str | None]]:
    """Background colour (hex, no #) of every cell, or None: scores on the red-yellow-green scale, counts where
    more is worse from white to red, and the ✓ of baik / sedang / buruk in its colour."""
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
            else:
                line.append(None)
        out.append(line)
    return out
