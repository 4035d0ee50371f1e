"""Draft a declarative mapping from sample records: names (synonyms as data), types and sample values.

Every candidate transform is proven on the sample itself: the proposed field spec is run through the real
:class:`connectors.Mapper` and the result validated against the canonical field's JSON Schema node, so a draft
line says how many sample values it turns into valid canonical values. What cannot be matched becomes a ``todo``
field, which the mapping loader refuses until someone resolves it.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker

from connectors import ConnectorError, Mapper
from hub.i18n import t
from hub.validation.docs import fields as schema_fields

SYNONYMS_FILE = Path(__file__).with_name("synonyms.yaml")
MAX_VALUES = 50
MAX_ITEMS = 200  # items of a list of objects kept from the sample, to draft and prove its ``each``
# (strptime pattern, shape) of dates as applications write them; ISO needs no transform.
DATE_SHAPES = [("%d-%m-%Y", r"\d{1,2}-\d{1,2}-\d{4}"), ("%d/%m/%Y", r"\d{1,2}/\d{1,2}/\d{4}"),
               ("%Y/%m/%d", r"\d{4}/\d{1,2}/\d{1,2}"), ("%Y%m%d", r"(19|20)\d{6}"),
               ("%d.%m.%Y", r"\d{1,2}\.\d{1,2}\.\d{4}")]
DATETIME_SHAPES = [("%Y-%m-%d %H:%M:%S", r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"),
                   ("%d-%m-%Y %H:%M", r"\d{1,2}-\d{1,2}-\d{4} \d{2}:\d{2}"),
                   ("%d/%m/%Y %H:%M:%S", r"\d{1,2}/\d{1,2}/\d{4} \d{2}:\d{2}:\d{2}")]
WEAK_PATTERNS = {r"\S", ".*", ".+"}


def command(app: str, resource: str, schema: str) -> str:
    """The command that starts a mapping (named in INT-001's message and in the draft's header)."""
    return " ".join(["simpul", "mapping", "suggest", shlex.quote(app), shlex.quote(resource), "--schema",
                     shlex.quote(schema)])


@lru_cache
def synonyms() -> dict[str, Any]:
    data = yaml.safe_load(SYNONYMS_FILE.read_text(encoding="utf-8")) or {}
    names = {k: {normalise(n) for n in v} | {normalise(k.rsplit(".", 1)[-1])} for k, v in data["fields"].items()}
    for key in list(names):  # a nested entry (unit_kerja.kode_opd) also names the same field at the top level
        leaf = key.rsplit(".", 1)[-1]
        if leaf != key and "[]" not in key:  # an item field (indikator[].target) names nothing outside its list
            names[leaf] = names.get(leaf, set()) | names[key]
    return {"fields": names, "values": data.get("values") or {}, "derive": data.get("derive") or {},
            "codes": data.get("codes") or {}, "conversions": data.get("conversions") or {}}


def normalise(name: str) -> str:
    """``nipBaru``, ``NIP_BARU``, ``Nip Baru`` → ``nip_baru``."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", str(name))
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()


@dataclass
class Source:
    path: str
    values: list[Any] = field(default_factory=list)
    objects: bool = False  # a list of objects (mapped with ``each``)
    items: list[dict[str, Any]] = field(default_factory=list)  # those objects, up to MAX_ITEMS


