"""Validate one document or a batch against a canonical schema, plus business rules and code lists.

For each document:

1. the compiled jsonschema-rs validator says valid or not (fast path);
2. only when it says invalid, python-jsonschema lists every error in detail and :mod:`messages` explains each
   in Bahasa Indonesia and English;
3. the business rules and code lists of ``hub.validation.rules`` run (``rules=False`` skips them).

A document is valid when it has no schema error and no rule or code-list violation of severity ``error``.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from hub.i18n import both
from hub.logging import get_logger, mask_text
from hub.validation import engine
from hub.validation.inputs import ParsedDocument
from hub.validation.messages import explain, pointer_of
from hub.validation.privacy import PathPart, safe_value
from hub.validation.report import (
    DocumentResult,
    Issue,
    Listed,
    Message,
    SchemaRef,
    ValidationReport,
    build_groups,
    compact_valid,
    index_texts,
    summarize,
)
from hub.validation.rs_errors import RsError, Undescribed
from hub.validation.store import SchemaEntry, SchemaStore, content_hash, get_store

log = get_logger("hub.validation")

MAX_ISSUES_PER_DOCUMENT = 100
MAX_REMEMBERED = 20_000  # explained jsonschema-rs errors kept per process (all schemas), least recently used out
#: longer texts (values, unknown field names) are explained every time, never kept: 20,000 entries stay a few MB
#: whatever a vendor uploads
MAX_REMEMBERED_TEXT = 256
_SEVERITIES = {"error", "warning", "info"}
_rules_evaluate: Callable[..., list[Any]] | None = None
_rules_loaded = False


def rules_evaluate() -> Callable[..., list[Any]] | None:
    """``hub.validation.rules.evaluate``, or ``None`` while that package is not installed."""
    global _rules_evaluate, _rules_loaded
    if not _rules_loaded:
        _rules_loaded = True
        try:
            _rules_evaluate = getattr(importlib.import_module("hub.validation.rules"), "evaluate", None)
        except Exception as exc:  # absent or broken: validate against the schema alone, and say so in the report
            log.warning("rules_unavailable", error=str(exc))
            _rules_evaluate = None
    return _rules_evaluate


def _parts(pointer: str, document: Any) -> list[PathPart]:
    """JSON Pointer → path parts, with list positions as ``int`` (needed to walk the schema)."""
    parts: list[PathPart] = []
    node = document
    for raw in pointer.split("/")[1:] if pointer else []:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isascii() and token.isdigit():
            parts.append(int(token))
            node = node[int(token)] if int(token) < len(node) else None
        else:
            parts.append(token)
            node = node.get(token) if isinstance(node, dict) else None
    return parts


class ExplainedMemo:
    """The explained jsonschema-rs errors of this process, across batches and calls: a bounded LRU.

    Keyed by everything that decides the messages: the schema (URN, version and the hash of its content with every
    ``$ref`` inlined), where in it the error was evaluated, the keyword, the place in the document, the value (its
    type and a canonical form) and the error text; an entry holds both languages. Values stay in memory only, never
    in a log. Adding and evicting hold a lock, so it stays consistent and bounded when the API validates in several
    threads.
    """

    def __init__(self, size: int = MAX_REMEMBERED):
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], list[Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> list[Any] | None:
        # no lock: each OrderedDict operation is atomic under the GIL, and an entry another thread evicted in
        # between is simply not moved (the next put re-adds it)
        found = self._entries.get(key)
        if found is not None:
            try:  # noqa: SIM105  (contextlib.suppress costs a context manager per look-up)
                self._entries.move_to_end(key)
            except KeyError:
                pass
        return found

    def put(self, key: tuple[Any, ...], explained: list[Any]) -> None:
        with self._lock:
            self._entries[key] = explained
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


EXPLAINED = ExplainedMemo()
#: builds an :class:`Issue` from a dict of its fields: what ``Issue(**fields)`` does, without the Python call around
#: pydantic's validator (the fields are validated all the same)
_ISSUE = Issue.__pydantic_validator__.validate_python
_DOCUMENT = DocumentResult.__pydantic_validator__.validate_python


def _texts(value: Any, fallback: str) -> Message:
    """A rule's ``{id, en}`` message, with any NIK/NIP or e-mail inside it masked."""
    if isinstance(value, dict):
        text_id = str(value.get("id") or value.get("en") or fallback)
        return Message(id=mask_text(text_id), en=mask_text(str(value.get("en") or text_id)))
    return Message(id=mask_text(str(value or fallback)), en=mask_text(str(value or fallback)))


