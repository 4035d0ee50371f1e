"""The canonical API as a service: current records of a schema with their provenance, one record with its
versions and reference findings, quarantine, and masking of personal data.

Cursor: an opaque token over the id of the stored version. Records come in the order Simpul stored their newest
version, so a consumer that keeps ``next_cursor`` sees every new and changed record exactly in the order it was
stored (a record changed again later comes back with its new version).
"""

from __future__ import annotations

import base64
import json
import threading
from datetime import UTC, datetime
from functools import lru_cache
from json.encoder import encode_basestring as _jstr  # what _dumps writes for a str (ensure_ascii=False)
from typing import Any

from sqlalchemy import Text, cast, select, true

from hub.errors import BadRequest, NotFound
from hub.exchange.db import database
from hub.exchange.identity import KEY_SEPARATOR, identity
from hub.exchange.references import ReferenceChecker
from hub.logging import mask_text
from hub.validation.privacy import PERSONAL_NAMES, is_personal, mask_personal
from registry.db import Database
from registry.tables_exchange import QuarantineRow, RecordRow

MAX_LIMIT = 500


@lru_cache(maxsize=64)
def _resolved(schema: str) -> dict[str, Any]:
    from hub.validation.store import get_store

    store = get_store()
    return store.resolved(store.get(schema))


def resolve_schema(schema: str) -> str:
    from hub.validation.store import get_store

    key = get_store().get(schema).key
    identity(key)  # a schema without identity fields cannot be exchanged
    return key


class MaskPlan:
    """Which paths of a schema's documents hold personal data, learned once per path and kept (no schema walk per
    field per record). A node answers for one instance path; list indices share a node (index i stands for
    ``min(i, cap)``, where ``cap`` is the longest ``prefixItems`` of the schema, so the answer is the same as
    :func:`hub.validation.privacy.is_personal` gives for the real index)."""

    __slots__ = ("_children", "_items", "_parts", "_plan_root", "personal")
    MAX_CHILDREN = 2000  # free-form maps (additionalProperties) would grow a node without bound: stop caching

    def __init__(self, root: PlanRoot, parts: tuple[Any, ...], personal: bool) -> None:
        self._plan_root, self._parts, self.personal = root, parts, personal
        self._children: dict[str, MaskPlan] = {}
        self._items: dict[int, MaskPlan] = {}

    def child(self, key: str) -> MaskPlan:
        node = self._children.get(key)
        if node is None:
            parts = (*self._parts, key)
            node = MaskPlan(self._plan_root, parts,
                            self.personal or is_personal(self._plan_root.schema, list(parts)))
            if len(self._children) < self.MAX_CHILDREN:
                self._children[key] = node
        return node

    def item(self, index: int) -> MaskPlan:
        index = min(index, self._plan_root.cap)
        node = self._items.get(index)
        if node is None:
            node = self._items[index] = MaskPlan(self._plan_root, (*self._parts, index), self.personal)
        return node


class PlanRoot:
    __slots__ = ("cap", "key_personal", "node", "schema")

    def __init__(self, schema: dict[str, Any], key_fields: list[str]) -> None:
        self.schema, self.cap = schema, _prefix_cap(schema)
        self.node = MaskPlan(self, (), False)
        self.key_personal = [is_personal(schema, f.split(".")) for f in key_fields]


def _prefix_cap(node: Any) -> int:
    if isinstance(node, dict):
        own = len(node["prefixItems"]) if isinstance(node.get("prefixItems"), list) else 0
        return max([own, *(_prefix_cap(v) for v in node.values())])
    if isinstance(node, list):
        return max([0, *(_prefix_cap(v) for v in node)])
    return 0


@lru_cache(maxsize=64)
def mask_plan(schema: str) -> PlanRoot:
    """The personal-data plan of ``schema`` (built once per process, filled as paths are met)."""
    return PlanRoot(_resolved(schema), list(identity(schema)["key"]))