@dataclass
class Target:
    path: str
    type: str
    required: bool
    node: dict[str, Any]
    scope: str = ""  # inside a list of objects: the list's path and ``[].`` (``indikator[].``)

    @property
    def leaf(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def qualified(self) -> str:
        return self.scope + self.path

    @property
    def item_schema(self) -> dict[str, Any] | None:
        """The schema of one item when the field is a list of objects, else None."""
        items = self.node.get("items")
        return items if isinstance(items, dict) and isinstance(items.get("properties"), dict) else None


@dataclass
class Line:
    """One line of the draft: a canonical field, its proposed spec, and why."""

    target: str
    spec: dict[str, Any]
    reason: str  # catalog key mapping.suggest.reason.*
    params: dict[str, Any] = field(default_factory=dict)
    required: bool = False

    @property
    def todo(self) -> bool:
        return bool(self.todo_paths)

    @property
    def todo_paths(self) -> list[str]:
        """This field when it is unresolved, else the item fields of its ``each`` that still are."""
        return [self.target] if "todo" in self.spec else [f"{self.target}[].{p}" for p in _todos(self.spec)]

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"target": self.target, "spec": self.spec, "todo": self.todo, "required": self.required,
                "source": self.spec.get("from"), "reason": t(self.reason, lang, **self.params)}


@dataclass
class Draft:
    schema: str
    resource: str
    records: int
    lines: list[Line]
    unused: list[str]
    missing_optional: list[str]

    def to_dict(self, lang: str) -> dict[str, Any]:
        return {"schema": self.schema, "resource": self.resource, "records": self.records,
                "fields": [line.to_dict(lang) for line in self.lines],
                "unresolved": [p for line in self.lines for p in line.todo_paths],
                "unused_sources": self.unused, "optional_not_found": self.missing_optional,
                "yaml": self.yaml(lang)}

    def yaml(self, lang: str, command: str = "") -> str:
        head = [f"# {t('mapping.suggest.header', lang, command=command or '-', records=self.records)}",
                f"# {t('mapping.suggest.header_todo', lang)}",
                f"schema: {self.schema}", f"resource: {_flow(self.resource)}", "fields:"]
        body = [f"  {_flow(line.target)}: {_flow(line.spec)}  # {t(line.reason, lang, **line.params)}"
                for line in self.lines]
        tail = []
        if self.unused:
            tail.append(f"# {t('mapping.suggest.unused', lang, names=', '.join(self.unused))}")
        if self.missing_optional:
            tail.append(f"# {t('mapping.suggest.optional', lang, names=', '.join(self.missing_optional))}")
        return "\n".join(head + body + tail) + "\n"


def _todos(spec: dict[str, Any]) -> list[str]:
    """Item fields of ``spec``'s ``each`` (and of lists inside it) that are still ``todo``."""
    out = []
    for name, sub in (spec.get("each") or {}).items():
        if isinstance(sub, dict):
            out += [name] if "todo" in sub else [f"{name}[].{p}" for p in _todos(sub)]
    return out


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10_000,
                          sort_keys=False).strip().removesuffix("\n...").removesuffix("...").strip()


def profile(records: list[dict[str, Any]]) -> list[Source]:
    """Every field path of the sample records (nested objects as ``a.b``) with up to 50 non-empty values."""
    found: dict[str, Source] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict):
                walk(value, path + ".")
                continue
            src = found.setdefault(path, Source(path))
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                src.objects = True
                src.items.extend(value[:max(0, MAX_ITEMS - len(src.items))])
            elif value not in (None, "", [], {}) and len(src.values) < MAX_VALUES:
                src.values.append(value)

    for record in records:
        if isinstance(record, dict):
            walk(record, "")
    return list(found.values())


def targets_of(resolved: dict[str, Any], scope: str = "") -> list[Target]:
    out = []
    for doc in schema_fields(resolved):
        if "[]" in doc.path:
            continue  # inside a list of objects: mapped with ``each`` once the list itself is matched
        if doc.type == "object":
            continue  # its fields are targets themselves
        out.append(Target(doc.path, doc.type, doc.required and _parent_required(resolved, doc.path), doc.node,
                          scope))
    return out


def _parent_required(resolved: dict[str, Any], path: str) -> bool:
    node = resolved
    parts = path.split(".")
    for part in parts[:-1]:
        if part not in set(node.get("required") or []):
            return False
        node = (node.get("properties") or {}).get(part) or {}
    return True


