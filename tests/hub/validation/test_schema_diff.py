"""The diff classifies each kind of change right: one fixture change per kind.

For every breaking kind a witness document proves it: valid under the old version, rejected by the new one (the
definition of breaking). For every non-breaking kind the sample documents valid before stay valid.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from hub.validation.diff import BREAKING, KINDS, NON_BREAKING, diff_entries
from tests.hub.validation.schemaver_testkit import BASE, KEY, VALID_DOC, store_of, write_tree

Patch = Callable[[dict[str, Any]], None]


def props(s: dict[str, Any]) -> dict[str, Any]:
    return s["properties"]


def _noop(s: dict[str, Any]) -> None:
    return None


# kind: (change old, change new, witness document or None when JSON Schema alone cannot show it)
CASES: dict[str, tuple[Patch, Patch, dict[str, Any] | None]] = {
    "field_removed": (_noop, lambda s: props(s).pop("tags"), VALID_DOC),
    "field_added_required": (_noop, lambda s: (props(s).update(warna={"type": "string"}),
                                               s["required"].append("warna")), VALID_DOC),
    "required_added": (_noop, lambda s: s["required"].append("nama"), {"kode": "0001"}),
    "type_narrowed": (lambda s: props(s)["jumlah"].update(type="number"),
                      lambda s: props(s)["jumlah"].update(type="integer"), {"kode": "0001", "jumlah": 2.5}),
    "type_changed": (_noop, lambda s: props(s)["nama"].update(type="integer"), VALID_DOC),
    "enum_removed": (_noop, lambda s: props(s)["satuan"].update(enum=["buah"]), {**VALID_DOC, "satuan": "kg"}),
    "enum_added": (_noop, lambda s: props(s)["nama"].update(enum=["Meja"]), {**VALID_DOC, "nama": "Kursi"}),
    "codelist_changed": (lambda s: props(s)["satuan"].update({"x-codelist": "satuan"}),
                         lambda s: props(s)["satuan"].update({"x-codelist": "satuan_2027"}), None),
    "pattern_added": (_noop, lambda s: props(s)["nama"].update(pattern="^[A-Z]"), {**VALID_DOC, "nama": "meja"}),
    "pattern_changed": (_noop, lambda s: props(s)["kode"].update(pattern="^[0-9]{5}$"), VALID_DOC),
    "min_raised": (_noop, lambda s: props(s)["jumlah"].update(minimum=1), {**VALID_DOC, "jumlah": 0}),
    "max_lowered": (_noop, lambda s: props(s)["jumlah"].update(maximum=10), {**VALID_DOC, "jumlah": 500}),
    "bound_added": (_noop, lambda s: props(s)["tags"].update(maxItems=1), {**VALID_DOC, "tags": ["a", "b"]}),
    "format_added": (_noop, lambda s: props(s)["nama"].update(format="email"), VALID_DOC),
    "format_changed": (_noop, lambda s: props(s)["tanggal"].update(format="ipv4"), VALID_DOC),
    "additional_closed": (lambda s: s.pop("additionalProperties"), _noop, {**VALID_DOC, "lain": 1}),
    "keyword_added": (_noop, lambda s: props(s)["tags"].update(uniqueItems=True), {**VALID_DOC, "tags": ["a", "a"]}),
    "keyword_changed": (lambda s: props(s)["jumlah"].update(multipleOf=2),
                        lambda s: props(s)["jumlah"].update(multipleOf=3), {**VALID_DOC, "jumlah": 4}),
    "rule_added": (_noop, lambda s: s.update(allOf=[{"required": ["nama"]}]), {"kode": "0001"}),
    # non-breaking
    "field_added": (_noop, lambda s: props(s).update(warna={"type": "string"}), None),
    "required_removed": (lambda s: s["required"].append("nama"), _noop, None),
    "type_widened": (_noop, lambda s: props(s)["jumlah"].update(type="number"), None),
    "enum_widened": (_noop, lambda s: props(s)["satuan"]["enum"].append("liter"), None),
    "enum_dropped": (_noop, lambda s: props(s)["satuan"].pop("enum"), None),
    "pattern_removed": (_noop, lambda s: props(s)["kode"].pop("pattern"), None),
    "min_lowered": (_noop, lambda s: props(s)["jumlah"].update(minimum=-5), None),
    "max_raised": (_noop, lambda s: props(s)["jumlah"].update(maximum=2000), None),
    "bound_removed": (_noop, lambda s: props(s)["nama"].pop("maxLength"), None),
    "format_removed": (_noop, lambda s: props(s)["tanggal"].pop("format"), None),
    "additional_opened": (_noop, lambda s: s.update(additionalProperties=True), None),
    "keyword_removed": (lambda s: props(s)["tags"].update(uniqueItems=True), _noop, None),
    "rule_removed": (lambda s: s.update(allOf=[{"required": ["nama"]}]), _noop, None),
    "description": (_noop, lambda s: props(s)["kode"].update(title="Kode barang"), None),
    "annotation": (_noop, lambda s: props(s)["nama"].update({"x-personal-data": True}), None),
}
SAMPLES = [VALID_DOC, {"kode": "0002"}, {**VALID_DOC, "satuan": "kg", "jumlah": 0, "tags": []},
           {"kode": "9999", "nama": "X" * 100, "jumlah": 1000}]


def _pair(tmp_path: Path, kind: str) -> tuple[dict[str, Any], dict[str, Any], Any]:
    change_old, change_new, _ = CASES[kind]
    old, new = copy.deepcopy(BASE), copy.deepcopy(BASE)
    change_old(old)
    change_old(new)  # the new version starts from the old one
    change_new(new)
    if kind in ("additional_closed",):
        new["additionalProperties"] = False
    if kind in ("keyword_removed", "rule_removed", "required_removed"):
        new = copy.deepcopy(BASE)  # the old version had it, the new one (BASE) has not
    store = store_of(write_tree(tmp_path / kind, {"1": old, "1.1": new}))
    return store.get(f"{KEY}:1").schema, store.get(f"{KEY}:1.1").schema, store


def test_every_kind_has_a_fixture_and_a_class():
    assert set(CASES) == KINDS
    assert not BREAKING & NON_BREAKING


@pytest.mark.parametrize("kind", sorted(CASES))
def test_the_diff_classifies_each_kind_of_change(tmp_path: Path, kind: str):
    old, new, store = _pair(tmp_path, kind)
    result = diff_entries(store.get(f"{KEY}:1"), store.get(f"{KEY}:1.1"), store)
    assert [c.kind for c in result.changes] == [kind]
    change = result.changes[0]
    assert change.breaking is (kind in BREAKING)
    assert result.breaking == (1 if kind in BREAKING else 0)
    assert change.message.id and change.message.en
    assert not re.search(r"\{(field|keyword|old|new)\}", change.message.id + change.message.en)
    check = Draft202012Validator.FORMAT_CHECKER
    before, after = (Draft202012Validator(s, format_checker=check) for s in (old, new))
    witness = CASES[kind][2]
    if kind in BREAKING and witness is not None:
        assert before.is_valid(witness) and not after.is_valid(witness)
    if kind in NON_BREAKING:
        for doc in SAMPLES:
            if before.is_valid(doc):
                assert after.is_valid(doc), doc


def test_a_minor_step_with_a_breaking_change_is_flagged(tmp_path: Path):
    new = copy.deepcopy(BASE)
    props(new).pop("tags")
    store = store_of(write_tree(tmp_path / "t", {"1": BASE, "1.1": new, "2": new}))
    minor = diff_entries(store.get(f"{KEY}:1"), store.get(f"{KEY}:1.1"), store)
    major = diff_entries(store.get(f"{KEY}:1"), store.get(f"{KEY}:2"), store)
    assert (minor.step, minor.semver_ok) == ("minor", False)
    assert (major.step, major.semver_ok) == ("major", True)


def test_a_change_inside_a_list_and_a_rule_names_where(tmp_path: Path):
    new = copy.deepcopy(BASE)
    props(new)["tags"]["items"]["maxLength"] = 3
    old = copy.deepcopy(BASE)
    old["allOf"] = [{"if": {"properties": {"satuan": {"const": "kg"}}},
                     "then": {"properties": {"jumlah": {"maximum": 100}}}}]
    new["allOf"] = [{"if": {"properties": {"satuan": {"const": "kg"}}},
                     "then": {"properties": {"jumlah": {"maximum": 50}}}}]
    store = store_of(write_tree(tmp_path / "t", {"1": old, "1.1": new}))
    result = diff_entries(store.get(f"{KEY}:1"), store.get(f"{KEY}:1.1"), store)
    found = {(c.kind, c.path, c.where) for c in result.changes}
    assert found == {("bound_added", "tags[]", ""), ("max_lowered", "jumlah", "allOf[0].then")}


def test_a_shared_definition_change_shows_at_every_field_using_it(tmp_path: Path):
    """Copies of the shipped schemas: the shared NIK pattern tightened in definitions 1.1, pegawai 1.1 using it."""
    import json
    import shutil

    from hub.settings import PROJECT_ROOT
    from hub.validation.store import SchemaStore

    root = tmp_path / "schemas"
    shutil.copytree(PROJECT_ROOT / "schemas", root, ignore=shutil.ignore_patterns("1.1.json", "versions.yaml"))
    definitions = json.loads((root / "common/definitions/1.json").read_text(encoding="utf-8"))
    definitions["$id"] = "urn:simpul:schema:common/definitions:1.1"
    definitions["$defs"]["nik"]["pattern"] = "^[1-9][0-9]{15}$"
    (root / "common/definitions/1.1.json").write_text(json.dumps(definitions), encoding="utf-8")
    text = (root / "kepegawaian/pegawai/1.json").read_text(encoding="utf-8")
    text = text.replace("common/definitions:1#", "common/definitions:1.1#").replace(
        '"urn:simpul:schema:kepegawaian/pegawai:1"', '"urn:simpul:schema:kepegawaian/pegawai:1.1"')
    (root / "kepegawaian/pegawai/1.1.json").write_text(text, encoding="utf-8")
    store = SchemaStore(root)
    assert not store.problems
    result = diff_entries(store.get("kepegawaian/pegawai:1"), store.get("kepegawaian/pegawai:1.1"), store)
    assert [(c.kind, c.path, c.breaking) for c in result.changes] == [("pattern_changed", "nik", True)]
    shared = diff_entries(store.get("common/definitions:1"), store.get("common/definitions:1.1"), store)
    assert [(c.kind, c.path) for c in shared.changes] == [("pattern_changed", "$defs.nik")]