class DocumentValidator:
    """Validates documents against one schema version; build once, call :meth:`check` per document."""

    def __init__(self, entry: SchemaEntry, store: SchemaStore | None = None, *, rules: bool = True,
                 context: Any = None):
        self.store = store or get_store()
        self.entry = entry
        self.resolved = self.store.resolved(entry)
        self.rules = rules
        self.context = context
        self._runner: Callable[[Any], list[Any]] | bool | None = False  # built at the first document
        self._rs = self.store.rs_validator(entry)
        self._rs_errors = engine.rs_described(self.store, entry)
        # the schema with every $ref inlined, hashed: a referenced schema that changed makes new messages
        self._memo_key = (entry.urn, entry.version, self.store.memo(
            "resolved_hash", entry, lambda: content_hash(self.resolved)))
        engine.py_validator(self.store, entry)  # compile now, not inside the first invalid document

    def schema_valid(self, document: Any) -> bool:
        """The schema verdict alone (fast path; the detailed engine only when Rust cannot judge)."""
        fast = self._fast(document)
        return fast if fast is not None else not engine.detailed_errors(self.store, self.entry, document)

    def _fast(self, document: Any) -> bool | None:
        try:
            return bool(self._rs.is_valid(document))
        except Exception:  # a value Rust cannot represent: let the detailed engine judge
            return None

    def schema_issues(self, document: Any, *, engine_: str = "rs") -> list[Issue]:
        """The schema issues of ``document``, explained from jsonschema-rs's errors.

        A document with an error those cannot describe is explained from python-jsonschema's errors instead;
        ``engine_="py"`` always does (the reference the tests and the benchmark compare with).
        """
        return self._schema_issues(document, self._fast(document), engine_)

    def _schema_issues(self, document: Any, fast: bool | None, engine_: str = "rs") -> list[Issue]:
        if fast is True:
            return []
        if engine_ == "rs" and fast is False:
            errors = self._rs_errors.errors(document)
            if errors:
                try:
                    return self._explained(errors)
                except Undescribed:
                    pass
        errors = engine.detailed_errors(self.store, self.entry, document)
        if not errors and fast is False:
            return self._disagreement(document)
        return self._explained(errors)

    def _explained(self, errors: list[Any]) -> list[Issue]:
        issues: list[Issue] = []
        seen: set[tuple[str, str]] = set()
        issue = _ISSUE
        for err in errors:
            for x in self._explain(err):
                mark = (x.rule, x.pointer)
                if mark in seen:  # e.g. a field failing its base pattern and an if/then pattern
                    continue
                seen.add(mark)
                model = x.model
                if model is None:
                    model = x.model = Message(**x.message)
                issues.append(issue({"severity": "error", "rule": x.rule, "pointer": x.pointer, "value": x.value,
                                     "message": model}))
        return issues

    def _explain(self, err: Any) -> list[Any]:
        """:func:`explain`, remembered per process (:data:`EXPLAINED`) for a jsonschema-rs error on a plain value (or
        a missing field): batches repeat the same mistake on the same field, and the message depends on nothing
        else."""
        if type(err) is not RsError:
            return explain(err, self.resolved)
        instance = None if err.validator == "required" else err.instance
        kind = type(instance)
        if kind is float:
            same: Any = repr(instance)  # -0.0 == 0.0, but is written otherwise
        elif kind is str:
            if len(instance) > MAX_REMEMBERED_TEXT:  # a long text is explained anew: the memo's size stays bounded
                return explain(err, self.resolved)
            same = instance
        elif kind is int or kind is bool or instance is None:
            same = instance
        elif isinstance(instance, str | int | float | bool):  # a subclass: as the exact type would be
            if isinstance(instance, str) and len(instance) > MAX_REMEMBERED_TEXT:
                return explain(err, self.resolved)
            same = repr(instance) if isinstance(instance, float) else instance
        else:
            return explain(err, self.resolved)
        # the place (kind, evaluation path, instance path) decides the keyword, its node and the error text
        key = (self._memo_key, err.place or (err.where, err.validator, tuple(err.absolute_path), err.message), kind,
               same)
        found = EXPLAINED.get(key)
        if found is None:
            found = explain(err, self.resolved)
            EXPLAINED.put(key, found)
        return found

    def _disagreement(self, document: Any) -> list[Issue]:
        """jsonschema-rs rejects what python-jsonschema accepts: report Rust's errors, never a silent pass."""
        log.warning("engine_disagreement", schema=self.entry.urn)
        issues = []
        for err in engine.rs_errors(self.store, self.entry, document):
            parts: list[PathPart] = list(err.instance_path)
            keyword = err.kind.name
            detail = mask_text(str(err.message))[:200]
            texts = both("validation.engine_disagreement", field=pointer_of(parts) or "/", keyword=keyword,
                         detail=detail)
            issues.append(Issue(severity="error", rule=f"schema:{keyword}", pointer=pointer_of(parts),
                                value=safe_value(err.instance, self.resolved, parts), message=Message(**texts)))
        return issues

    def _rules_runner(self) -> Callable[[Any], list[Any]] | None:
        """The rules of this schema, compiled once (``plan_for``), or ``evaluate`` called per document."""
        evaluate = rules_evaluate() if self.rules else None
        if evaluate is None:
            return None
        plan_for = getattr(importlib.import_module("hub.validation.rules.engine"), "plan_for", None)
        if plan_for is None:
            return lambda doc: evaluate(self.entry.versioned_key, doc, context=self.context, schema=self.resolved)
        context = self.context if self.context is not None else importlib.import_module(
            "hub.validation.rules").RuleContext()
        plan = plan_for(self.entry.versioned_key, self.resolved)
        return lambda doc: plan.evaluate(doc, context)

    def batch(self) -> AbstractContextManager[Any]:
        """Around a batch: the code lists are looked up once for all its documents."""
        if not self.rules or rules_evaluate() is None:
            return nullcontext()
        pinned = getattr(importlib.import_module("hub.validation.rules.codelists"), "pinned", None)
        return pinned() if pinned is not None else nullcontext()

    def rule_issues(self, document: Any, schema_ok: bool) -> list[Issue]:
        if self._runner is False:
            self._runner = self._rules_runner()
        if self._runner is None:
            return []
        try:
            violations = self._runner(document)
        except Exception:
            if not schema_ok:
                return []  # rules may assume the schema holds; the schema errors already say what to fix
            log.exception("rules_failed", schema=self.entry.key)
            return [Issue(severity="warning", rule="simpul:rules", pointer="",
                          message=Message(**both("validation.rules_failed")))]
        issues = []
        for v in violations or ():
            severity = str(getattr(v, "severity", "error")).lower()
            pointer = str(getattr(v, "pointer", "") or "")
            rule = str(getattr(v, "rule_id", "") or "rule")
            value = safe_value(getattr(v, "value", None), self.resolved, _parts(pointer, document))
            issues.append(Issue(severity=severity if severity in _SEVERITIES else "warning", rule=rule,
                                pointer=pointer, value=value, message=_texts(getattr(v, "message", None), rule)))
        return issues

    def check(self, document: Any, fast: bool | None = None) -> tuple[bool, list[Issue], bool]:
        """``(valid, issues, truncated)`` for one document (``fast``: jsonschema-rs's verdict, when known)."""
        issues = self.schema_issues(document) if fast is None else self._schema_issues(document, fast)
        schema_ok = not issues
        if self.rules:
            issues += self.rule_issues(document, schema_ok)
        if not issues:
            return True, issues, False
        valid = not any(i.severity == "error" for i in issues)
        issues.sort(key=lambda i: i.severity != "error")
        truncated = len(issues) > MAX_ISSUES_PER_DOCUMENT
        return valid, issues[:MAX_ISSUES_PER_DOCUMENT], truncated