def name_score(target: Target, source: Source) -> tuple[float, str]:
    names = synonyms()["fields"]
    known = (names.get(target.qualified) if target.scope else None) or names.get(target.path) \
        or names.get(target.leaf) or set()
    leaf = normalise(source.path.rsplit(".", 1)[-1])
    full = normalise(source.path)
    own = {normalise(target.path), normalise(target.leaf)}
    for name, score in ((full, 1.0), (leaf, 0.95)):
        if name in own or name.replace("_", "") in {o.replace("_", "") for o in own}:
            return score, "same"
        if name in known or name.replace("_", "") in {k.replace("_", "") for k in known}:
            return score - 0.1, "synonym"
    tokens = set(leaf.split("_"))
    for synonym in sorted(known | own, key=len, reverse=True):
        parts = set(synonym.split("_"))
        if len(synonym) >= 3 and parts <= tokens:
            return 0.55, "partial"
    return 0.0, ""


def _shape(values: list[Any], shapes: list[tuple[str, str]]) -> str | None:
    texts = [str(v).strip() for v in values if isinstance(v, str)]
    if not texts:
        return None
    for fmt, shape in shapes:
        if sum(bool(re.fullmatch(shape, v)) for v in texts) >= 0.8 * len(texts):
            return fmt
    return None


def propose(target: Target, source: Source, base_url: str | None = None) -> dict[str, Any]:
    """The field spec most likely to turn ``source``'s values into valid values of ``target``."""
    spec: dict[str, Any] = {"from": source.path}
    if source.objects:
        spec["todo"] = "each: {...}"
        return spec
    values = source.values
    node = target.node
    strings = [v for v in values if isinstance(v, str)]
    if node.get("format") == "date":
        fmt = _shape(values, DATE_SHAPES) or _shape(values, DATETIME_SHAPES)
        if fmt:
            spec["date"] = fmt
    elif node.get("format") == "date-time":
        fmt = _shape(values, DATETIME_SHAPES) or _shape(values, DATE_SHAPES)
        if fmt:
            spec["datetime"] = {"from": fmt, "tz": "WIB"}
    elif target.type.startswith(("integer", "number")) and strings:
        spec["type"] = "int" if target.type.startswith("integer") else "number"
    elif target.type.startswith("string") and any(isinstance(v, int | float) and not isinstance(v, bool)
                                                   for v in values):
        spec["type"] = "string"
    elif target.type.startswith("array") and strings:
        seps = [s for s in (";", ",", "|") if any(s in v for v in strings)]
        if seps:
            spec["split"] = seps[0] if len(seps) == 1 else seps
    if node.get("format") == "uri" and base_url and any(not re.match(r"^[a-z][a-z0-9+.-]*://", str(v), re.I)
                                                        for v in strings):
        spec["url_base"] = base_url.rstrip("/") + "/"
    pattern = str(node.get("pattern") or "")
    if re.fullmatch(r"\^\\d\{\d+\}\$", pattern) and any(re.search(r"\s", str(v)) for v in values):
        spec["code"] = {"remove_spaces": True}
    table = _value_map(target, values)
    if table:
        spec["map"] = table
    return spec


def _value_map(target: Target, values: list[Any]) -> dict[str, Any] | None:
    allowed = target.node.get("enum")
    if not allowed:
        return None
    distinct = list(dict.fromkeys(str(v).strip() for v in values))
    if all(v in allowed for v in distinct):
        return None
    known = synonyms()["values"].get(target.leaf) or {}
    table: dict[str, Any] = {}
    for value in distinct:
        folded = value.casefold()
        hit = next((a for a in allowed if str(a).casefold() == folded), None)
        if hit is None:
            hit = next((c for c, names in known.items() if folded in {str(n).casefold() for n in names}), None)
        if hit is not None and hit != value:
            table[value] = hit
    return table or None


