"""Validation of documents against the canonical schemas (``schemas/``), plus business rules and code lists.

Public entry points (imported lazily, so ``hub.validation.rules`` can import from here without a cycle):

* :func:`get_store` — the :class:`~hub.validation.store.SchemaStore` (lookups by key, versioned key or URN);
* :func:`validate_documents` / :func:`validate_document` — a :class:`~hub.validation.report.ValidationReport`;
* :func:`is_valid` — only the verdict;
* :func:`validate_payload` / :func:`validate_files` — parse JSON, NDJSON, CSV or XLSX first (API and CLI);
* :func:`render` — the report as text, json, junit or sarif.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "get_store": "hub.validation.store",
    "SchemaStore": "hub.validation.store",
    "validate_documents": "hub.validation.validator",
    "validate_document": "hub.validation.validator",
    "is_valid": "hub.validation.validator",
    "validate_payload": "hub.validation.service",
    "validate_files": "hub.validation.service",
    "ValidationReport": "hub.validation.report",
    "render": "hub.validation.render",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hub.validation' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