def schema_ref(entry: SchemaEntry) -> SchemaRef:
    return SchemaRef(id=entry.urn, key=entry.key, version=entry.version, hash=entry.hash)


def validate_documents(schema: str | SchemaEntry, documents: Iterable[Any], *, rules: bool = True,
                       context: Any = None, include_valid: bool = True,
                       store: SchemaStore | None = None) -> ValidationReport:
    """Validate a batch (raw JSON values or :class:`ParsedDocument`) and build the report.

    ``schema`` is a key (``kepegawaian/pegawai``), a versioned key (``…:1``), a URN or a store entry.
    ``include_valid=False`` leaves documents without issues out of ``documents`` (they still count).
    """
    from hub.validation.versions import deprecation_of

    store = store or get_store()
    entry = schema if isinstance(schema, SchemaEntry) else store.get(schema)
    checker = DocumentValidator(entry, store, rules=rules, context=context)
    listed: list[Listed] = []
    flagged: list[DocumentResult] = []
    total = valid_count = 0
    with checker.batch(), _collector_skips_what_exists():
        total, valid_count = _check_all(checker, documents, include_valid, listed, flagged)
    return ValidationReport.listing(
        listed, schema=schema_ref(entry), valid=valid_count == total, summary=summarize(flagged, total, valid_count),
        groups=build_groups(flagged), rules_applied=rules and rules_evaluate() is not None,
        deprecation=deprecation_of(entry, store),
    )


