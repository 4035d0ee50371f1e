"""Explained errors are remembered per process, and ``type`` messages filled from a template are byte-identical."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.validation import messages, validator
from hub.validation.store import SchemaStore
from hub.validation.validator import EXPLAINED, DocumentValidator, ExplainedMemo, validate_documents
from tests.hub.validation.validation_testkit import DEFS, VALID, write_schemas


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SchemaStore:
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


@pytest.fixture(autouse=True)
def _cold() -> Any:
    EXPLAINED.clear()
    yield
    EXPLAINED.clear()
    messages.TEMPLATES = True


def _issues(checker: DocumentValidator, document: Any, engine_: str) -> list[dict[str, Any]]:
    return [i.model_dump() for i in checker.schema_issues(document, engine_=engine_)]


def _full(checker: DocumentValidator, document: Any) -> list[dict[str, Any]]:
    """Every message rendered by its explainer (no template, nothing remembered: python-jsonschema's errors)."""
    messages.TEMPLATES = False
    try:
        return _issues(checker, document, "py")
    finally:
        messages.TEMPLATES = True


# Places whose schema says "type" (a string, an integer, a number, a boolean, a pattern key), "pattern" (also under
# an if/then), "format" (date, date-time, uri) and personal ones (nik, email).
PLACES = [("gaji",), ("aktif",), ("nama",), ("indikator", 0, "target"), ("tags", 1), ("x_kode",),
          ("jabatan", "nama"), ("nip",), ("nik",), ("kode_pemda",), ("tanggal_lahir",), ("updated_at",), ("url",),
          ("email",), ("tmt",)]
VALUES = st.one_of(
    st.text(max_size=40), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["Rp 1.500.000", "1.500.000,50", "12 OB", "2025", " 42 ", "true", "False", "50%",
                     "3201234567890001", "budi@contoh.id", "\x00value\x00", "\x00suggestion\x00", "x" * 300,
                     "rp. 7.500", "-12,5", "17-08-1985", "2024-02-30", "2024-08-17 09:30", "1985-01-01T08:00",
                     "contoh.go.id", "contoh.go.id/perda", "1985 0101 2010 01 1 001", "19850101-201001-1-001",
                     "35 72", "35.7.2", "   ", "-", "", ". .", "31/12/2024", "3201 2345 6789 0001"]),
)


def _with(place: tuple[Any, ...], value: Any) -> dict[str, Any]:
    doc = json.loads(json.dumps({**VALID, "indikator": [{"uraian": "a", "target": 1}], "tags": ["a", "b"]}))
    node: Any = doc
    for part in place[:-1]:
        node = node.setdefault(part, {}) if isinstance(part, str) else node[part]
    node[place[-1]] = value
    return doc


@settings(max_examples=300, deadline=None)
@given(place=st.sampled_from(PLACES), value=VALUES)
def test_a_type_message_from_its_template_equals_the_one_rendered_in_full(store, place, value):
    checker = DocumentValidator(store.get("uji/pegawai"), store, rules=False)
    document = _with(place, value)
    assert _issues(checker, document, "rs") == _full(checker, document)
    assert _issues(checker, document, "rs") == _full(checker, document)  # the second time from the memo


def test_a_template_fills_in_the_value_and_the_suggestion(store, monkeypatch):
    monkeypatch.setitem(messages._EXPLAIN, "type", lambda c: pytest.fail("rendered in full, not from the template"))
    checker = DocumentValidator(store.get("uji/pegawai"), store, rules=False)
    first = _issues(checker, {**VALID, "gaji": "Rp 1.500.000"}, "rs")
    second = _issues(checker, {**VALID, "gaji": "Rp 2.750.000"}, "rs")
    assert "1500000" in first[0]["message"]["id"] and "Rp 1.500.000" in first[0]["message"]["en"]
    assert "2750000" in second[0]["message"]["id"] and "Rp 2.750.000" in second[0]["message"]["en"]
    assert "1500000" not in second[0]["message"]["id"]
    assert second[0]["value"] == "Rp 2.750.000"


