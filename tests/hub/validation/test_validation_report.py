"""The report: counts, groups by rule and path, masking, and its four renderings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from hub.validation.render import render
from hub.validation.report import general_path
from hub.validation.store import SchemaStore
from hub.validation.validator import validate_documents
from tests.hub.validation.validation_testkit import VALID, write_schemas


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


@pytest.fixture(scope="module")
def report(store):
    documents = [
        VALID,
        {**VALID, "indikator": [{"uraian": "a", "target": "1"}, {"uraian": "b", "target": "2"}]},
        {**VALID, "indikator": [{"uraian": "c", "target": "x"}], "nik": "3572014101850001X"},
        {**VALID, "tanggal_lahir": "1-1-1985"},
    ]
    return validate_documents("uji/pegawai", documents, store=store, rules=False)


def test_summary_counts_documents_and_errors(report):
    s = report.summary
    assert (s.documents, s.valid, s.invalid, s.errors, s.warnings) == (4, 1, 3, 5, 0)
    assert report.valid is False
    assert [d.valid for d in report.documents] == [True, False, False, False]
    assert report.schema_.key == "uji/pegawai" and report.schema_.hash.startswith("sha256:")


def test_errors_are_grouped_by_rule_and_path_without_indices(report):
    first = report.groups[0]
    assert (first.rule, first.path, first.count, first.documents) == ("schema:type", "/indikator/*/target", 3, 2)
    assert first.example_value == "1"
    assert general_path("/a/10/b/0") == "/a/*/b/*"


def test_json_rendering_is_the_report_with_schema_key(report):
    data = json.loads(render(report, "json"))
    assert set(data) >= {"schema", "valid", "summary", "documents", "groups"}
    assert data["schema"]["id"] == "urn:simpul:schema:uji/pegawai:1"
    assert "3572014101850001" not in json.dumps(data)


def test_text_rendering_puts_the_verdict_and_summary_first(report):
    text = render(report, "text", "id")
    assert text.splitlines()[1].startswith("TIDAK VALID — 3 dari 4 dokumen")
    assert text.index("Ringkasan") < text.index("Kesalahan yang sering muncul") < text.index("Rincian per dokumen")
    english = render(report, "text", "en")
    assert "INVALID — 3 of 4 document(s)" in english
    assert "3572014101850001" not in text + english


def test_junit_has_one_case_per_document_and_a_failure_per_invalid_one(report):
    root = ET.fromstring(render(report, "junit"))
    suite = root.find("testsuite")
    assert suite.get("tests") == "4" and suite.get("failures") == "3"
    cases = suite.findall("testcase")
    assert [c.find("failure") is not None for c in cases] == [False, True, True, True]
    assert "indikator[0].target" in cases[1].find("failure").get("message")


def test_sarif_is_2_1_0_with_rules_and_results(report):
    sarif = json.loads(render(report, "sarif", "en"))
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "Simpul"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(run["results"]) == 5
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] == "error"
        assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].startswith("/")


def test_only_documents_with_issues_can_be_listed(store):
    report = validate_documents("uji/pegawai", [VALID, VALID, {**VALID, "nama": ""}], store=store, rules=False,
                                include_valid=False)
    assert report.summary.documents == 3 and report.summary.valid == 2
    assert [d.index for d in report.documents] == [2]


def test_rules_run_when_asked_and_can_be_switched_off(store):
    report = validate_documents("uji/pegawai", [VALID], store=store, rules=False)
    assert report.rules_applied is False