def _mask(value: Any, plan: MaskPlan) -> Any:
    if isinstance(value, dict):
        return {k: _mask(v, plan.child(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, plan.item(i)) for i, v in enumerate(value)]
    if plan.personal and value is not None and not isinstance(value, bool):
        return mask_personal(str(value))
    if isinstance(value, str):
        return mask_text(value)
    return value


def present_document(schema: str, document: dict[str, Any], *, personal: bool) -> dict[str, Any]:
    """The document as a consumer without ``read_personal`` sees it: NIK, full NIP, phone, e-mail masked."""
    return document if personal else _mask(document, mask_plan(schema).node)


# -- masking stored JSON text without parsing it when nothing in it can need masking -------------------------------
# mask_text changes a text only if it has an "@", a run of 16 digits or "bearer"/"basic"; in stored JSON text
# (json.dumps: ASCII, every other character escaped) those show as themselves. Plain substring tests and one
# bytes.translate are used, not a regular expression: about 2 µs per document instead of about 50.
_DIGITS = bytes.maketrans(b"123456789", b"000000000")
_SIXTEEN = b"0" * 16
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


class TextPlan:
    """Per schema: the object keys under which a value can be personal (named like personal data, or a property
    whose subschema says ``x-personal-data``), looked for as ``"key"`` in the lowered JSON text (a superset: a value
    spelled like such a key only sends the document through the full mask). ``always`` when personal
    values can sit under keys nobody can name in advance (``x-personal-data`` at the root or under
    ``additionalProperties``/``patternProperties``): those documents are always parsed and masked."""

    __slots__ = ("always", "needles")

    def __init__(self, schema: dict[str, Any]) -> None:
        names: set[str] = set(PERSONAL_NAMES)
        self.always = _personal_names(schema, None, names, 0)
        self.needles = _needles(names)

    def untouched(self, raw: str) -> bool:
        """True when masking ``raw`` (a stored JSON document) would change nothing: no personal key in it and no
        text that :func:`hub.logging.mask_text` would change. Anything not plain ASCII (a Unicode digit or space
        could hide behind it) takes the full mask."""
        if self.always or not raw.isascii() or "@" in raw or "\\u" in raw:
            return False
        if _SIXTEEN in raw.encode("ascii").translate(_DIGITS):
            return False
        return not any(map(raw.lower().__contains__, self.needles))


def _needles(names: set[str]) -> tuple[str, ...]:
    """``name"`` for each key name (the end of a JSON key), dropping any that a shorter one already finds as its
    suffix (``nik"`` finds ``no_nik"`` and ``nomor_nik"``): fewer substring tests, still a superset."""
    ends = sorted({f'{n.lower()}"' for n in names}, key=len)
    kept: list[str] = []
    for end in ends:
        if not any(end.endswith(k) for k in kept):
            kept.append(end)
    return ("bearer", "basic", *kept)


def _personal_names(node: Any, name: str | None, names: set[str], depth: int) -> bool:
    """Collect into ``names`` the keys of personal subschemas below ``node``; True when one has no fixed key."""
    if depth > 64:
        return True  # a schema this deep is not walked further: treat every document as needing the full mask
    always = False
    if isinstance(node, dict):
        if node.get("x-personal-data") is True:
            if name is None:
                always = True
            else:
                names.add(name)
        for keyword, value in node.items():
            if keyword == "properties" and isinstance(value, dict):
                for prop, sub in value.items():
                    always |= _personal_names(sub, str(prop), names, depth + 1)
            elif keyword in ("additionalProperties", "patternProperties", "propertyNames", "unevaluatedProperties"):
                always |= _personal_names(value, None, names, depth + 1)
            elif isinstance(value, dict | list):
                always |= _personal_names(value, name, names, depth + 1)
    elif isinstance(node, list):
        for value in node:
            always |= _personal_names(value, name, names, depth + 1)
    return always


@lru_cache(maxsize=64)
def text_plan(schema: str) -> TextPlan:
    return TextPlan(_resolved(schema))


def present_document_json(schema: str, raw: str, *, personal: bool) -> str:
    """:func:`present_document` over stored JSON text: the text itself when nothing in it needs masking (no parse,
    no re-serialisation), else parsed, masked and written again."""
    if personal or text_plan(schema).untouched(raw):
        return raw
    return _dumps(_mask(json.loads(raw), mask_plan(schema).node))


def present_key(schema: str, key: str, *, personal: bool) -> str:
    if personal:
        return key
    parts = key.split(KEY_SEPARATOR)
    flags = mask_plan(schema).key_personal
    return KEY_SEPARATOR.join(mask_personal(p) if is_p else mask_text(p)
                              for is_p, p in zip(flags, parts, strict=False))


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()


def provenance(row: RecordRow) -> dict[str, Any]:
    return {"source_app": row.source_app, "source_resource": row.source_resource, "fetched_at": _iso(row.fetched_at),
            "content_hash": row.content_hash, "schema_version": row.schema_version, "sync_run": row.sync_run}


def present(row: RecordRow, *, personal: bool, findings: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    out = {"schema": row.schema_key, "key": present_key(row.schema_key, row.record_key, personal=personal),
           "version": row.version, "current": row.is_current, "kode_opd": row.kode_opd, "tahun": row.tahun,
           "data": present_document(row.schema_key, row.document, personal=personal), "provenance": provenance(row)}
    if findings is not None:
        out["findings"] = findings
    return out


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"r{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith("r"):
            raise ValueError(text)
        return int(text[1:])
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("exchange.bad_cursor") from None


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("exchange.bad_since", value=value) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_PAGE_COLUMNS = (RecordRow.id, RecordRow.schema_key, RecordRow.record_key, RecordRow.version, RecordRow.is_current,
                 RecordRow.kode_opd, RecordRow.tahun, cast(RecordRow.document, Text).label("document_text"),
                 RecordRow.source_app, RecordRow.source_resource, RecordRow.fetched_at, RecordRow.content_hash,
                 RecordRow.schema_version, RecordRow.sync_run)


def _jv(value: Any) -> str:
    """One JSON value exactly as ``_dumps`` writes it, without the encoder's set-up for the common column types."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is str:
        return _jstr(value)
    if type(value) is int:
        return int.__repr__(value)
    return _dumps(value)


_stamps: dict[tuple[datetime, Any], str] = {}


def _stamp(value: datetime | None) -> str:
    """``_jv(_iso(value))``, remembered: the versions of one sync batch share their ``fetched_at``."""
    if value is None:
        return "null"
    key = (value, value.utcoffset())  # equal instants at other offsets print otherwise
    text = _stamps.get(key)
    if text is None:
        if len(_stamps) >= 4096:
            _stamps.clear()
        text = _stamps[key] = _jv(_iso(value))
    return text


def _item_json(row: Any, data: str, personal: bool, findings: list[dict[str, Any]] | None) -> str:
    """One item of a page as JSON text, the same fields, order and bytes as ``_dumps`` of :func:`present`'s dict."""
    key = present_key(row.schema_key, row.record_key, personal=personal)
    tail = f',"findings":{_dumps(findings)}' if findings is not None else ""
    return (f'{{"schema":{_jv(row.schema_key)},"key":{_jv(key)},"version":{_jv(row.version)},'
            f'"current":{"true" if row.is_current else "false"},"kode_opd":{_jv(row.kode_opd)},'
            f'"tahun":{_jv(row.tahun)},"data":{data},"provenance":{{"source_app":{_jv(row.source_app)},'
            f'"source_resource":{_jv(row.source_resource)},"fetched_at":{_stamp(row.fetched_at)},'
            f'"content_hash":{_jv(row.content_hash)},"schema_version":{_jv(row.schema_version)},'
            f'"sync_run":{_jv(row.sync_run)}}}{tail}}}')


class ItemTexts:
    """Served item texts (findings aside), memoised per stored version. The key is *every* value the text is made
    of (:func:`_memo_key`: the page query's whole row — id, key, version, current flag, OPD, year, the document's
    stored text, provenance — the types and UTC offset that make equal values print differently, and whether
    personal data is shown), and the text is a pure function of that key and the schema's plans, which the memo
    belongs to (new plan objects start an empty memo). So no entry can be stale: a version written by any process,
    a re-used id or a flipped ``is_current`` reads as another key — the page's SQL runs on every read, only the
    building of the text is skipped. Bounded by the characters held; when full the older half is dropped."""

    MAX_CHARS = 16_000_000  # item texts + their documents' texts held (≈ 8,000 items of 1 KB)

    def __init__(self) -> None:
        self._texts: dict[tuple[Any, ...], tuple[str, int]] = {}
        self._chars = 0
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> str | None:
        hit = self._texts.get(key)
        return hit[0] if hit is not None else None

    def put(self, key: tuple[Any, ...], text: str, size: int) -> None:
        with self._lock:
            if key in self._texts:
                return
            if self._chars + size > self.MAX_CHARS:
                kept = list(self._texts.items())[len(self._texts) // 2:]
                self._texts = dict(kept)
                self._chars = sum(n for _t, n in self._texts.values())
            self._texts[key] = (text, size)
            self._chars += size

    def __len__(self) -> int:
        return len(self._texts)


def _memo_key(row: Any, personal: bool) -> tuple[Any, ...]:
    """The memo key of one page row: its values in _PAGE_COLUMNS order, plus what tells apart values that compare
    equal but print differently (2024 and 2024.0 or Decimal(2024); one instant at two UTC offsets)."""
    at = row.fetched_at
    return (personal, *row, type(row.version), type(row.tahun), at.utcoffset() if at is not None else None)


@lru_cache(maxsize=64)
def _item_texts(schema: str, text: TextPlan, mask: PlanRoot) -> ItemTexts:
    return ItemTexts()


def item_texts(schema: str) -> ItemTexts:
    """The memo of ``schema``'s item texts, tied to its current plans."""
    return _item_texts(schema, text_plan(schema), mask_plan(schema))


def _page_items(schema: str, rows: list[Any], personal: bool) -> list[str]:
    memo = item_texts(schema)
    items = []
    for r in rows:
        key = _memo_key(r, personal)
        text = memo.get(key)
        if text is None:
            text = _item_json(r, present_document_json(schema, r.document_text, personal=personal), personal, None)
            memo.put(key, text, len(text) + len(r.document_text))
        items.append(text)
    return items


def list_records_json(schema: str, *, db: Database | None = None, cursor: str | None = None,
                      since: str | None = None, kode_opd: str | None = None, tahun: int | None = None,
                      limit: int = 100, personal: bool = False, with_findings: bool = False) -> tuple[str, int]:
    """A page of current records as JSON text, and its count. The stored documents are read as text and passed
    through untouched when nothing in them needs masking (:class:`TextPlan`): no ORM objects, no parse and no
    re-serialisation of the documents."""
    schema = resolve_schema(schema)
    limit = max(1, min(limit, MAX_LIMIT))
    q = select(*_PAGE_COLUMNS).where(RecordRow.schema_key == schema, RecordRow.is_current == true())
    if cursor:
        q = q.where(RecordRow.id > decode_cursor(cursor))
    stamp = _since(since)
    if stamp is not None:
        q = q.where(RecordRow.fetched_at >= stamp)
    if kode_opd:
        q = q.where(RecordRow.kode_opd == kode_opd)
    if tahun is not None:
        q = q.where(RecordRow.tahun == tahun)
    with database(db).session() as s:
        rows = list(s.execute(q.order_by(RecordRow.id).limit(limit + 1)))
        more = len(rows) > limit
        rows = rows[:limit]
        if with_findings:
            checker = ReferenceChecker(s, schema)
            items = [_item_json(r, present_document_json(schema, r.document_text, personal=personal), personal,
                                checker.findings(json.loads(r.document_text))) for r in rows]
        else:
            items = _page_items(schema, rows, personal)
    last = rows[-1].id if rows else (decode_cursor(cursor) if cursor else 0)
    # next_cursor is always given (also on the last page): keep it and ask again later for what changed since.
    text = (f'{{"schema":{_dumps(schema)},"items":[{",".join(items)}],"count":{len(items)},'
            f'"has_more":{"true" if more else "false"},"next_cursor":{_dumps(encode_cursor(last))}}}')
    return text, len(items)


def list_records(schema: str, *, db: Database | None = None, cursor: str | None = None, since: str | None = None,
                 kode_opd: str | None = None, tahun: int | None = None, limit: int = 100, personal: bool = False,
                 with_findings: bool = False) -> dict[str, Any]:
    """:func:`list_records_json` as a dict (the CLI, the web pages, tests): exactly what the API sends."""
    text, _ = list_records_json(schema, db=db, cursor=cursor, since=since, kode_opd=kode_opd, tahun=tahun,
                                limit=limit, personal=personal, with_findings=with_findings)
    return json.loads(text)


def _find(s: Any, schema: str, key: str) -> list[RecordRow]:
    rows = list(s.execute(select(RecordRow).where(RecordRow.schema_key == schema, RecordRow.record_key == key)
                          .order_by(RecordRow.version.desc())).scalars())
    if not rows:
        raise NotFound("exchange.record_not_found", schema=schema, key=mask_text(key))
    return rows


def get_record(schema: str, key: str, *, db: Database | None = None, personal: bool = False,
               versions: bool = False) -> dict[str, Any]:
    schema = resolve_schema(schema)
    with database(db).session() as s:
        rows = _find(s, schema, key)
        current = rows[0]
        out = present(current, personal=personal, findings=ReferenceChecker(s, schema).findings(current.document))
        out["versions"] = [{"version": r.version, "content_hash": r.content_hash, "fetched_at": _iso(r.fetched_at),
                            "source_app": r.source_app, "sync_run": r.sync_run,
                            **({"data": present_document(schema, r.document, personal=personal)} if versions else {})}
                           for r in rows]
        return out


def findings(schema: str, *, db: Database | None = None, tahun: int | None = None, kode_opd: str | None = None,
             limit: int = 1000, personal: bool = False) -> dict[str, Any]:
    """Every current record of ``schema`` with at least one reference finding (up to ``limit``)."""
    schema = resolve_schema(schema)
    out: list[dict[str, Any]] = []
    checked = 0
    with database(db).session() as s:
        checker = ReferenceChecker(s, schema)
        q = select(RecordRow).where(RecordRow.schema_key == schema, RecordRow.is_current == true())
        if tahun is not None:
            q = q.where(RecordRow.tahun == tahun)
        if kode_opd:
            q = q.where(RecordRow.kode_opd == kode_opd)
        for row in s.execute(q.order_by(RecordRow.id).execution_options(yield_per=500)).scalars():
            checked += 1
            found = checker.findings(row.document)
            if found and len(out) < limit:
                out.append({"key": present_key(schema, row.record_key, personal=personal), "findings": found,
                            "source_app": row.source_app})
    return {"schema": schema, "checked": checked, "with_findings": len(out), "items": out}


def quarantine(*, db: Database | None = None, app: str | None = None, schema: str | None = None,
               include_resolved: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    with database(db).session() as s:
        q = select(QuarantineRow).order_by(QuarantineRow.id.desc()).limit(max(1, min(limit, MAX_LIMIT)))
        if app:
            q = q.where(QuarantineRow.source_app == app)
        if schema:
            q = q.where(QuarantineRow.schema_key == schema)
        if not include_resolved:
            q = q.where(QuarantineRow.resolved_at.is_(None))
        rows = list(s.execute(q).scalars())
    return [{"id": r.id, "source_app": r.source_app, "source_resource": r.source_resource, "schema": r.schema_key,
             "key": mask_text(r.record_key) if r.record_key else None, "kind": r.kind, "report": r.report,
             "fetched_at": _iso(r.fetched_at), "resolved_at": _iso(r.resolved_at)} for r in rows]
