"""What changed between two versions of a schema, each change classified breaking or not.

The two versions are compared with every ``$ref`` inlined (:meth:`SchemaStore.resolved`), so a change to a
shared definition (``common/definitions``) shows at each field that uses it. The point of view is the vendor's:
a change is **breaking** when a document valid under the old version may be rejected by the new one (semver.org
§8: incompatible changes need a new major version). Kinds (``DiffChange.kind``):

breaking — ``field_removed``, ``field_added_required``, ``required_added``, ``type_narrowed``, ``type_changed``,
``enum_removed``, ``enum_added`` (a free field now limited to a list), ``codelist_changed``, ``pattern_added``,
``pattern_changed`` (whether a new regular expression accepts everything the old one did cannot be decided in
general, so a changed pattern counts as tightened), ``min_raised``, ``max_lowered``, ``bound_added``,
``format_added``, ``format_changed``, ``additional_closed``, ``keyword_added``, ``keyword_changed``,
``rule_added`` (a new ``allOf``/``if``/``then`` part);

non-breaking — ``field_added``, ``required_removed``, ``type_widened``, ``enum_widened``, ``enum_dropped``,
``pattern_removed``, ``min_lowered``, ``max_raised``, ``bound_removed``, ``format_removed``,
``additional_opened``, ``keyword_removed``, ``rule_removed``, ``description``, ``annotation``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from hub.i18n import both
from hub.validation.report import Message
from hub.validation.store import SchemaEntry, SchemaStore, canonical_json, get_store

BREAKING = frozenset({
    "field_removed", "field_added_required", "required_added", "type_narrowed", "type_changed", "enum_removed",
    "enum_added", "codelist_changed", "pattern_added", "pattern_changed", "min_raised", "max_lowered",
    "bound_added", "format_added", "format_changed", "additional_closed", "keyword_added", "keyword_changed",
    "rule_added",
})
NON_BREAKING = frozenset({
    "field_added", "required_removed", "type_widened", "enum_widened", "enum_dropped", "pattern_removed",
    "min_lowered", "max_raised", "bound_removed", "format_removed", "additional_opened", "keyword_removed",
    "rule_removed", "description", "annotation",
})
KINDS = BREAKING | NON_BREAKING

TEXT_KEYWORDS = frozenset({"title", "description", "x-title-en", "x-description-en", "$comment", "examples",
                           "x-source", "x-examples", "default", "deprecated"})
ANNOTATIONS = frozenset({"x-personal-data", "readOnly", "writeOnly", "x-unit", "x-order"})
IGNORED = frozenset({"$id", "$schema", "$anchor", "$ref", "$defs", "definitions"})
LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains")
COMBINERS = ("allOf", "anyOf", "oneOf")
WALKED = frozenset({"type", "enum", "const", "x-codelist", "pattern", "format", "required", "properties",
                    "additionalProperties", "items", "prefixItems", "if", "then", "else", "not",
                    "patternProperties", "uniqueItems", "multipleOf", *LOWER_BOUNDS, *UPPER_BOUNDS, *COMBINERS})


class DiffChange(BaseModel):
    kind: str = Field(description="What changed, e.g. field_removed, enum_widened (see docs/validation.md)")
    breaking: bool
    path: str = Field(description="Field path, dotted; [] marks list items; '' is the document")
    where: str = Field(default="", description="Inside which rule of the schema, e.g. allOf[0].then")
    keyword: str = Field(default="", description="The JSON Schema keyword that changed")
    old: Any = None
    new: Any = None
    message: Message


class SchemaDiff(BaseModel):
    key: str
    from_version: str = Field(serialization_alias="from")
    to_version: str = Field(serialization_alias="to")
    from_hash: str
    to_hash: str
    step: str = Field(description="Semantic version step from → to: major, minor, patch or none")
    breaking: int = Field(description="Number of breaking changes")
    non_breaking: int
    semver_ok: bool = Field(description="False when a minor or patch step carries a breaking change")
    changes: list[DiffChange]
    affected: dict[str, Any] | None = Field(
        default=None, description="Registered mappings and subscriptions the breaking changes touch")

    model_config = {"populate_by_name": True}


def _types(node: dict[str, Any]) -> set[str] | None:
    raw = node.get("type")
    if raw is None:
        return None
    found = {raw} if isinstance(raw, str) else {str(t) for t in raw}
    if "number" in found:
        found.add("integer")  # every integer is a number (JSON Schema 2020-12 §6.1.1)
    return found


def _show(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in sorted(value, key=str)) or "-"
    if isinstance(value, dict):
        return canonical_json(value).decode()[:120]
    return "-" if value is None else str(value)


class _Walker:
    def __init__(self, codelists: Any = None) -> None:
        self.changes: list[DiffChange] = []
        self.codelists = codelists

    def add(self, kind: str, path: str, where: str, keyword: str, old: Any = None, new: Any = None) -> None:
        field = path or "/"
        self.changes.append(DiffChange(
            kind=kind, breaking=kind in BREAKING, path=path, where=where, keyword=keyword,
            old=old, new=new, message=Message(**both(f"schemaver.change.{kind}", field=field, keyword=keyword,
                                                     old=_show(old), new=_show(new)))))

    # -- one schema node --------------------------------------------------------------------------------------
    def node(self, old: Any, new: Any, path: str, where: str) -> None:
        if not isinstance(old, dict) or not isinstance(new, dict):
            if old != new:
                self.add("keyword_changed" if old not in (True, {}) else "rule_added", path, where, "schema",
                         old, new)
            return
        self.types(old, new, path, where)
        self.enums(old, new, path, where)
        self.codelist(old, new, path, where)
        self.pattern(old, new, path, where)
        self.bounds(old, new, path, where)
        self.properties(old, new, path, where)
        self.subschemas(old, new, path, where)
        self.other(old, new, path, where)

    def types(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        a, b = _types(old), _types(new)
        if a == b:
            return
        shown = (old.get("type"), new.get("type"))
        if a is None:
            self.add("type_narrowed", path, where, "type", *shown)
        elif b is None or b > a:
            self.add("type_widened", path, where, "type", *shown)
        elif b < a:
            self.add("type_narrowed", path, where, "type", *shown)
        else:
            self.add("type_changed", path, where, "type", *shown)

    def enums(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword in ("enum", "const"):
            a = old.get(keyword)
            b = new.get(keyword)
            if a == b:
                continue
            if keyword == "const":
                a = None if a is None else [a]
                b = None if b is None else [b]
            if a is None:
                self.add("enum_added", path, where, keyword, None, b)
            elif b is None:
                self.add("enum_dropped", path, where, keyword, a, None)
            else:
                removed = [v for v in a if v not in b]
                added = [v for v in b if v not in a]
                if removed:
                    self.add("enum_removed", path, where, keyword, removed, None)
                if added:
                    self.add("enum_widened", path, where, keyword, None, added)

    def codelist(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        a, b = old.get("x-codelist"), new.get("x-codelist")
        if a == b:
            return
        if b is None:
            self.add("enum_dropped", path, where, "x-codelist", a, None)
        elif a is None:
            self.add("enum_added", path, where, "x-codelist", None, b)
        else:
            self.add("codelist_changed", path, where, "x-codelist", a, b)

    def pattern(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword, added, removed, changed in (("pattern", "pattern_added", "pattern_removed", "pattern_changed"),
                                                 ("format", "format_added", "format_removed", "format_changed")):
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            kind = added if a is None else removed if b is None else changed
            self.add(kind, path, where, keyword, a, b)

    def bounds(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS, "multipleOf"):
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            if a is None:
                self.add("bound_added", path, where, keyword, a, b)
            elif b is None:
                self.add("bound_removed", path, where, keyword, a, b)
            elif keyword == "multipleOf":
                self.add("keyword_changed", path, where, keyword, a, b)
            elif keyword in LOWER_BOUNDS:
                self.add("min_raised" if b > a else "min_lowered", path, where, keyword, a, b)
            else:
                self.add("max_lowered" if b < a else "max_raised", path, where, keyword, a, b)
        a, b = bool(old.get("uniqueItems")), bool(new.get("uniqueItems"))
        if a != b:
            self.add("keyword_added" if b else "keyword_removed", path, where, "uniqueItems", a, b)

    def properties(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        a_props, b_props = old.get("properties") or {}, new.get("properties") or {}
        a_req, b_req = set(old.get("required") or ()), set(new.get("required") or ())
        for name in a_props:
            child = f"{path}.{name}" if path else name
            if name not in b_props:
                self.add("field_removed", child, where, "properties", name, None)
            else:
                self.node(a_props[name], b_props[name], child, where)
        for name in b_props:
            if name not in a_props:
                child = f"{path}.{name}" if path else name
                self.add("field_added_required" if name in b_req else "field_added", child, where, "properties",
                         None, name)
        for name in sorted(b_req - a_req):
            if name in a_props or name not in b_props:
                self.add("required_added", f"{path}.{name}" if path else name, where, "required", None, name)
        for name in sorted(a_req - b_req):
            if name in b_props:
                self.add("required_removed", f"{path}.{name}" if path else name, where, "required", name, None)
        a_add, b_add = old.get("additionalProperties", True), new.get("additionalProperties", True)
        if a_add != b_add:
            if b_add is False:
                self.add("additional_closed", path, where, "additionalProperties", a_add, b_add)
            elif a_add is False:
                self.add("additional_opened", path, where, "additionalProperties", a_add, b_add)
            else:
                self.node(a_add, b_add, f"{path}.*" if path else "*", where)

    def subschemas(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        if "items" in old or "items" in new:
            self.present(old.get("items"), new.get("items"), f"{path}[]", where, "items")
        for keyword in ("then", "else", "not"):
            if keyword in old or keyword in new:
                self.present(old.get(keyword), new.get(keyword), path, _join(where, keyword), keyword)
        if old.get("if") != new.get("if"):
            a, b = old.get("if"), new.get("if")
            self.add("rule_added" if b is not None else "rule_removed", path, where, "if", a, b)
        for keyword in (*COMBINERS, "prefixItems"):
            a, b = list(old.get(keyword) or ()), list(new.get(keyword) or ())
            for i in range(max(len(a), len(b))):
                inner = _join(where, f"{keyword}[{i}]")
                if i >= len(a):
                    self.add("rule_removed" if keyword == "anyOf" else "rule_added", path, inner, keyword,
                             None, b[i])
                elif i >= len(b):
                    self.add("rule_added" if keyword == "anyOf" else "rule_removed", path, inner, keyword,
                             a[i], None)
                else:
                    self.node(a[i], b[i], path, inner)

    def present(self, a: Any, b: Any, path: str, where: str, keyword: str) -> None:
        if a is None:
            self.add("rule_added", path, where, keyword, None, b)
        elif b is None:
            self.add("rule_removed", path, where, keyword, a, None)
        else:
            self.node(a, b, path, where)

    def other(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword in sorted(set(old) | set(new)):
            if keyword in WALKED or keyword in IGNORED:
                continue
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            if keyword in TEXT_KEYWORDS:
                self.add("description", path, where, keyword, a, b)
            elif keyword in ANNOTATIONS or keyword.startswith("x-"):
                self.add("annotation", path, where, keyword, a, b)
            elif a is None:
                self.add("keyword_added", path, where, keyword, None, b)
            elif b is None:
                self.add("keyword_removed", path, where, keyword, a, None)
            else:
                self.add("keyword_changed", path, where, keyword, a, b)
        if "patternProperties" in old or "patternProperties" in new:
            a, b = old.get("patternProperties") or {}, new.get("patternProperties") or {}
            if a != b:
                self.add("keyword_changed", path, where, "patternProperties", sorted(a), sorted(b))
        if "$defs" in old or "$defs" in new:  # a definitions schema (common/definitions): each definition
            a, b = old.get("$defs") or {}, new.get("$defs") or {}
            for name in sorted(set(a) | set(b)):
                child = f"$defs.{name}"
                if name not in b:
                    self.add("field_removed", child, where, "$defs", name, None)
                elif name not in a:
                    self.add("field_added", child, where, "$defs", None, name)
                else:
                    self.node(a[name], b[name], child, where)


def _join(where: str, part: str) -> str:
    return f"{where}.{part}" if where else part


def diff_entries(old: SchemaEntry, new: SchemaEntry, store: SchemaStore) -> SchemaDiff:
    from hub.validation.versions import semver_of

    walker = _Walker()
    walker.node(store.resolved(old), store.resolved(new), "", "")
    step = semver_of(new).bump_from(semver_of(old))
    breaking = sum(1 for c in walker.changes if c.breaking)
    return SchemaDiff(key=old.key, from_version=old.version, to_version=new.version, from_hash=old.hash,
                      to_hash=new.hash, step=step, breaking=breaking, non_breaking=len(walker.changes) - breaking,
                      semver_ok=not breaking or step == "major", changes=walker.changes)


def diff(key: str, from_version: str, to_version: str, store: SchemaStore | None = None) -> SchemaDiff:
    """The changes from ``key:from_version`` to ``key:to_version`` (unknown versions: 404 naming the known)."""
    store = store or get_store()
    base = store.get(key).key
    return diff_entries(store.get(f"{base}:{from_version}"), store.get(f"{base}:{to_version}"), store)
