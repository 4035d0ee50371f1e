"""Reports of an :class:`~hub.assessment.models.AssessmentRun`: JSON, HTML, JUnit XML, XLSX.

* JSON: the run itself (the model is the contract).
* HTML: one self-contained, printable page (Jinja2, inline CSS), in the chosen language only.
* JUnit XML: one ``testcase`` per check; fail → ``<failure>``, error → ``<error>`` (Simpul could not measure),
  not applicable / not answered / inconclusive → ``<skipped>`` (the message says which, and why), warning → passes
  with a ``WARNING`` line in ``<system-out>``.
* XLSX: a summary sheet, a checks sheet and an evidence sheet (openpyxl).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from jinja2 import Environment, FileSystemLoader, select_autoescape

from hub.assessment.models import AssessmentRun, CheckResult, Evidence, Status
from hub.i18n import catalog, fmt_datetime, fmt_number, fmt_percent, t
from registry.io.spreadsheets import protect_workbook

FORMATS = ("json", "html", "junit", "xlsx")
SKIPPED = (Status.NOT_APPLICABLE, Status.NOT_ANSWERED, Status.INCONCLUSIVE)  # JUnit <skipped>: no verdict
TEMPLATES = Path(__file__).parent / "templates"


def status_label(status: Status, lang: str) -> str:
    return t(f"assessment.status.{status.value}", lang)


def detail(result: CheckResult, lang: str) -> str:
    text = result.message or result.reason
    return text.get(lang) if text else ""


def _word(prefix: str, code: str, lang: str) -> str:
    key = f"{prefix}.{code.replace(' ', '_')}"
    return t(key, lang) if key in catalog() else code


def _measured_value(key: str, value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return t("assessment.measured.yes" if value else "assessment.measured.no", lang)
    if isinstance(value, int | float):
        if key.endswith("_pct"):
            return fmt_percent(value, lang)
        return fmt_number(value, lang, digits=2) + (" ms" if key.endswith("_ms") else "")
    return json.dumps(value, ensure_ascii=False, default=str)


def _measured(result: CheckResult, lang: str = "id") -> str:
    """What a check measured, named in ``lang`` (``assessment.measured.<key>``) with numbers written its way."""
    if not result.measured:
        return ""
    parts = [f"{_word('assessment.measured', key, lang)}: {_measured_value(key, value, lang)}"
             for key, value in result.measured.items()]
    return " · ".join(parts)[:800]


def evidence_title(ev: Evidence, lang: str) -> str:
    """The title of a piece of evidence; Simpul's own titles ("reason", "what to check"…) in ``lang``."""
    return _word("assessment.evidence", ev.title, lang)


def evidence_note(ev: Evidence, result: CheckResult, lang: str) -> str:
    """A note of evidence. Notes Simpul wrote itself are stored in English: they are shown from the catalog."""
    if ev.title in ("reason", "error", "refused") and result.reason is not None:
        return result.reason.get(lang)
    if ev.title == "what to check":
        from hub.assessment import load_catalog

        try:
            return load_catalog().get(result.check_id).measure.get(lang)
        except KeyError:
            pass
    return ev.note or ""


def _evidence_line(ev: Evidence, result: CheckResult, lang: str) -> str:
    title = evidence_title(ev, lang)
    if ev.http is not None:
        h = ev.http
        status = h.status if h.status is not None else (h.error or "-")
        ms = f" {fmt_number(h.elapsed_ms, lang, digits=0)} ms" if h.elapsed_ms is not None else ""
        return f"[{title}] {h.method} {h.url} → {status}{ms}"
    if ev.kind == "document":
        return f"[{title}] {ev.url or ev.file_name or ''} {ev.note or ''}".strip()
    if ev.note:
        return f"[{title}] {evidence_note(ev, result, lang)}"
    return f"[{title}] {json.dumps(ev.data, ensure_ascii=False, default=str)[:300]}"


# -- JSON --------------------------------------------------------------------------------------------------------
def render_json(run: AssessmentRun, lang: str = "id") -> str:
    return run.model_dump_json(indent=2)


# -- HTML --------------------------------------------------------------------------------------------------------
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["status_label"] = status_label
    env.filters["detail"] = detail
    env.filters["measured"] = _measured
    env.filters["evidence_title"] = evidence_title
    env.globals["evidence_note"] = evidence_note
    env.globals["fmt_number"] = fmt_number
    env.globals["fmt_datetime"] = fmt_datetime
    return env


def render_html(run: AssessmentRun, lang: str = "id") -> str:
    def h(key: str, **params: Any) -> dict[str, str]:
        return {"main": t(f"assessment.report.{key}", lang, **params)}

    groups = {s.standard: [r for r in run.results if r.standard == s.standard] for s in run.scores}
    return _env().get_template("report.html.j2").render(
        run=run, lang=lang, h=h, groups=groups, Status=Status,
        failed=[r for r in run.results if r.status is Status.FAIL],
        errors=[r for r in run.results if r.status is Status.ERROR],
        inconclusive=[r for r in run.results if r.status is Status.INCONCLUSIVE],
        pending=[r for r in run.results if r.status is Status.NOT_ANSWERED],
    )


# -- JUnit XML ---------------------------------------------------------------------------------------------------
def _text_block(result: CheckResult, lang: str) -> str:
    lines = [detail(result, lang)]
    if result.measured:
        lines.append(t("assessment.report.measured", lang) + ": " + _measured(result, lang))
    for ev in result.evidence:
        lines.append(_evidence_line(ev, result, lang))
        if ev.http is not None:
            lines.append("  " + ev.http.curl)
    return "\n".join(line for line in lines if line)