def test_pattern_and_format_messages_are_filled_from_their_templates(store, monkeypatch):
    for keyword in ("pattern", "format"):
        monkeypatch.setitem(messages._EXPLAIN, keyword, lambda c: pytest.fail("rendered in full"))
    checker = DocumentValidator(store.get("uji/pegawai"), store, rules=False)
    issues = _issues(checker, {**VALID, "nip": "1985 0101 2010 01 1 001", "tanggal_lahir": "17-08-1985"}, "rs")
    nip, born = (next(i for i in issues if i["pointer"] == p) for p in ("/nip", "/tanggal_lahir"))
    assert "'19*******************01'" in nip["message"]["id"] and "'19**************01'" in nip["message"]["id"]
    assert "0101 2010" not in json.dumps(nip)  # a NIP is personal: masked
    assert "'17-08-1985'" in born["message"]["en"] and "'1985-08-17'" in born["message"]["en"]
    assert nip["value"] == "19*******************01"


def test_a_field_name_that_looks_like_a_slot_is_rendered_in_full(store):
    checker = DocumentValidator(store.get("uji/pegawai"), store, rules=False)
    document = {**VALID, "x_\x00value\x00": 5}
    assert _issues(checker, document, "rs") == _full(checker, document)


def test_an_error_explained_in_one_batch_is_not_explained_again_in_the_next(store, monkeypatch):
    calls: list[Any] = []
    real = validator.explain

    def counting(err: Any, root: Any) -> Any:
        calls.append(err.validator)
        return real(err, root)

    monkeypatch.setattr(validator, "explain", counting)
    bad = [{**VALID, "tanggal_lahir": "17-08-1985", "gaji": "Rp 1.500.000"}]
    first = validate_documents("uji/pegawai", bad, rules=False, store=store)
    assert len(calls) == 2
    second = validate_documents("uji/pegawai", bad, rules=False, store=store)
    assert len(calls) == 2  # a new batch, a new call: the messages come from the process's memo
    assert first.model_dump(exclude={"generated_at"}) == second.model_dump(exclude={"generated_at"})


def test_the_memo_forgets_the_least_recently_used_entry_first():
    memo = ExplainedMemo(size=3)
    for key in "abc":
        memo.put((key,), [key])
    assert memo.get(("a",)) == ["a"]  # "a" is now the most recently used
    memo.put(("d",), ["d"])
    assert len(memo) == 3
    assert memo.get(("b",)) is None
    assert memo.get(("a",)) == ["a"] and memo.get(("c",)) == ["c"] and memo.get(("d",)) == ["d"]


def test_a_referenced_schema_that_changed_gives_new_messages_under_the_same_urn(tmp_path: Path):
    bad = [{**VALID, "nip": "1985 0101"}]
    before = validate_documents("uji/pegawai", bad, rules=False, store=SchemaStore(write_schemas(tmp_path / "a")))
    assert "NIP 18 digit tanpa spasi" in before.documents[0].issues[0].message.id
    root = write_schemas(tmp_path / "b")
    defs = json.loads(json.dumps(DEFS))
    defs["$defs"]["nip"]["description"] = "Nomor induk pegawai, delapan belas angka"
    (root / "common" / "definitions" / "1.json").write_text(json.dumps(defs), encoding="utf-8")
    after = validate_documents("uji/pegawai", bad, rules=False, store=SchemaStore(root))  # same pegawai file
    assert "delapan belas angka" in after.documents[0].issues[0].message.id


def test_threads_sharing_the_memo_get_the_same_reports_as_one_thread(store):
    documents = [{**VALID, "gaji": f"Rp {n}.000", "aktif": "true", "tanggal_lahir": f"{n % 28 + 1}-08-1985"}
                 for n in range(1, 120)]
    expected = validate_documents("uji/pegawai", documents, rules=False, store=store).model_dump(
        exclude={"generated_at"})
    EXPLAINED.clear()
    results: list[Any] = []

    def run() -> None:
        for _ in range(3):
            report = validate_documents("uji/pegawai", documents, rules=False, store=store)
            results.append(report.model_dump(exclude={"generated_at"}))

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 12
    assert all(result == expected for result in results)


# Unknown fields at the top and in an object, typos of declared names, names a pattern allows, odd names.
UNKNOWN_NAMES = st.one_of(
    st.text(min_size=1, max_size=20),
    st.sampled_from(["nipp", "namaa", "tanggal_lahr", "kodepemda", "Jenis_ASN", "x_kode", "x_", "gaji_pokok",
                     "\x00value\x00", "eselon", "nama", "jenis-jabatan", "alamat"]),
)