def variants(target: Target, spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The proposal, and the same with a code shape or a conversion table of the data file (tried on the sample)."""
    out = [spec]
    if "todo" in spec:
        return out
    shape = synonyms()["codes"].get(target.path) or synonyms()["codes"].get(target.leaf)
    if shape:
        out.append({**spec, "code": shape})
    for table in synonyms()["conversions"].get(target.path) or synonyms()["conversions"].get(target.leaf) or []:
        out.append({**spec, "convert": table})
    return out


def each_of(target: Target, source: Source, base_url: str | None = None, lang: str = "id") -> dict[str, Any] | None:
    """``{from, each: {...}}`` for a list of objects in the source that maps to a list of objects of the schema:
    the items' own fields drafted like a record's, from the sample's items (None when the target is no such
    list). Required item fields that match nothing are ``todo`` inside ``each``."""
    schema = target.item_schema
    if schema is None or not source.objects or not source.items:
        return None
    scope = f"{target.qualified}[]."
    inner = suggest(source.items, "", schema, resource="", base_url=base_url, lang=lang, scope=scope)
    return {"from": source.path, "each": {line.target: line.spec for line in inner.lines}}


def best(target: Target, source: Source, records: list[dict[str, Any]],
         base_url: str | None = None, lang: str = "id") -> tuple[dict[str, Any], tuple[int, int]]:
    """The variant that turns the most sample values into valid values (the plainest one on a tie)."""
    each = each_of(target, source, base_url, lang)
    if each is not None:
        return each, fit(target, each, records)
    chosen: tuple[dict[str, Any], tuple[int, int]] | None = None
    for spec in variants(target, propose(target, source, base_url)):
        valid, tried = fit(target, spec, records)
        if chosen is None or valid > chosen[1][0]:
            chosen = (spec, (valid, tried))
    return chosen if chosen is not None else ({"from": source.path}, (0, 0))


def fit(target: Target, spec: dict[str, Any], records: list[dict[str, Any]]) -> tuple[int, int]:
    """(valid, tried): how many sample values the spec turns into valid values of the target field."""
    if "todo" in spec or _todos(spec):
        return 0, 0
    try:
        mapper = Mapper({"schema": "draft/check", "fields": {"v": spec}})
    except ConnectorError:
        return 0, 0
    checker = _checker(target)
    valid = tried = 0
    for record in records:
        result = mapper.map(record)
        if result.document is None:
            tried += 1
            continue
        if "v" not in result.document:
            continue
        tried += 1
        valid += checker.is_valid(result.document["v"])
    return valid, tried


def _checker(target: Target) -> Draft202012Validator:
    return Draft202012Validator(target.node, format_checker=FormatChecker())


def _informative(target: Target) -> float:
    """How much a fitting sample value says: much for a NIP pattern, a date or a code list, little for any text."""
    node = target.node
    strict = (str(node.get("pattern") or "") not in WEAK_PATTERNS or node.get("format") or node.get("enum")
              or not target.type.startswith("string"))
    return 1.0 if strict else 0.3


def _distinctive(target: Target) -> bool:
    pattern = str(target.node.get("pattern") or "")
    return bool(pattern) and pattern not in WEAK_PATTERNS and "\\d{" in pattern


def suggest(records: list[dict[str, Any]], schema_key: str, resolved: dict[str, Any], *, resource: str,
            base_url: str | None = None, lang: str = "id", scope: str = "") -> Draft:
    """The draft for ``records``; with ``scope`` (``indikator[].``) the draft of one list's items, its lines
    relative to an item."""
    sources = profile(records)
    targets = targets_of(resolved, scope)
    scored: list[tuple[float, int, Target, Source, dict[str, Any], str, tuple[int, int]]] = []
    for ti, target in enumerate(targets):
        for source in sources:
            by_name, how = name_score(target, source)
            if not by_name and not _distinctive(target):
                continue
            spec, (valid, tried) = best(target, source, records, base_url, lang)
            by_value = valid / tried if tried else 0.0
            if not by_name:
                # by values alone only long identifiers taken as they are (an 18-digit NIP, a 16-digit NIK):
                # a short number fits many code patterns once reshaped
                if by_value < 0.9 or set(spec) != {"from"} or any(len(str(v)) < 10 for v in source.values):
                    continue
                how = "values"
            score = 0.6 * by_name + 0.4 * by_value * _informative(target)
            scored.append((score, -ti, target, source, spec, how, (valid, tried)))
    scored.sort(key=lambda s: (s[0], s[1]), reverse=True)
    chosen: dict[str, Line] = {}
    used: set[str] = set()
    for _score, _order, target, source, spec, how, (valid, tried) in scored:
        if target.path in chosen or source.path in used:
            continue
        chosen[target.path] = _line(target, source, spec, how, valid, tried, lang)
        used.add(source.path)
    _derive(targets, chosen, records)
    lines: list[Line] = []
    missing_optional: list[str] = []
    for target in targets:
        if target.path in chosen:
            lines.append(chosen[target.path])
        elif target.required:
            lines.append(Line(target.path, {"todo": t("mapping.suggest.todo_none", lang)},
                              "mapping.suggest.reason.none", required=True))
        else:
            missing_optional.append(target.path)
    unused = [s.path for s in sources if s.path not in used]
    by_path = {s.path: s for s in sources}
    for line in lines:  # item fields of a mapped list that its ``each`` does not read
        source = by_path.get(str(line.spec.get("from"))) if "each" in line.spec else None
        if source is not None:
            read = {sub.get("from") for sub in line.spec["each"].values() if isinstance(sub, dict)}
            unused += [f"{source.path}[].{item.path}" for item in profile(source.items) if item.path not in read]
    return Draft(schema_key, resource, len(records), lines, unused, missing_optional)


def _line(target: Target, source: Source, spec: dict[str, Any], how: str, valid: int, tried: int,
          lang: str) -> Line:
    params = {"source": source.path, "valid": valid, "tried": tried}
    if source.objects and "each" in spec:
        todo = _todos(spec)
        if todo:
            return Line(target.path, spec, "mapping.suggest.reason.each_todo", {**params, "names": ", ".join(todo)},
                        target.required)
        if tried and valid < tried * 0.8:
            spec = {**spec, "todo": t("mapping.suggest.todo_values", lang, valid=valid, tried=tried)}
            return Line(target.path, spec, "mapping.suggest.reason.each_bad", params, target.required)
        return Line(target.path, spec, "mapping.suggest.reason.each_mapped", params, target.required)
    if source.objects:
        return Line(target.path, spec, "mapping.suggest.reason.each", params, target.required)
    if tried and valid < tried * 0.8:
        spec = {**spec, "todo": t("mapping.suggest.todo_values", lang, valid=valid, tried=tried)}
        return Line(target.path, spec, "mapping.suggest.reason.values_bad", params, target.required)
    return Line(target.path, spec, f"mapping.suggest.reason.{how}", params, target.required)


def _derive(targets: list[Target], chosen: dict[str, Line], records: list[dict[str, Any]]) -> None:
    """Fields read from another matched field (birth date and sex from the NIP), when they fit the sample."""
    for target in targets:
        rule = synonyms()["derive"].get(target.path)
        if (target.path in chosen and not chosen[target.path].todo) or not rule:
            continue
        base = chosen.get(rule["from_target"])
        if base is None or base.todo:
            continue
        spec = {"from": base.spec["from"], **rule["spec"]}
        valid, tried = fit(target, spec, records)
        if tried and valid >= tried * 0.8:
            chosen[target.path] = Line(target.path, spec, "mapping.suggest.reason.derived",
                                       {"source": base.spec["from"], "base": rule["from_target"], "valid": valid,
                                        "tried": tried}, target.required)