def render_junit(run: AssessmentRun, lang: str = "id") -> str:
    counts = {s: sum(1 for r in run.results if r.status is s) for s in Status}
    root = ET.Element("testsuites", name=f"simpul-assessment {run.target.app_id}", tests=str(len(run.results)),
                      failures=str(counts[Status.FAIL]), errors=str(counts[Status.ERROR]),
                      skipped=str(sum(counts[st] for st in SKIPPED)))
    for score in run.scores:
        mine = [r for r in run.results if r.standard == score.standard]
        suite = ET.SubElement(
            root, "testsuite", name=score.name.get(lang), tests=str(len(mine)),
            failures=str(sum(r.status is Status.FAIL for r in mine)),
            errors=str(sum(r.status is Status.ERROR for r in mine)),
            skipped=str(sum(r.status in SKIPPED for r in mine)),
            timestamp=run.started_at.isoformat())
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="score", value="" if score.score is None else str(score.score))
        ET.SubElement(props, "property", name="catalog_version", value=run.catalog_version)
        for r in mine:
            case = ET.SubElement(suite, "testcase", classname=f"simpul.assessment.{r.standard}",
                                 name=f"{r.check_id} {r.title.get(lang)}", time=f"{r.duration_ms / 1000:.3f}")
            body = _text_block(r, lang)
            if r.status is Status.FAIL:
                ET.SubElement(case, "failure", message=detail(r, lang)[:500], type="fail").text = body
            elif r.status is Status.ERROR:
                ET.SubElement(case, "error", message=detail(r, lang)[:500], type="simpul-error").text = body
            elif r.status in SKIPPED:
                skipped = ET.SubElement(case, "skipped", message=f"{r.status.value}: {detail(r, lang)}"[:500])
                if r.status is Status.INCONCLUSIVE:  # the lag figures and the evidence: why it is not judged
                    skipped.text = body
            elif r.status is Status.WARNING:
                ET.SubElement(case, "system-out").text = "WARNING: " + body
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- XLSX --------------------------------------------------------------------------------------------------------
def render_xlsx(run: AssessmentRun, lang: str = "id") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    fills = {Status.PASS: "C6EFCE", Status.WARNING: "FFEB9C", Status.FAIL: "FFC7CE", Status.ERROR: "D9D9D9",
             Status.INCONCLUSIVE: "E4D9FB"}
    bold = Font(bold=True)
    book = Workbook()
    summary = book.active
    summary.title = t("assessment.report.sheet.summary", lang)
    summary.append([t("assessment.report.title", lang, name=run.target.name)])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append([t("assessment.report.run", lang, run_id=run.run_id, started=run.started_at.isoformat(),
                      finished=run.finished_at.isoformat(), catalog=run.catalog_version,
                      requests=run.requests_made)])
    summary.append([t("assessment.report.target", lang), run.target.app_id, run.target.base_url,
                    run.target.area or ""])
    summary.append([t("assessment.report.level", lang), run.maturity.level, run.maturity.name.get(lang)])
    summary.append([t("assessment.report.overall", lang), run.maturity.overall_score])
    summary.append([run.maturity.explanation.get(lang)])
    summary.append([])
    summary.append([t("assessment.report.standard", lang), t("assessment.report.score", lang),
                    *[status_label(s, lang) for s in Status]])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for s in run.scores:
        summary.append([s.name.get(lang), s.score, *[s.counts.get(st.value, 0) for st in Status]])
    summary.column_dimensions["A"].width = 36

    checks = book.create_sheet(t("assessment.report.sheet.checks", lang))
    header = ["ID", t("assessment.report.standard", lang), t("assessment.report.check", lang),
              t("assessment.report.status", lang), t("assessment.report.weight", lang),
              t("assessment.report.message", lang), t("assessment.report.measured", lang),
              t("assessment.report.col.automated", lang), t("assessment.report.col.answered_by", lang)]
    checks.append(header)
    for cell in checks[1]:
        cell.font = bold
    for r in run.results:
        checks.append([r.check_id, r.standard, r.title.get(lang), status_label(r.status, lang), r.weight,
                       detail(r, lang), _measured(r, lang), t(f"assessment.measured.{'yes' if r.automated else 'no'}",
                                                              lang), r.answered_by or ""])
        if r.status in fills:
            checks.cell(row=checks.max_row, column=4).fill = PatternFill("solid", fgColor=fills[r.status])
    for col, width in zip("ABCDEFGHI", (10, 16, 48, 14, 8, 70, 50, 10, 16), strict=True):
        checks.column_dimensions[col].width = width
    checks.freeze_panes = "A2"

    evidence = book.create_sheet(t("assessment.report.sheet.evidence", lang))
    evidence.append(["ID", *(t(f"assessment.report.col.{c}", lang) for c in ("kind", "title", "method", "where",
                                                                             "status", "ms", "curl", "body"))])
    for cell in evidence[1]:
        cell.font = bold
    for r in run.results:
        for ev in r.evidence:
            h = ev.http
            evidence.append([r.check_id, ev.kind, evidence_title(ev, lang), h.method if h else "", h.url if h else
                             (ev.url or ev.file_name or ""), (h.status if h.status is not None else h.error) if h
                             else "", h.elapsed_ms if h else None, h.curl if h else "",
                             (h.body if h else (evidence_note(ev, r, lang)
                                                or json.dumps(ev.data, ensure_ascii=False, default=str)))
                             [:32000]])
    evidence.freeze_panes = "A2"
    protect_workbook(book)  # names, messages and bodies come from the application: never a formula
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render(run: AssessmentRun, fmt: str = "json", lang: str = "id") -> str | bytes:
    """One report in ``fmt`` (json, html, junit, xlsx); xlsx gives bytes, the others text."""
    renderers = {"json": render_json, "html": render_html, "junit": render_junit, "xlsx": render_xlsx}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    return renderers[fmt](run, lang)
