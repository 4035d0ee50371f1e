"""Render a :class:`ValidationReport` as text (for people), JSON, JUnit XML or SARIF 2.1.0 (for CI and audits).

The text form is written for a vendor who is not a JSON Schema expert: the verdict and the summary first, then
the problems grouped by rule and field with counts, then the details per document (row, column, message).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import Any, Literal

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

import hub
from hub.i18n import t
from hub.validation.privacy import shown
from hub.validation.report import CellLocation, DocumentResult, Issue, ValidationReport, index_label

OutputFormat = Literal["text", "json", "junit", "sarif"]
FORMATS: tuple[str, ...] = ("text", "json", "junit", "sarif")
MAX_TEXT_DOCUMENTS = 50
INFORMATION_URI = "https://github.com/simpul-egov/simpul"
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def _where(loc: CellLocation | None, lang: str = "id") -> str:
    """``D3`` for a spreadsheet cell, ``baris 4``/``row 4`` for a row, ``baris 2``/``line 2`` for NDJSON."""
    if loc is None:
        return ""
    if loc.column and loc.row:
        return f"{loc.column}{loc.row}"
    if loc.row:
        return t("validation.location.row", lang, row=loc.row)
    if loc.line:
        return t("validation.location.line", lang, line=loc.line)
    return ""


def verdict_line(report: ValidationReport, lang: str) -> str:
    s = report.summary
    schema = f"{report.schema_.key}:{report.schema_.version}"
    if report.valid:
        return t("validation.verdict.valid", lang, count=s.documents, schema=schema)
    return t("validation.verdict.invalid", lang, invalid=s.invalid, count=s.documents, schema=schema)


def text_renderables(report: ValidationReport, lang: str = "id") -> Iterator[RenderableType]:
    s = report.summary
    ref = report.schema_
    yield Text(f"{t('validation.text.schema', lang)}: {ref.key} v{ref.version}  ({ref.id}, {ref.hash[:19]}…)",
               style="dim")
    yield Text(verdict_line(report, lang), style="bold green" if report.valid else "bold red")
    if report.deprecation is not None:
        yield Text(f"⚠ {report.deprecation.message.text(lang)}", style="bold yellow")
    yield Text("")
    summary = Table(title=t("validation.text.summary", lang), title_justify="left", show_edge=False)
    for key in ("documents", "valid", "invalid", "errors", "warnings"):
        summary.add_column(t(f"validation.text.{key}", lang), justify="right")
    summary.add_row(*(str(v) for v in (s.documents, s.valid, s.invalid, s.errors, s.warnings)))
    yield summary
    if report.normalised is not None:
        changes = sum(len(d.changes) for d in report.normalised)
        yield Text("")
        yield Text(t("validation.text.normalised", lang, changes=changes, documents=len(report.normalised)),
                   style="bold")
        for doc in report.normalised[:MAX_TEXT_DOCUMENTS]:
            for c in doc.changes:
                yield Text(f"  {doc.location.label.text(lang)} {c.pointer}: {c.before!s} → {c.after!s} ({c.kind})")
    if report.groups:
        yield Text("")
        groups = Table(title=t("validation.text.groups", lang), title_justify="left", show_lines=False,
                       expand=False)
        groups.add_column(t("validation.text.count", lang), justify="right")
        groups.add_column(t("validation.text.rule", lang))
        groups.add_column(t("validation.text.path", lang))
        groups.add_column(t("validation.text.message", lang), overflow="fold")
        for g in report.groups:
            style = "red" if g.severity == "error" else "yellow" if g.severity == "warning" else ""
            groups.add_row(str(g.count), Text(g.rule, style=style), g.path or "/", g.message.text(lang))
        yield groups
    with_issues = list(report.with_issues())
    if with_issues:
        yield Text("")
        yield Text(t("validation.text.details", lang), style="bold")
        for doc in with_issues[:MAX_TEXT_DOCUMENTS]:
            mark = "✓" if doc.valid else "✗"
            yield Text(f"{mark} {doc.location.label.text(lang)}", style="green" if doc.valid else "red")
            for issue in doc.issues:
                where = _where(issue.location, lang)
                head = f"   • [{t('validation.severity.' + issue.severity, lang)}] {issue.rule}"
                head += f" {issue.pointer or '/'}" + (f" ({where})" if where else "")
                yield Text(head, style="dim")
                yield Text("     " + issue.message.text(lang))
            if doc.truncated:
                yield Text("     " + t("validation.more_issues", lang, limit=len(doc.issues)), style="dim")
        if len(with_issues) > MAX_TEXT_DOCUMENTS:
            yield Text(t("validation.text.more_documents", lang, count=len(with_issues) - MAX_TEXT_DOCUMENTS),
                       style="dim")


def render_text(report: ValidationReport, lang: str = "id", width: int = 110) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None, force_terminal=False, highlight=False)
    console.print(Group(*text_renderables(report, lang)))
    return buffer.getvalue()


def render_junit(report: ValidationReport, lang: str = "id") -> str:
    """JUnit XML: one test case per document, a failure listing its errors (warnings go to system-out)."""
    s = report.summary
    ref = report.schema_
    listed = len(report.documents)
    root = ET.Element("testsuites", name="simpul validate", tests=str(listed), failures=str(s.invalid),
                      errors="0")
    suite = ET.SubElement(root, "testsuite", name=f"{ref.key}:{ref.version}", tests=str(listed),
                          failures=str(s.invalid), errors="0", skipped="0",
                          timestamp=report.generated_at.isoformat())
    props = ET.SubElement(suite, "properties")
    for name, value in (("schema", ref.id), ("hash", ref.hash), ("documents", s.documents),
                        ("simpul_version", report.simpul_version)):
        ET.SubElement(props, "property", name=name, value=str(value))
    if report.deprecation is not None:
        ET.SubElement(props, "property", name="deprecated", value=report.deprecation.message.text(lang))
        ET.SubElement(suite, "system-err").text = report.deprecation.message.text(lang)
    for doc in report.documents:
        case = ET.SubElement(suite, "testcase", name=doc.location.label.text(lang),
                             classname=doc.location.file or ref.key)
        lines = [f"[{i.severity}] {i.rule} {i.pointer or '/'} {_where(i.location, lang)}: {i.message.text(lang)}"
                 for i in doc.issues]
        errors = [i for i in doc.issues if i.severity == "error"]
        if errors:
            failure = ET.SubElement(case, "failure", message=errors[0].message.text(lang), type=errors[0].rule)
            failure.text = "\n".join(lines)
        elif lines:
            ET.SubElement(case, "system-out").text = "\n".join(lines)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _sarif_location(issue: Issue, file: str | None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": issue.pointer or "/", "kind": "member"}],
    }
    loc = issue.location
    uri = (loc.file if loc and loc.file else None) or file
    if uri:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        line = (loc.row or loc.line) if loc else None
        if line:
            region: dict[str, Any] = {"startLine": line}
            if loc and loc.column:
                index = 0
                for ch in loc.column:
                    index = index * 26 + (ord(ch) - 64)
                region["startColumn"] = index
            physical["region"] = region
        location["physicalLocation"] = physical
    return location


def render_sarif(report: ValidationReport, lang: str = "id") -> str:
    """SARIF 2.1.0 (GitHub code scanning, GitLab, Azure DevOps): one result per issue."""
    rules: dict[str, int] = {}
    rule_objs: list[dict[str, Any]] = []
    results = []
    for doc in report.with_issues():
        for issue in doc.issues:
            if issue.rule not in rules:
                rules[issue.rule] = len(rule_objs)
                keyword = issue.rule.split(":", 1)[1] if issue.rule.startswith("schema:") else None
                text = f"JSON Schema keyword '{keyword}'" if keyword else issue.rule
                rule_objs.append({"id": issue.rule, "shortDescription": {"text": text},
                                  "defaultConfiguration": {"level": _SARIF_LEVEL[issue.severity]}})
            result: dict[str, Any] = {
                "ruleId": issue.rule, "ruleIndex": rules[issue.rule], "level": _SARIF_LEVEL[issue.severity],
                "message": {"text": f"{doc.location.label.text(lang)}: {issue.message.text(lang)}"},
                "locations": [_sarif_location(issue, doc.location.file)],
                "properties": {"document": doc.index, "pointer": issue.pointer},
            }
            if issue.value is not None:
                result["properties"]["value"] = shown(issue.value)
            results.append(result)
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "Simpul", "version": hub.__version__, "semanticVersion": hub.__version__,
                                "informationUri": INFORMATION_URI, "rules": rule_objs}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": [
                {"level": "warning", "descriptor": {"id": "simpul:deprecated"},
                 "message": {"text": report.deprecation.message.text(lang)}}] if report.deprecation else []}],
            "results": results,
            "properties": {"schema": report.schema_.model_dump(), "summary": report.summary.model_dump(),
                           "valid": report.valid},
        }],
    }
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"


_COMPACT = ('{\n      "index": %d,\n      "location": {\n        "file": %s,\n        "line": %s,\n'
            '        "sheet": %s,\n        "row": %s,\n        "label": {\n          "id": %s,\n'
            '          "en": %s\n        }\n      },\n      "valid": true,\n      "issues": [],\n'
            '      "truncated": false\n    }')
_GROUPS = '\n  "groups": '  # the field after ``documents``; top-level keys alone sit at two spaces of indent


def _literal(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # escapes exactly what pydantic's JSON escapes
    return str(int(value))


def _document_json(item: Any) -> str:
    """One listed document as it stands in ``report.to_json()`` (indented for its place in ``documents``)."""
    if isinstance(item, DocumentResult):
        return item.model_dump_json(indent=2).replace("\n", "\n    ")
    if isinstance(item, int):
        label = index_label(item)
        index, file, line, sheet, row, label_id, label_en = item, None, None, None, None, label.id, label.en
    else:
        index, file, line, sheet, row, label_id, label_en = item
    return _COMPACT % (index, _literal(file), _literal(line), _literal(sheet), _literal(row), _literal(label_id),
                       _literal(label_en))


def write_json(report: ValidationReport, write: Callable[[str], Any], batch: int = 1000) -> None:
    """Write ``report.to_json() + "\\n"`` through ``write``, one batch of documents at a time: the valid documents
    without issues are written from their compact entries, so neither their objects nor the whole text exist."""
    head = report.model_dump_json(by_alias=True, indent=2, exclude={"documents"},
                                  context={"compact_listing": True})
    cut = head.index(_GROUPS)
    write(head[:cut] + '\n  "documents": ')
    listed = report.listed()
    if not listed:
        write("[]")
    else:
        parts = ["["]
        for number, item in enumerate(listed):
            parts.append(("\n    " if number == 0 else ",\n    ") + _document_json(item))
            if len(parts) >= batch:
                write("".join(parts))
                parts = []
        parts.append("\n  ]")
        write("".join(parts))
    write("," + head[cut:] + "\n")


def render(report: ValidationReport, fmt: str = "text", lang: str = "id") -> str:
    if fmt == "json":
        buffer = io.StringIO()
        write_json(report, buffer.write)
        return buffer.getvalue()
    if fmt == "junit":
        return render_junit(report, lang)
    if fmt == "sarif":
        return render_sarif(report, lang)
    return render_text(report, lang)
