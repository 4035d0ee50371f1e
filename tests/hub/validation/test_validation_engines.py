"""The fast path (jsonschema-rs) and the detailed path (python-jsonschema) must give the same verdict."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from hub.settings import PROJECT_ROOT
from hub.validation import engine
from hub.validation.store import SchemaStore
from hub.validation.validator import DocumentValidator
from tests.hub.validation.validation_testkit import VALID, write_schemas

TRICKY = {
    "date": ["2024-02-29", "2023-02-29", "2024-13-01", "17-08-2024", "2024-8-1", "2024-08-17T00:00:00",
             "２０２４-０８-１７", "2024-08-17\n", "١٩٨٥-٠١-٠١", ""],
    "date-time": ["2024-08-17T09:30:00+07:00", "2024-08-17 09:30:00", "2024-08-17T09:30:00",
                  "2024-08-17T24:00:00Z", "2024-08-17T23:59:60Z", "2024-08-17t09:30:00z", "2024-08-17T09:30Z"],
    "email": ["a@b", "@", "a@b.c", "budi@contoh.go.id", "a b@c.d", '"q"@x.id', "a@[127.0.0.1]", "a@@b", "ä@ö.id"],
    "uri": ["http://x", "x", "https://jdih.go.id/a b", "mailto:a@b", "urn:x:y", "//x", "https://ä.id/ü"],
}

_ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-10**20, 10**20)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _strings(node: dict[str, Any]) -> st.SearchStrategy[Any]:
    options: list[st.SearchStrategy[Any]] = [st.text(max_size=20)]
    if "pattern" in node:
        matching = st.from_regex(node["pattern"], fullmatch=True)
        # Python's \d also matches Arabic-Indic digits, ECMA-262's does not: make sure such strings show up
        options += [matching, matching.map(lambda text: text.translate(_ARABIC_DIGITS))]
    if node.get("format") in TRICKY:
        options.append(st.sampled_from(TRICKY[node["format"]]))
    for example in node.get("examples") or []:
        options.append(st.just(example))
    return st.one_of(*options)


def from_schema(node: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Documents near a (resolved) schema: mostly well-shaped, sometimes wrong anywhere."""
    if not isinstance(node, dict) or depth > 4:
        return _json
    if "enum" in node:
        shaped: st.SearchStrategy[Any] = st.sampled_from(node["enum"])
    elif "const" in node:
        shaped = st.just(node["const"])
    elif "oneOf" in node or "anyOf" in node:
        shaped = st.one_of(*(from_schema(b, depth + 1) for b in node.get("oneOf") or node.get("anyOf")))
    else:
        kind = node.get("type")
        kind = kind[0] if isinstance(kind, list) else kind
        if kind == "object" or "properties" in node:
            props = node.get("properties") or {}
            required = set(node.get("required") or [])
            shaped = st.fixed_dictionaries(
                {k: from_schema(v, depth + 1) for k, v in props.items() if k in required},
                optional={**{k: from_schema(v, depth + 1) for k, v in props.items() if k not in required},
                          "namaa": _json, "x_extra": _json},
            )
        elif kind == "array":
            shaped = st.lists(from_schema(node.get("items"), depth + 1), max_size=4)
        elif kind == "string":
            shaped = _strings(node)
        elif kind == "integer":
            shaped = st.integers(-5, 10**19) | st.floats(-5, 100).map(lambda x: round(x, 1))
        elif kind == "number":
            shaped = st.integers(-5, 100).map(lambda x: x / 100) | st.floats(allow_nan=False, allow_infinity=False)
        elif kind == "boolean":
            shaped = st.booleans()
        else:
            shaped = _json
    return st.one_of(shaped, shaped, shaped, _json)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [path] + [p for k, v in value.items() for p in _leaves(v, (*path, k))] if path else \
            [p for k, v in value.items() for p in _leaves(v, (k,))]
    if isinstance(value, list):
        return [path] + [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


@st.composite
def near_valid(draw: Any, base: dict[str, Any], resolved: dict[str, Any]) -> Any:
    """A valid document with exactly one change: the cases where the two engines could disagree."""
    from hub.validation.privacy import subschema_at

    document = json.loads(json.dumps(base))
    path = draw(st.sampled_from(_leaves(document)))
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "add"]))
    if action == "delete" and isinstance(parent, dict):
        parent.pop(path[-1], None)
    elif action == "add" and isinstance(parent, dict):
        parent[draw(st.text(max_size=8))] = draw(_json)
    else:
        node = subschema_at(resolved, list(path))
        parent[path[-1]] = draw(from_schema(node) if node else _json)
    return document


