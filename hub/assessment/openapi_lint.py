"""Structural checks of an OpenAPI document (no network, no extra dependency).

``openapi-spec-validator`` is used when it is installed; otherwise (and in addition) these rules apply:
``openapi`` is ``3.x``, ``info.title`` and ``info.version`` are strings, ``paths`` is an object whose keys start
with ``/``, every operation is an object with ``responses``, path parameters are declared, ``$ref`` targets
inside the document exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PATH_PARAM = re.compile(r"{([^}/]+)}")


def _refs(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _resolve_local(doc: dict[str, Any], ref: str) -> bool:
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _operation_problems(doc: dict[str, Any], path: str, item: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    declared_path_params = {p.get("name") for p in item.get("parameters", []) if isinstance(p, dict)
                            and p.get("in") == "path"}
    for method in METHODS:
        op = item.get(method)
        if op is None:
            continue
        if not isinstance(op, dict):
            problems.append(f"{method.upper()} {path}: operation is not an object")
            continue
        if not isinstance(op.get("responses"), dict) or not op["responses"]:
            problems.append(f"{method.upper()} {path}: no responses")
        params = set(declared_path_params)
        params |= {p.get("name") for p in op.get("parameters", []) if isinstance(p, dict) and p.get("in") == "path"}
        has_refs = any(isinstance(p, dict) and "$ref" in p for p in [*op.get("parameters", []),
                                                                      *item.get("parameters", [])])
        missing = [n for n in _PATH_PARAM.findall(path) if n not in params]
        if missing and not has_refs:
            problems.append(f"{method.upper()} {path}: path parameter(s) {', '.join(missing)} not declared")
    return problems


def lint(doc: Any) -> tuple[str, list[str]]:
    """``(kind, problems)`` where kind is ``openapi3``, ``swagger2`` or ``unknown``."""
    if not isinstance(doc, dict):
        return "unknown", ["the document is not a JSON/YAML object"]
    kind = "unknown"
    problems: list[str] = []
    version = str(doc.get("openapi", ""))
    if version.startswith("3."):
        kind = "openapi3"
    elif str(doc.get("swagger", "")) == "2.0":
        kind = "swagger2"
    else:
        problems.append("neither 'openapi: 3.x' nor 'swagger: 2.0'")
    info = doc.get("info")
    if not isinstance(info, dict):
        problems.append("info is missing")
    else:
        for key in ("title", "version"):
            if not isinstance(info.get(key), str) or not info.get(key):
                problems.append(f"info.{key} is missing")
    paths = doc.get("paths")
    if paths is None and kind == "openapi3" and version.startswith("3.1") and doc.get("webhooks"):
        paths = {}
    if not isinstance(paths, dict):
        problems.append("paths is missing")
        paths = {}
    for path, item in paths.items():
        if not str(path).startswith("/"):
            problems.append(f"path {path!r} does not start with '/'")
        if not isinstance(item, dict):
            problems.append(f"{path}: path item is not an object")
            continue
        problems.extend(_operation_problems(doc, str(path), item))
    for ref in set(_refs(doc)):
        if ref.startswith("#/") and not _resolve_local(doc, ref):
            problems.append(f"$ref {ref} points nowhere")
    problems.extend(_external_validator(doc, kind))
    return kind, problems[:20]


def _external_validator(doc: dict[str, Any], kind: str) -> list[str]:
    if kind != "openapi3":
        return []
    try:
        from openapi_spec_validator import validate  # type: ignore[import-not-found]
    except ImportError:
        return []
    try:
        validate(doc)
    except Exception as exc:  # the validator raises its own error types
        return [f"openapi-spec-validator: {str(exc).splitlines()[0][:200]}"]
    return []


def operations(doc: Any) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path, operation) of every operation."""
    if not isinstance(doc, dict) or not isinstance(doc.get("paths"), dict):
        return
    for path, item in doc["paths"].items():
        if isinstance(item, dict):
            for method in METHODS:
                if isinstance(item.get(method), dict):
                    yield method.upper(), str(path), item[method]


def query_parameters(doc: Any, op: dict[str, Any], path_item: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The query parameters of an operation (``$ref`` parameters resolved inside the document)."""
    found: list[dict[str, Any]] = []
    for param in [*(path_item or {}).get("parameters", []), *op.get("parameters", [])]:
        if isinstance(param, dict) and "$ref" in param and isinstance(doc, dict):
            node: Any = doc
            for part in str(param["$ref"])[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            param = node
        if isinstance(param, dict) and param.get("in") == "query" and param.get("name"):
            found.append(param)
    return found


def query_params(doc: Any, op: dict[str, Any], path_item: dict[str, Any] | None = None) -> list[str]:
    """Names of the query parameters of an operation."""
    return [str(p["name"]) for p in query_parameters(doc, op, path_item)]


def example_value(param: dict[str, Any]) -> Any:
    """A value the description itself offers for a parameter: its example, the first of its examples, its
    schema's example, default or first enum value; None when it offers none."""
    schema = param.get("schema") if isinstance(param.get("schema"), dict) else {}
    if "example" in param:
        return param["example"]
    examples = param.get("examples")
    if isinstance(examples, dict):
        for item in examples.values():
            if isinstance(item, dict) and "value" in item:
                return item["value"]
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if isinstance(schema.get("examples"), list) and schema["examples"]:
        return schema["examples"][0]
    return None


def required_values(doc: Any, op: dict[str, Any], path_item: dict[str, Any] | None = None) -> dict[str, Any]:
    """``name -> value`` for every required query parameter (None where the description offers no value)."""
    return {str(p["name"]): example_value(p) for p in query_parameters(doc, op, path_item) if p.get("required")}