@settings(max_examples=300, deadline=None)
@given(names=st.lists(UNKNOWN_NAMES, min_size=1, max_size=3, unique=True), nested=st.booleans(),
       drop=st.sampled_from([None, "nama", "gaji", "jabatan"]), value=VALUES)
def test_unknown_field_messages_remembered_equal_those_rendered_in_full(store, names, nested, drop, value):
    checker = DocumentValidator(store.get("uji/pegawai"), store, rules=False)
    document = json.loads(json.dumps({**VALID, "jabatan": {"nama": "Analis", "jenis_jabatan": "struktural"}}))
    if drop is not None:
        document.pop(drop, None)
    target = document["jabatan"] if nested and isinstance(document.get("jabatan"), dict) else document
    for name in names:
        target[name] = value
    assert _issues(checker, document, "rs") == _full(checker, document)
    assert _issues(checker, document, "rs") == _full(checker, document)  # the second time remembered


def test_an_unknown_field_is_looked_up_by_difflib_once_per_place_name_and_lacking_names(store, monkeypatch):
    calls: list[str] = []
    real = messages.difflib.get_close_matches

    def counting(word: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(word)
        return real(word, *args, **kwargs)

    monkeypatch.setattr(messages.difflib, "get_close_matches", counting)
    messages._UNKNOWN.clear()
    documents = [{**VALID, "tanggal_lahr": f"{n + 1:02d}-08-1985"} for n in range(5)]
    validate_documents("uji/pegawai", documents[:1], rules=False, store=store)
    once = len(calls)
    assert once and set(calls) == {"tanggal_lahr"}
    report = validate_documents("uji/pegawai", documents, rules=False, store=store)
    assert len(calls) == once  # the five documents differ only in the unknown field's value
    issues = [i for d in report.documents for i in d.issues if i.rule == "schema:additionalProperties"]
    assert len(issues) == 5 and {i.value for i in issues} == {f"{n + 1:02d}-08-1985" for n in range(5)}
    assert all("'tanggal_lahir'" in i.message.en for i in issues)
    validate_documents("uji/pegawai", [{k: v for k, v in documents[0].items() if k != "nama"}], rules=False,
                       store=store)
    assert len(calls) > once  # another declared name lacking: worked out again


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.text(), st.integers(), st.booleans(), st.none(), st.floats()), as_json=st.booleans())
def test_shown_writes_texts_and_integers_as_json_dumps_does(value, as_json):
    from hub.validation.privacy import MAX_SHOWN, shown

    if isinstance(value, str) and not as_json:
        expected = value
    else:
        expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    expected = expected if len(expected) <= MAX_SHOWN else expected[: MAX_SHOWN - 1] + "…"
    assert shown(value, as_json=as_json) == expected


def test_long_values_and_unknown_names_are_explained_each_time_never_kept(store):
    """A vendor's upload cannot grow the process's memory through the memos: long texts are not remembered."""
    checker = DocumentValidator(store.get("uji/pegawai"), store, rules=False)
    long_date = {**VALID, "tanggal_lahir": "17-08-1985 " + "x" * validator.MAX_REMEMBERED_TEXT}
    validate_documents("uji/pegawai", [long_date], rules=False, store=store)
    assert len(EXPLAINED) == 0
    assert _issues(checker, long_date, "rs") == _full(checker, long_date)  # the same messages, rendered in full
    validate_documents("uji/pegawai", [{**VALID, "tanggal_lahir": "17-08-1985"}], rules=False, store=store)
    assert len(EXPLAINED) == 1  # a short one is remembered as before

    messages._UNKNOWN.clear()
    long_name = {**VALID, "n" * (messages.MAX_REMEMBERED_NAME + 1): 1}
    validate_documents("uji/pegawai", [long_name], rules=False, store=store)
    assert len(messages._UNKNOWN) == 0
    assert _issues(checker, long_name, "rs") == _full(checker, long_name)
    validate_documents("uji/pegawai", [{**VALID, "tanggal_lahr": 1}], rules=False, store=store)
    assert len(messages._UNKNOWN) == 1
