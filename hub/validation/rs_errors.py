"""Detailed schema errors from jsonschema-rs itself, in the shape :mod:`messages` explains.

jsonschema-rs's ``iter_errors`` says, for each error, where it was evaluated (``evaluation_path``: through every
``properties``, ``items`` and ``$ref``), where in the document (``instance_path``) and what kind of keyword
failed. :class:`RsErrors` (compiled once per schema) turns each error into an :class:`RsError` that carries what
the message explainers read from a python-jsonschema error — the keyword, its value in the schema, the schema node
holding it, the value in the document and its path — and puts the errors in the order python-jsonschema yields
them (the schema's own key order, then document order), so both engines produce the same messages in the same
order. Tests and ``bench/validate.py`` compare the two on every document they have.

What this module cannot describe — ``oneOf``/``anyOf`` (their messages explain the best-matching branch),
``dependentRequired`` (which field triggered it), ``unevaluated*``, ``contains``, ``propertyNames``,
``$dynamicRef``, any keyword whose message would be python-jsonschema's own text — makes :meth:`RsErrors.errors`
answer ``None``, and the caller asks python-jsonschema for that document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from referencing.jsonschema import DRAFT202012

from hub.validation.privacy import PathPart

#: Keywords whose error :mod:`messages` explains from the keyword's value, the schema node and the instance alone.
TERMINAL = frozenset({
    "required", "type", "enum", "const", "pattern", "format", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems",
    "minProperties", "maxProperties", "additionalProperties", "not",
})
#: Applicators an error may be reached through, and how many path tokens each one takes (keyword + name/index).
#: role of each applicator: "child" steps into the named member/item, "pattern" into a key matching a pattern,
#: "each" into every item/extra key (document order), "branch" into a named subschema, "same" stays.
_NAMED = {"properties": "child", "prefixItems": "child", "patternProperties": "pattern", "allOf": "branch",
          "dependentSchemas": "branch"}
_PLAIN = {"items": "each", "additionalProperties": "each", "then": "same", "else": "same", "$ref": "same"}


class Undescribed(Exception):
    """An error jsonschema-rs reports in a form the message explainers cannot use: ask python-jsonschema."""


@dataclass(slots=True)
class RsError:
    """The attributes of a python-jsonschema ``ValidationError`` that :func:`messages.explain` reads."""

    validator: str | None
    validator_value: Any
    schema: Any
    instance: Any
    absolute_path: list[PathPart]
    message: str
    where: tuple[Any, ...] = ()  # the evaluation path in the schema
    context: tuple[()] = ()
    #: what decides everything above but the instance: the error's kind (and missing property), evaluation path and
    #: instance path — a key of the explained-errors memo
    place: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class _Walk:
    """What an evaluation path leads to, computed once per path and schema."""

    steps: tuple[tuple[str, int, int], ...]  # (role, the keyword's place among its node's keys, name place or -1)
    schema: Any
    keyword: str | None
    value: Any


def _positions(node: dict[str, Any], cache: dict[int, dict[str, int]]) -> dict[str, int]:
    found = cache.get(id(node))
    if found is None:
        found = cache[id(node)] = {key: i for i, key in enumerate(node)}
    return found


class RsErrors:
    """Errors of one schema's compiled jsonschema-rs validator, described for the message explainers."""

    def __init__(self, validator: Any, schema: dict[str, Any], resolver: Any):
        self._validator = validator
        self._schema = schema
        self._resolver = resolver
        self._walks: dict[tuple[Any, ...], _Walk] = {}
        self._keys: dict[int, dict[str, int]] = {}
        self._keep: list[Any] = []  # resolved nodes whose id() is a key of ``_keys``
        self._orders: dict[tuple[Any, ...], tuple[tuple[int, ...], _Walk, str]] = {}  # see _describe

    def _walk(self, path: tuple[Any, ...], false_schema: bool) -> _Walk:
        node: Any = self._schema
        resolver = self._resolver
        steps: list[tuple[str, int, int]] = []
        i, end = 0, len(path) if false_schema else len(path) - 1
        while i < end:
            word = path[i]
            if not isinstance(node, dict) or not isinstance(word, str) or word not in node:
                raise Undescribed(f"path {path!r}")
            position = _positions(node, self._keys)[word]
            if word in _NAMED:
                if i + 1 >= end:
                    raise Undescribed(f"path {path!r}")
                name, container = path[i + 1], node[word]
                if isinstance(container, dict) and name in container:
                    name_position = _positions(container, self._keys)[name]
                elif isinstance(container, list) and isinstance(name, int) and 0 <= name < len(container):
                    name_position = name
                else:
                    raise Undescribed(f"path {path!r}")
                steps.append((_NAMED[word], position, name_position))
                node = container[name]
                i += 2
            elif word in _PLAIN:
                steps.append((_PLAIN[word], position, -1))
                if word == "$ref":
                    if not isinstance(node["$ref"], str):
                        raise Undescribed("$ref")
                    resolved = resolver.lookup(node["$ref"])
                    node, resolver = resolved.contents, resolved.resolver
                    self._keep.append(node)
                else:
                    node = node[word]
                i += 1
            else:
                raise Undescribed(f"keyword {word!r} on the way")
            if isinstance(node, dict) and isinstance(node.get("$id"), str):
                resolver = resolver.in_subresource(DRAFT202012.create_resource(node))
        if false_schema:
            if node is not False:
                raise Undescribed("false schema")
            return _Walk(tuple(steps), False, None, None)
        keyword = path[-1]
        if not isinstance(node, dict) or keyword not in TERMINAL or keyword not in node:
            raise Undescribed(f"keyword {keyword!r}")
        if keyword == "additionalProperties" and node[keyword] is not False:
            raise Undescribed("additionalProperties schema")
        steps.append(("terminal", _positions(node, self._keys)[keyword], -1))
        return _Walk(tuple(steps), node, keyword, node[keyword])

    def walk(self, path: Sequence[Any], false_schema: bool) -> _Walk:
        key = (false_schema, *path)
        found = self._walks.get(key)
        if found is None:
            found = self._walks[key] = self._walk(tuple(path), false_schema)
        return found

    def errors(self, document: Any) -> list[RsError] | None:
        """The errors of ``document`` in python-jsonschema's order, or ``None`` when one cannot be described."""
        try:
            found = list(self._validator.iter_errors(document))
        except Exception:  # a value Rust cannot represent
            return None
        ordered: list[tuple[tuple[int, ...], int, RsError]] = []
        try:
            for number, err in enumerate(found):
                ordered.append((*self._describe(err, document), number))  # type: ignore[arg-type]
        except Undescribed:
            return None
        ordered.sort(key=lambda item: (item[0], item[2]))
        return [error for _, error, _ in ordered]

    def _describe(self, err: Any, document: Any) -> tuple[tuple[int, ...], RsError]:
        kind = err.kind
        name = kind.name
        evaluation_path = err.evaluation_path
        parts: list[PathPart] = list(err.instance_path)
        where = tuple(evaluation_path)
        key = (name, kind.property if name == "required" else None, *where, None, *parts)
        known = self._orders.get(key)
        if known is not None:  # the same error at the same place: its order does not depend on the document
            order, walk, message = known
            node = document
            at = 0
            while at < len(parts):
                node, at = _child(node, parts, at)
            return order, RsError(walk.keyword, walk.value, walk.schema, node, parts, message, where, (), key)
        walk = self.walk(evaluation_path, name == "falseSchema")
        order: list[int] = []
        node = document
        at = 0  # how many instance path parts the walk has consumed
        for role, position, name_position in walk.steps:
            order.append(position)
            if role == "child":
                order.append(name_position)
                node, at = _child(node, parts, at)
            elif role == "pattern":
                order += (name_position, _place(node, parts, at))
                node, at = _child(node, parts, at)
            elif role == "each":
                order.append(_place(node, parts, at))
                node, at = _child(node, parts, at)
            elif role == "branch":
                order.append(name_position)
        if at != len(parts):
            raise Undescribed("instance path")
        message = ""
        if walk.keyword == "required":
            prop = kind.property
            required = walk.value if isinstance(walk.value, list) else []
            if prop not in required:
                raise Undescribed("required")
            order.append(required.index(prop))
            message = f"{prop!r} is a required property"
        if all(role not in ("pattern", "each") for role, _, _ in walk.steps):  # else the order depends on keys
            if len(self._orders) >= 50_000:
                self._orders.clear()
            self._orders[key] = (tuple(order), walk, message)
        return tuple(order), RsError(walk.keyword, walk.value, walk.schema, node, parts, message, where, (), key)


def _child(node: Any, parts: list[PathPart], at: int) -> tuple[Any, int]:
    if at >= len(parts):
        raise Undescribed("instance path")
    part = parts[at]
    if isinstance(node, dict) and isinstance(part, str) and part in node:
        return node[part], at + 1
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part], at + 1
    raise Undescribed("instance path")


def _place(node: Any, parts: list[PathPart], at: int) -> int:
    """The position of the next path part in the document (python-jsonschema walks items and keys in order)."""
    if at >= len(parts):
        raise Undescribed("instance path")
    part = parts[at]
    if isinstance(node, list) and isinstance(part, int):
        return part
    if isinstance(node, dict) and part in node:
        for i, key in enumerate(node):
            if key == part:
                return i
    raise Undescribed("instance path")
