"""Valid documents stay compact in the report until asked for, and the JSON report is written a batch at a time:
what a reader of the report sees (its documents, its JSON bytes) is the same as when every document was built."""

from __future__ import annotations

import copy
import io
import json
import pickle

import pytest

from hub.validation.inputs import parse_json, parse_ndjson
from hub.validation.render import render, write_json
from hub.validation.report import DocumentResult, ValidationReport, expand
from hub.validation.store import SchemaStore
from hub.validation.validator import validate_documents
from tests.hub.validation.validation_testkit import VALID, write_schemas


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


DOCS = [VALID, {**VALID, "tanggal_lahir": "1-1-1985"}, VALID, {**VALID, "nik": "3572014101850001X"}, VALID]


def built(report: ValidationReport) -> ValidationReport:
    """The same report with every listed document built (what every report was before)."""
    return ValidationReport.model_validate(report.model_dump(by_alias=True))


def test_valid_documents_are_listed_compactly_until_read(store):
    report = validate_documents("uji/pegawai", DOCS, store=store, rules=False)
    listed = report.listed()
    assert [isinstance(item, DocumentResult) for item in listed] == [False, True, False, True, False]
    assert [d.valid for d in report.with_issues()] == [False, False]
    documents = report.documents  # built now, once
    assert report.documents is documents
    assert [(d.index, d.valid, d.issues, d.location.label.id, d.location.label.en) for d in documents[:1]] == [
        (0, True, [], "dokumen 1", "document 1")]
    assert [d.index for d in documents] == [0, 1, 2, 3, 4]
    fields = [f.alias or name for name, f in ValidationReport.model_fields.items()]
    assert list(report.model_dump(by_alias=True)) == fields  # "documents" back in its place


def test_a_compact_report_serialises_compares_and_copies_like_a_built_one(store):
    report = validate_documents("uji/pegawai", DOCS, store=store, rules=False)
    twin = validate_documents("uji/pegawai", DOCS, store=store, rules=False)
    twin.generated_at = report.generated_at
    assert report == twin  # neither was expanded before
    text = report.to_json()
    assert json.loads(text)["documents"][2]["location"]["label"] == {"id": "dokumen 3", "en": "document 3"}
    assert text == built(report).to_json()
    for other in (copy.copy(twin), copy.deepcopy(twin), pickle.loads(pickle.dumps(twin))):
        assert other == report and other.to_json() == text


@pytest.mark.parametrize("file", [None, "data/pegawai.ndjson", 'data "kutip"/ü\u2028\x01\tx.ndjson'])
def test_streamed_json_is_byte_for_byte_the_report_json(store, file):
    body = "\n".join(json.dumps(d, ensure_ascii=False) for d in DOCS).encode()
    for rules in (False, True):
        report = validate_documents("uji/pegawai", parse_ndjson(body, file=file), store=store, rules=rules)
        chunks: list[str] = []
        write_json(report, chunks.append, batch=2)  # several batches
        assert len(chunks) > 3
        assert "".join(chunks) == render(report, "json") == built(report).to_json() + "\n"


def test_streamed_json_of_raw_values_arrays_and_edge_cases(store):
    for docs in (DOCS, [VALID], [DOCS[1]], []):
        report = validate_documents("uji/pegawai", docs, store=store, rules=False)
        assert render(report, "json") == built(report).to_json() + "\n"
    array = json.dumps(DOCS).encode()
    report = validate_documents("uji/pegawai", parse_json(array, file="a.json"), store=store, rules=False)
    assert render(report, "json") == built(report).to_json() + "\n"
    only = validate_documents("uji/pegawai", DOCS, store=store, rules=False, include_valid=False)
    assert [d.index for d in only.documents] == [1, 3] and only.summary.documents == 5
    assert render(only, "json") == built(only).to_json() + "\n"


def test_expand_builds_each_compact_entry(store):
    report = validate_documents("uji/pegawai", parse_ndjson(json.dumps(VALID).encode(), file="x.ndjson"),
                                store=store, rules=False)
    (entry,) = report.listed()
    result = expand(entry)
    assert (result.index, result.location.file, result.location.line, result.valid) == (0, "x.ndjson", 1, True)
    assert result.location.label.en == "x.ndjson: line 1"
    buffer = io.StringIO()
    write_json(report, buffer.write)
    assert json.loads(buffer.getvalue())["documents"][0] == result.model_dump()


def test_replacing_the_documents_of_a_compact_report_keeps_the_shape(store):
    report = validate_documents("uji/pegawai", DOCS, store=store, rules=False)
    report.documents = [expand(report.listed()[1])]
    data = json.loads(report.to_json())
    assert list(data)[:4] == ["schema", "valid", "summary", "documents"]
    assert [d["index"] for d in data["documents"]] == [1]