_frozen_batches = 0  # batches running now (threads): the last one to finish gives the objects back
_frozen_lock = threading.Lock()


@contextmanager
def _collector_skips_what_exists() -> Iterator[None]:
    """While a batch runs, the garbage collector leaves alone what existed before it (the parsed documents, the
    loaded modules): a batch allocates objects for every document, and each full collection would otherwise walk
    every document of the batch again (measured: half the time of a valid batch). Nothing happens when the
    collector is off. ``gc.unfreeze()`` at the end also gives back objects someone else froze (counting them with
    ``gc.get_freeze_count()`` would walk them all: 150 ms for a loaded process); Simpul freezes nothing else."""
    global _frozen_batches
    if not gc.isenabled():
        yield
        return
    with _frozen_lock:
        _frozen_batches += 1
        gc.freeze()
    try:
        yield
    finally:
        with _frozen_lock:
            _frozen_batches -= 1
            if not _frozen_batches:
                gc.unfreeze()


def _check_all(checker: DocumentValidator, documents: Iterable[Any], include_valid: bool, listed: list[Listed],
               flagged: list[DocumentResult]) -> tuple[int, int]:
    """Check every document; ``listed`` gets each one in order (a valid document without issues as a compact entry,
    nothing built for it), ``flagged`` the results of those with issues."""
    total = valid_count = 0
    is_valid = checker._rs.is_valid
    document = _DOCUMENT
    fast = not checker.rules  # without rules, jsonschema-rs's "valid" is the whole answer
    for index, item in enumerate(documents):
        parsed = item if isinstance(item, ParsedDocument) else None
        data = parsed.data if parsed is not None else item
        total += 1
        if fast:
            try:
                ok: bool | None = bool(is_valid(data))
            except Exception:  # a value Rust cannot represent: the detailed engine judges
                ok = None
            if ok:
                valid_count += 1
                if include_valid:
                    listed.append(compact_valid(index, parsed.location) if parsed is not None else index)
                continue
            valid, issues, truncated = checker.check(data, ok)
        else:
            valid, issues, truncated = checker.check(data)
        valid_count += valid
        if not issues:
            if include_valid:
                listed.append(compact_valid(index, parsed.location) if parsed is not None else index)
            continue
        if parsed is not None:
            for issue in issues:
                issue.location = parsed.locate(issue.pointer)
        location: Any = parsed.location if parsed is not None else {"label": index_texts(index)}
        result = document({"index": index, "location": location, "valid": valid, "issues": issues,
                           "truncated": truncated})
        listed.append(result)
        flagged.append(result)
    return total, valid_count


def validate_document(schema: str | SchemaEntry, document: Any, **kwargs: Any) -> ValidationReport:
    """One document: a report with one entry in ``documents``."""
    return validate_documents(schema, [document], **kwargs)


def is_valid(schema: str | SchemaEntry, document: Any, *, rules: bool = True,
             store: SchemaStore | None = None) -> bool:
    """Only the verdict (no report): for callers in a hurry, e.g. the exchange before storing a record."""
    store = store or get_store()
    entry = schema if isinstance(schema, SchemaEntry) else store.get(schema)
    checker = DocumentValidator(entry, store, rules=rules)
    if not checker.schema_valid(document):
        return False
    return not any(i.severity == "error" for i in checker.rule_issues(document, True))
