"""Reports: JSON, JUnit XML, XLSX and HTML are well-formed and say the same thing as the run."""

from __future__ import annotations

import io
import json
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

import pytest
from openpyxl import load_workbook

from hub.assessment import AssessmentRun, Status
from hub.assessment.render import render

from .apps import build_app
from .conftest import run_app


@pytest.fixture(scope="module")
def run() -> AssessmentRun:
    import asyncio

    return asyncio.run(run_app(build_app(fragile=True)))


def test_json_is_the_run(run):
    data = json.loads(render(run, "json"))
    assert data["run_id"] == run.run_id and data["catalog_version"] == run.catalog_version
    assert {r["status"] for r in data["results"]} >= {"pass", "fail", "not_answered"}
    assert AssessmentRun.model_validate(data).maturity.level == run.maturity.level


def test_junit_keeps_failures_and_errors_apart(run):
    root = ET.fromstring(render(run, "junit", "en"))
    cases = root.findall(".//testcase")
    assert len(cases) == len(run.results)
    failures = {c.get("name").split()[0] for c in cases if c.find("failure") is not None}
    errors = {c.get("name").split()[0] for c in cases if c.find("error") is not None}
    skipped = {c.get("name").split()[0] for c in cases if c.find("skipped") is not None}
    assert failures == {r.check_id for r in run.results if r.status is Status.FAIL}
    assert errors == {r.check_id for r in run.results if r.status is Status.ERROR}
    assert skipped == {r.check_id for r in run.results if r.status in (Status.NOT_APPLICABLE, Status.NOT_ANSWERED)}
    assert int(root.get("failures")) == len(failures)
    rel3 = next(c for c in cases if c.get("name").startswith("REL-003"))
    assert "curl " in rel3.find("failure").text


def test_junit_reports_a_simpul_error_as_error():
    import asyncio

    from hub.assessment.probes import PROBES

    async def broken(ctx):
        raise RuntimeError("bug")

    saved = PROBES["docs"]
    PROBES["docs"] = broken
    try:
        run = asyncio.run(run_app(build_app()))
    finally:
        PROBES["docs"] = saved
    root = ET.fromstring(render(run, "junit"))
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("USR-001"))
    assert case.find("error") is not None and case.find("failure") is None


def test_xlsx_has_summary_checks_and_evidence(run):
    book = load_workbook(io.BytesIO(render(run, "xlsx", "id")))
    assert book.sheetnames == ["Ringkasan", "Pemeriksaan", "Bukti"]
    checks = list(book["Pemeriksaan"].iter_rows(values_only=True))
    assert len(checks) == len(run.results) + 1
    assert any(row[0] == "REL-003" and row[3] == "gagal" for row in checks)
    evidence = list(book["Bukti"].iter_rows(values_only=True))
    assert any(str(row[7]).startswith("curl") for row in evidence[1:])
    assert load_workbook(io.BytesIO(render(run, "xlsx", "en"))).sheetnames == ["Summary", "Checks", "Evidence"]


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize(("lang", "heading", "other"), [("id", "Ringkasan", "Summary"), ("en", "Summary", "Ringkasan")])
def test_html_is_self_contained_and_in_one_language(run, lang, heading, other):
    html = render(run, "html", lang)
    parser = _Collect()
    parser.feed(html)
    assert ("html", {"lang": lang}) in parser.tags
    assert not any(t == "script" or (t == "link" and a.get("rel") == "stylesheet") for t, a in parser.tags)
    text = " ".join(parser.text)
    assert heading in text and other not in text
    for r in run.results:
        assert r.check_id in text
    assert "curl" in text and "@media print" in html


def test_unknown_format_is_refused(run):
    with pytest.raises(ValueError, match="unknown format"):
        render(run, "pdf")
