"""Messages built from jsonschema-rs's errors are exactly those built from python-jsonschema's, in the same order."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.validation import engine
from hub.validation.store import SchemaStore
from hub.validation.validator import DocumentValidator
from tests.hub.validation.test_validation_engines import _SETTINGS, REAL, from_schema, near_valid
from tests.hub.validation.validation_testkit import VALID, write_schemas


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SchemaStore:
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


def _issues(checker: DocumentValidator, document: Any, engine_: str) -> list[dict[str, Any]]:
    return [i.model_dump() for i in checker.schema_issues(document, engine_=engine_)]


def _same(store: SchemaStore, key: str, document: Any) -> list[dict[str, Any]]:
    checker = DocumentValidator(store.get(key), store, rules=False)
    from_rust, from_python = _issues(checker, document, "rs"), _issues(checker, document, "py")
    assert from_rust == from_python, json.dumps(document, ensure_ascii=False)[:300]
    return from_rust


def _described_by_rust(store: SchemaStore, key: str, document: Any) -> bool:
    return engine.rs_described(store, store.get(key)).errors(document) is not None


MANY_ERRORS = {
    **VALID, "nip": "1985 0101", "nama": "", "jenis_asn": "pns", "tanggal_lahir": "17-08-1985",
    "gaji": "Rp 1.500.000", "kode_pemda": "3572", "jabatan": {"nama": 5, "jenis": "x"}, "unitkerja": "Dinas",
    "indikator": [{"uraian": "a", "target": "10"}, {"target": 1, "bobot": 0.333}], "tags": ["a", "a"],
    "x_kode": 5, "email": "budi", "url": "contoh.go.id",
}


def test_a_document_with_many_errors_gets_the_same_issues_in_the_same_order_from_rust(store):
    issues = _same(store, "uji/pegawai", MANY_ERRORS)
    assert _described_by_rust(store, "uji/pegawai", MANY_ERRORS)
    rules = [i["rule"] for i in issues]
    assert len(issues) >= 12
    assert {"schema:pattern", "schema:minLength", "schema:enum", "schema:format", "schema:type",
            "schema:additionalProperties", "schema:required", "schema:uniqueItems", "schema:multipleOf"} <= set(rules)
    nip = next(i for i in issues if i["pointer"] == "/nip")
    assert "NIP 18 digit tanpa spasi" in nip["message"]["id"]  # the description of the referenced definition


@pytest.mark.parametrize("changes", [
    {"nama": None}, {"jabatan": {}}, {"jabatan": []}, {"indikator": []}, {"indikator": [{}] * 6},
    {"aktif": "true"}, {"gaji": -1}, {"gaji": 1.5}, {"tanggal_lahir": "1985-02-30"}, {"nik": "3201"},
    {"jenis_asn": "PPPK", "nip": "198501011990011001"}, {"updated_at": "2024-08-17 09:30"},
    {"golongan": "III/b", "tmt": "x"},
])
def test_single_mistakes_are_explained_alike_from_rust(store, changes):
    document = {**VALID, **changes}
    assert _same(store, "uji/pegawai", document)
    assert _described_by_rust(store, "uji/pegawai", document)


@pytest.mark.parametrize("document", [
    {**VALID, "golongan": "III/x"},  # oneOf: the message explains the best-matching branch
    {**VALID, "golongan": "III/b"},  # dependentRequired: which field asked for tmt
])
def test_what_rust_cannot_describe_is_explained_by_python_jsonschema(store, document):
    assert not _described_by_rust(store, "uji/pegawai", document)
    assert _same(store, "uji/pegawai", document)


def test_a_value_rust_cannot_represent_still_gets_its_message(store):
    issues = _same(store, "uji/pegawai", {**VALID, "gaji": 2**70, "nama": ""})
    assert [i["pointer"] for i in issues] == ["/nama"]


@settings(_SETTINGS, max_examples=400)
@given(data=st.data())
def test_rust_and_python_messages_agree_on_generated_documents(store, data):
    resolved = store.resolved(store.get("uji/pegawai"))
    base = {**VALID, "indikator": [{"uraian": "a", "target": 1.5, "bobot": 0.25}], "email": "a@b.id",
            "url": "https://x.id", "updated_at": "2024-08-17T09:30:00+07:00", "tags": ["a"]}
    _same(store, "uji/pegawai", data.draw(st.one_of(from_schema(resolved), near_valid(base, resolved))))


REAL_INVALID = [(e.key, p) for e in REAL.entries() for p in e.examples_invalid  # schema errors, not only rules
                if engine.fast_verdict(REAL, e, json.loads(p.read_text(encoding="utf-8"))) is False]


@pytest.mark.skipif(not REAL_INVALID, reason="the shipped schemas have no invalid examples")
@pytest.mark.parametrize(("key", "path"), REAL_INVALID, ids=[f"{k}:{p.name}" for k, p in REAL_INVALID])
def test_every_shipped_invalid_example_is_explained_from_rust_with_the_same_messages(key: str, path: Path):
    document = json.loads(path.read_text(encoding="utf-8"))
    assert _same(REAL, key, document)
    assert _described_by_rust(REAL, key, document)


REAL_KEYS = [e.key for e in REAL.entries() if e.schema.get("properties")]


@pytest.mark.parametrize("key", REAL_KEYS)
@settings(_SETTINGS, max_examples=60)
@given(data=st.data())
def test_rust_and_python_messages_agree_on_documents_near_the_shipped_schemas(key, data):
    entry = REAL.get(key)
    resolved = REAL.resolved(entry)
    strategy = from_schema(resolved)
    bases = [json.loads(p.read_text(encoding="utf-8")) for p in entry.examples_valid]
    if bases:
        strategy = st.one_of(strategy, st.sampled_from(bases).flatmap(lambda base: near_valid(base, resolved)))
    _same(REAL, key, data.draw(strategy))