def _agree(store: SchemaStore, key: str, document: Any) -> None:
    entry = store.get(key)
    fast = engine.fast_verdict(store, entry, document)
    slow = not engine.detailed_errors(store, entry, document)
    assert fast == slow, f"engines disagree on {json.dumps(document, ensure_ascii=False)[:300]}"
    valid, _, _ = DocumentValidator(entry, store, rules=False).check(document)
    assert valid == fast


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> SchemaStore:
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


def test_plain_python_jsonschema_would_disagree_on_unicode_digits_but_simpul_does_not(store):
    arabic = "١٩٨٥٠١٠١٢٠١٠٠١١٠٠١"  # 18 Arabic-Indic digits: \d in Python, not in ECMA-262
    document = {**VALID, "nip": arabic}
    plain = Draft202012Validator({"type": "string", "pattern": "^\\d{18}$"})
    assert plain.is_valid(arabic)  # the reason the detailed engine asks jsonschema-rs for patterns
    _agree(store, "uji/pegawai", document)
    assert engine.fast_verdict(store, store.get("uji/pegawai"), document) is False


@pytest.mark.parametrize("document", [
    VALID,
    {**VALID, "email": "@"},
    {**VALID, "email": "a@b"},
    {**VALID, "indikator": [{"uraian": "x", "target": 1, "bobot": 0.07}]},
    {**VALID, "indikator": [{"uraian": "x", "target": 1, "bobot": 0.075}]},
    {**VALID, "gaji": 1.0},
    {**VALID, "gaji": 2**70},
    {**VALID, "gaji": True},
    {**VALID, "tags": [1, True]},
    {**VALID, "tags": ["a", "a"]},
    {**VALID, "golongan": None},
    {**VALID, "golongan": "III/b"},
    {**VALID, "golongan": "III/b", "tmt": "2020-01-01"},
    {**VALID, "jenis_asn": "PPPK"},
    {**VALID, "x_kode": 5},
    {**VALID, "tanggal_lahir": "2024-02-30"},
    {**VALID, "updated_at": "2024-08-17T23:59:60Z"},
    {**VALID, "nama": "\ud800"},
    [],
    "teks",
])
def test_engines_agree_on_edge_cases(store, document):
    _agree(store, "uji/pegawai", document)


_SETTINGS = settings(deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@settings(_SETTINGS, max_examples=400)
@given(data=st.data())
def test_engines_agree_on_generated_documents(store, data):
    resolved = store.resolved(store.get("uji/pegawai"))
    base = {**VALID, "indikator": [{"uraian": "a", "target": 1.5, "bobot": 0.25}], "email": "a@b.id",
            "url": "https://x.id", "updated_at": "2024-08-17T09:30:00+07:00", "tags": ["a"]}
    _agree(store, "uji/pegawai", data.draw(st.one_of(from_schema(resolved), near_valid(base, resolved))))


REAL = SchemaStore(PROJECT_ROOT / "schemas")
REAL_KEYS = [e.key for e in REAL.entries() if e.schema.get("properties")]
REAL_EXAMPLES = [(e.key, p) for e in REAL.entries() for p in (*e.examples_valid, *e.examples_invalid)]


@pytest.mark.skipif(not REAL_EXAMPLES, reason="the shipped schemas have no examples yet")
@pytest.mark.parametrize(("key", "path"), REAL_EXAMPLES,
                         ids=[f"{k}:{p.parent.name}/{p.name}" for k, p in REAL_EXAMPLES])
def test_engines_agree_on_every_shipped_example(key: str, path: Path):
    _agree(REAL, key, json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.skipif(not REAL_KEYS, reason="no shipped schemas")
@pytest.mark.parametrize("key", REAL_KEYS)
@settings(_SETTINGS, max_examples=60)
@given(data=st.data())
def test_engines_agree_on_documents_generated_from_shipped_schemas(key, data):
    entry = REAL.get(key)
    resolved = REAL.resolved(entry)
    strategy = from_schema(resolved)
    bases = [json.loads(p.read_text(encoding="utf-8")) for p in entry.examples_valid]
    if bases:
        strategy = st.one_of(strategy, st.sampled_from(bases).flatmap(lambda base: near_valid(base, resolved)))
    _agree(REAL, key, data.draw(strategy))
