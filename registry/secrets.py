"""Secrets in connector configuration are references, never values.

A secret is written as ``{"env": "VAR_NAME"}``: the connector reads the environment variable at run time, so the
registry (its database, exports, API answers, logs) never holds the secret itself. A literal value under a key
that names a secret (password, token, secret, api_key, client_secret, private_key, credential, ...) is rejected
with an error naming the key.
"""

from __future__ import annotations

import os
import re
from typing import Any

from pydantic_core import PydanticCustomError

SECRET_KEY = re.compile(
    r"(^|_|-)(pass(word|wd|phrase)?|pwd|secret|token|api_?key|apikey|client_?secret|private_?key|credentials?|"
    r"auth_?key|access_?key|bearer)($|_|-)",
    re.IGNORECASE,
)
ENV_VAR = re.compile(r"^[A-Z_][A-Z0-9_]{0,127}$")
_BAD_TEXT = re.compile(r"[\x00\ud800-\udfff]")  # NUL and lone surrogates cannot be stored
MAX_DEPTH = 8
MAX_NODES = 500


def is_secret_key(key: str) -> bool:
    return bool(SECRET_KEY.search(key.replace(" ", "_")))


def is_reference(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"env"} and isinstance(value["env"], str) and bool(
        ENV_VAR.match(value["env"]))


def check_connector_config(config: dict[str, Any]) -> None:
    """Raise a pydantic error naming the first offending key path; accept references and plain settings."""
    count = 0

    def walk(node: Any, path: str, depth: int) -> None:
        nonlocal count
        count += 1
        if depth > MAX_DEPTH or count > MAX_NODES:
            raise PydanticCustomError("registry_config_too_large",
                                      "connector config is too deep or too large (max depth {depth}, {nodes} values)",
                                      {"depth": MAX_DEPTH, "nodes": MAX_NODES})
        if isinstance(node, dict):
            if "env" in node and not is_reference(node):
                raise PydanticCustomError(
                    "registry_secret_reference",
                    "{field}: a secret reference is {\"env\": \"VAR_NAME\"} with an upper-case variable name",
                    {"field": path or "config"})
            for key, value in node.items():
                if not isinstance(key, str) or _BAD_TEXT.search(key) or len(key) > 100:
                    raise PydanticCustomError("registry_config_key", "{field}: invalid key", {"field": path})
                sub = f"{path}.{key}" if path else key
                if is_secret_key(key) and value not in (None, "") and not is_reference(value):
                    raise PydanticCustomError(
                        "registry_secret_literal",
                        "{field} holds a secret value; store it as a reference {\"env\": \"VAR_NAME\"} instead",
                        {"field": sub})
                walk(value, sub, depth + 1)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}[{i}]", depth + 1)
        elif isinstance(node, str):
            if _BAD_TEXT.search(node) or len(node) > 2000:
                raise PydanticCustomError("registry_config_value", "{field}: invalid text value", {"field": path})
        elif isinstance(node, float) and node != node:  # NaN
            raise PydanticCustomError("registry_config_value", "{field}: invalid number", {"field": path})

    walk(config, "", 0)


def resolve(config: dict[str, Any], environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Connector-side helper: a copy of ``config`` with every ``{"env": VAR}`` replaced by its value.

    Never store or return the result; use it only to make the call that needs it. Missing variables become None.
    """
    env = os.environ if environ is None else environ

    def sub(node: Any) -> Any:
        if is_reference(node):
            return env.get(node["env"])
        if isinstance(node, dict):
            return {k: sub(v) for k, v in node.items()}
        if isinstance(node, list):
            return [sub(v) for v in node]
        return node

    return sub(config)


def references(config: dict[str, Any]) -> list[str]:
    """Names of the environment variables a config refers to (e.g. to check that they are set)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if is_reference(node):
            found.append(node["env"])
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(config)
    return found
