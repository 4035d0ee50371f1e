"""Plain-language messages, per JSON Schema keyword, in Bahasa Indonesia and English.

:func:`explain` turns one python-jsonschema error into one or more :class:`Explained` issues: a rule id
(``schema:<keyword>``), a JSON Pointer, the value (masked when personal) and ``{id, en}`` text from
``hub/i18n/catalog/validation.yaml``. For ``oneOf``/``anyOf`` it explains the most relevant underlying error
(python-jsonschema's ``best_match``) instead of a wall of alternatives. Messages say what is expected, using
the schema's own title, description and ``examples``, and suggest a fix where one is likely (the closest known
field name, a date rewritten as YYYY-MM-DD, a number without ``Rp`` and thousands separators).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match

from hub.i18n import LANGS, catalog, t
from hub.logging import mask_text
from hub.validation.engine import rs_accepts
from hub.validation.privacy import PathPart, is_personal, mask_personal, safe_value, shown, subschema_at
from hub.validation.report import Message
from hub.validation.rs_errors import RsError, Undescribed

Texts = dict[str, str]


@dataclass
class Explained:
    rule: str
    pointer: str
    value: Any
    message: Texts
    model: Any = field(default=None, compare=False, repr=False)
    """The report's ``Message`` of ``message``, made once and shared by every issue it explains (never mutated)."""


@lru_cache(maxsize=1024)
def placeholders(key: str, lang: str) -> frozenset[str]:
    """The ``{names}`` a catalog message uses (read once per message and language)."""
    text = catalog().get(key, {}).get(lang, "")
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name)


@lru_cache(maxsize=1024)
def _word(key: str, lang: str) -> str:
    """A catalog text without placeholders (type names, "atau"/"or"): looked up once per process."""
    return t(key, lang)


def pointer_of(parts: Sequence[PathPart]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def field_label(parts: Sequence[PathPart], lang: str) -> str:
    """``["indikator", 1, "target"]`` → ``indikator[1].target``; the root is ``dokumen``/``document``."""
    return _field_label(tuple(parts), lang)


@lru_cache(maxsize=8192)
def _field_label(parts: tuple[PathPart, ...], lang: str) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or _word("validation.word.document", lang)


def _local(node: dict[str, Any] | None, what: str, lang: str) -> str:
    """``title``/``description`` of a schema node in ``lang`` (``x-title-en`` / ``x-description-en``)."""
    if not isinstance(node, dict):
        return ""
    text = node.get(f"x-{what}-en") if lang == "en" else None
    text = text or node.get(what) or ""
    return str(text).strip()


def _join(values: Sequence[str], lang: str, limit: int = 12) -> str:
    if len(values) > limit:
        return ", ".join(values[:limit]) + ", …"
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + f" {_word('validation.word.or', lang)} " + values[-1]


def _norm(text: str) -> str:
    return re.sub(r"[\s_\-.]", "", text).lower()


def _same_code(word: str, pool: Sequence[str]) -> str | None:
    """The allowed value ``word`` was meant to be, when only case, spaces, ``_``, ``-`` or ``.`` differ."""
    return next((cand for cand in pool if _norm(cand) == _norm(word)), None)


def _closest(word: str, pool: Sequence[str]) -> str | None:
    """The known field name closest to a typo (``unitkerja`` → ``unit_kerja``, ``nama_kegiaan`` → …)."""
    same = _same_code(word, pool)
    if same:
        return same
    close = difflib.get_close_matches(word, list(pool), n=1, cutoff=0.6)
    return close[0] if close else None


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return "null"


class _Ctx:
    """What every keyword explainer needs about one error (the costly parts only when a message uses them)."""

    def __init__(self, err: ValidationError | RsError, root: dict[str, Any]):
        self.err = err
        self.root = root
        self.parts: list[PathPart] = list(err.absolute_path)

    @cached_property
    def personal(self) -> bool:
        return is_personal(self.root, self.parts)

    @cached_property
    def value(self) -> Any:
        return safe_value(self.err.instance, self.root, self.parts)

    @cached_property
    def nodes(self) -> list[dict[str, Any]]:
        node = self.err.schema if isinstance(self.err.schema, dict) else None
        return [n for n in (node, subschema_at(self.root, self.parts)) if isinstance(n, dict)]

    def meta(self, what: str, lang: str) -> str:
        for node in self.nodes:
            text = _local(node, what, lang)
            if text:
                return text
        return ""

    def example(self) -> Any:
        for node in self.nodes:
            examples = node.get("examples")
            if isinstance(examples, list) and examples:
                return examples[0]
        return None

    def texts(self, key: str, hints: Sequence[tuple[str, dict[str, Any]]] = (),
              lang_params: Callable[[str], dict[str, Any]] | None = None, **params: Any) -> Texts:
        out: Texts = {}
        for lang in LANGS:
            full = {"field": field_label(self.parts, lang), **params}
            if "value" in placeholders(key, lang):
                full.setdefault("value", shown(self.value))
            if lang_params:
                full.update(lang_params(lang))
            text = t(key, lang, **full)
            for hint_key, hint_params in hints:
                text += " " + t(hint_key, lang, **hint_params)
            out[lang] = text
        return out

    def one(self, key: str, **kw: Any) -> list[Explained]:
        rule = "schema:" + str(self.err.validator)
        return [Explained(rule, pointer_of(self.parts), self.value, self.texts(key, **kw))]


# --- keyword explainers ------------------------------------------------------------------------------------------

def _required(c: _Ctx) -> list[Explained]:
    names = [p for p in c.err.validator_value if c.err.message == f"{p!r} is a required property"]
    name = names[0] if names else str(c.err.message).split("'")[1 if "'" in c.err.message else 0]
    parts = [*c.parts, name]
    node = subschema_at(c.root, parts)

    def params(lang: str) -> dict[str, Any]:
        title = _local(node, "title", lang)
        return {"title": f" ({title})" if title and title.lower() != name.lower() else "",
                "parent": field_label(c.parts, lang)}

    key = "validation.required.nested" if c.parts else "validation.required"
    texts = c.texts(key, lang_params=params, name=name)
    return [Explained("schema:required", pointer_of(parts), None, texts)]


def _shorten(text: str, limit: int = 160) -> str:
    """Whole sentences up to ``limit`` characters (else whole words and an ellipsis)."""
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    if cut > 40:
        return text[: cut + 1]
    return text[: text.rfind(" ", 0, limit)].rstrip(",;:") + " …"


_RP = re.compile(r"(?i)^\s*rp\.?\s*")
_THOUSANDS = re.compile(r"-?\d{1,3}(\.\d{3})+(,\d+)?")
_DECIMAL_COMMA = re.compile(r"-?\d+,\d+")
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _number_hint(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = _RP.sub("", value).strip()
    if _THOUSANDS.fullmatch(text):  # Indonesian thousands: 1.500.000,50
        text = text.replace(".", "").replace(",", ".")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    text = text.replace(" ", "")
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    return None


@lru_cache(maxsize=256)
def _expected_types(wanted: tuple[str, ...], lang: str) -> str:
    return _join([_word(f"validation.type.{w}", lang) for w in wanted], lang)


def _type(c: _Ctx) -> list[Explained]:
    expected = c.err.validator_value
    wanted = expected if isinstance(expected, list) else [expected]
    raw = c.err.instance
    hints: list[tuple[str, dict[str, Any]]] = []
    if {"integer", "number"} & set(wanted) and (number := _number_hint(raw)) is not None and not c.personal:
        plain = isinstance(raw, str) and raw.strip() == number
        hints.append(("validation.type.hint.unquote" if plain else "validation.type.hint.number",
                      {"suggestion": number}))
    elif "string" in wanted and isinstance(raw, int | float) and not isinstance(raw, bool):
        hints.append(("validation.type.hint.quote", {"suggestion": shown(c.value)}))
    elif "boolean" in wanted and isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        hints.append(("validation.type.hint.boolean", {}))

    def params(lang: str) -> dict[str, Any]:
        return {"expected": _expected_types(tuple(wanted), lang),
                "actual": _word(f"validation.kind.{_kind(raw)}", lang), "value": shown(c.value, as_json=True)}

    return c.one("validation.type", hints=hints, lang_params=params)


#: Fill a message template with the value instead of rendering the message again (``False``: always render; the
#: bench and the tests compare both ways, byte for byte).
TEMPLATES = True
_SLOT_VALUE, _SLOT_SUGGESTION = "\x00value\x00", "\x00suggestion\x00"
#: (place, expected types, kind, hint) → (the schema node and the resolved schema, kept alive; texts with slots)
_TYPE_TEMPLATES: dict[tuple[Any, ...], tuple[Any, Texts | None, Any]] = {}
_PERSONAL: dict[tuple[int, tuple[PathPart, ...]], tuple[Any, bool]] = {}  # (id(root), parts) → (root, personal)


def _personal_at(root: Any, parts: tuple[PathPart, ...]) -> bool:
    """:func:`is_personal`, remembered per resolved schema and path."""
    found = _PERSONAL.get((id(root), parts))
    if found is not None and found[0] is root:
        return found[1]
    personal = is_personal(root, parts)
    if len(_PERSONAL) >= 8192:
        _PERSONAL.clear()
    _PERSONAL[(id(root), parts)] = (root, personal)
    return personal


def _type_template(err: ValidationError | RsError, root: dict[str, Any]) -> list[Explained] | None:
    """A ``type`` error on a plain, non-personal value: the message of its place, kind and hint, rendered once with
    slots and filled with this value (what :func:`_type` writes, byte for byte); ``None``: let :func:`_type` do it."""
    raw = err.instance
    if type(raw) not in (str, int, float) or not isinstance(err.schema, dict):
        return None
    parts = tuple(err.absolute_path)
    if _personal_at(root, parts):
        return None
    expected = err.validator_value
    wanted = tuple(expected) if isinstance(expected, list) else (expected,)
    value: Any = raw
    if isinstance(raw, str):
        value = mask_text(raw)
        value = value if len(value) <= 200 else value[:199] + "…"
    hint, suggestion = None, ""
    if {"integer", "number"} & set(wanted) and (number := _number_hint(raw)) is not None:
        plain = isinstance(raw, str) and raw.strip() == number
        hint, suggestion = ("validation.type.hint.unquote" if plain else "validation.type.hint.number"), number
    elif "string" in wanted and isinstance(raw, int | float):
        hint, suggestion = "validation.type.hint.quote", shown(value)
    elif "boolean" in wanted and isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        hint = "validation.type.hint.boolean"
    kind = _kind(raw)
    key = (id(err.schema), id(root), parts, wanted, kind, hint)
    found = _TYPE_TEMPLATES.get(key)
    if found is None or found[0] is not err.schema or found[2] is not root:
        texts: Texts | None = {}
        for lang in LANGS:
            text = t("validation.type", lang, field=field_label(parts, lang), expected=_expected_types(wanted, lang),
                     actual=_word(f"validation.kind.{kind}", lang), value=_SLOT_VALUE)
            if hint is not None:
                text += " " + (t(hint, lang, suggestion=_SLOT_SUGGESTION) if suggestion else t(hint, lang))
            if text.count(_SLOT_VALUE) != 1 or text.count(_SLOT_SUGGESTION) != (1 if suggestion else 0):
                texts = None  # a slot the message does not have once (or a field name that looks like one)
                break
            texts[lang] = text  # type: ignore[index]
        if len(_TYPE_TEMPLATES) >= 4096:
            _TYPE_TEMPLATES.clear()
        found = _TYPE_TEMPLATES[key] = (err.schema, texts, root)
    template = found[1]
    if template is None:
        return None
    value_text = shown(value, as_json=True)
    filled = {lang: text.replace(_SLOT_VALUE, value_text).replace(_SLOT_SUGGESTION, suggestion)
              for lang, text in template.items()}
    return [Explained("schema:type", pointer_of(parts), value, filled)]


def _enum(c: _Ctx) -> list[Explained]:
    allowed = [shown(v) for v in c.err.validator_value]
    hints = []
    if isinstance(c.err.instance, str) and not c.personal:
        # only spelling variants: a "close" but different code (I/e → IV/e) would be a wrong fix
        close = _same_code(c.err.instance, [v for v in c.err.validator_value if isinstance(v, str)])
        if close:
            hints.append(("validation.hint.did_you_mean", {"suggestion": close}))
    return c.one("validation.enum", hints=hints, lang_params=lambda lang: {"allowed": _join(allowed, lang)})


def _const(c: _Ctx) -> list[Explained]:
    return c.one("validation.const", expected=shown(c.err.validator_value, as_json=True))


def _remove_spaces(c: _Ctx) -> str | None:
    """The value without spaces, dots and hyphens as a message shows it, when that is what the pattern wants."""
    raw = c.err.instance
    if isinstance(raw, str):
        stripped = re.sub(r"[\s.\-]", "", raw)
        if stripped != raw and rs_accepts("pattern", c.err.validator_value, stripped):
            return shown(safe_value(stripped, c.root, c.parts))
    return None


def _pattern(c: _Ctx, remove_spaces: str | bool | None = True) -> list[Explained]:
    """``remove_spaces``: the suggestion, already known (``None``: none); ``True``: work it out from the value."""
    pattern = c.err.validator_value
    hints: list[tuple[str, dict[str, Any]]] = []
    suggestion = _remove_spaces(c) if remove_spaces is True else remove_spaces
    if isinstance(suggestion, str):
        hints.append(("validation.hint.remove_spaces", {"suggestion": suggestion}))
    example = c.example()
    if example is not None:
        hints.append(("validation.hint.example", {"example": shown(example)}))

    def params(lang: str) -> dict[str, Any]:
        expected = _shorten(c.meta("description", lang) or c.meta("title", lang))
        expected = expected.rstrip(".") if expected else t("validation.pattern.expected", lang, pattern=pattern)
        return {"expected": expected}

    return c.one("validation.pattern", hints=hints, lang_params=params)


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


def _date_fix(value: str) -> str | None:
    match = _DMY.match(value.strip())
    candidate = None
    if match:
        day, month, year = (int(g) for g in match.groups())
        candidate = (year, month, day)
    elif re.match(r"^\d{4}-\d{2}-\d{2}[T ]", value):
        y, m, d = value[:10].split("-")
        candidate = (int(y), int(m), int(d))
    if candidate:
        try:
            return dt.date(*candidate).isoformat()
        except ValueError:
            return None
    return None


def _format_plan(fmt: str, raw: Any) -> tuple[str, str]:
    """The message key of a ``format`` error and the correction it suggests (``""``: none), from the value."""
    key = f"validation.format.{fmt}"
    suggestion = ""
    if fmt == "date" and isinstance(raw, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            key = "validation.format.date_impossible"
        elif (fix := _date_fix(raw)) is not None:
            suggestion = fix
    elif fmt == "date-time" and isinstance(raw, str):
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?", raw.strip()):
            suggestion = raw.strip().replace(" ", "T") + (":00" if raw.count(":") == 1 else "") + "+07:00"
    elif fmt in ("uri", "iri", "uri-reference") and isinstance(raw, str) and re.match(r"^[\w.-]+\.\w{2,}(/|$)", raw):
        suggestion = "https://" + raw
    if fmt in ("iri", "uri-reference", "iri-reference"):
        key = "validation.format.uri"
    if key not in catalog():
        key = "validation.format.other"
    return key, suggestion


def _format(c: _Ctx, plan: tuple[str, str] | None = None) -> list[Explained]:
    fmt = str(c.err.validator_value)
    key, suggestion = _format_plan(fmt, c.err.instance) if plan is None else plan
    hints = [("validation.hint.did_you_mean", {"suggestion": suggestion})] if suggestion else []
    return c.one(key, hints=hints, format=fmt)


_TEMPLATES: dict[tuple[Any, ...], tuple[Any, Any, Texts | None]] = {}  # → (schema node, resolved schema; texts)


def _filled(key: tuple[Any, ...], err: ValidationError | RsError, root: dict[str, Any], value: Any,
            suggestion: str | None, personal: bool,
            render: Callable[[_Ctx, str | None], list[Explained]]) -> list[Explained] | None:
    """The one issue of a ``pattern``/``format`` error, from the template of its place and kind of message.

    The template is what the keyword's explainer writes with the value (and the suggestion, if any) replaced by a
    slot, rendered once; filling it gives the explainer's text byte for byte, since the catalog inserts both as
    plain text. ``None`` when the template does not hold each slot exactly once (the caller renders in full)."""
    found = _TEMPLATES.get(key)
    if found is None or found[0] is not err.schema or found[1] is not root:
        ctx = _Ctx(err, root)
        ctx.__dict__["value"] = _SLOT_VALUE  # the cached property, preset
        ctx.__dict__["personal"] = personal
        out = render(ctx, None if suggestion is None else _SLOT_SUGGESTION)
        texts: Texts | None = dict(out[0].message) if len(out) == 1 else None
        if texts is not None and any(text.count(_SLOT_VALUE) != 1 or text.count(_SLOT_SUGGESTION) != (
                0 if suggestion is None else 1) for text in texts.values()):
            texts = None
        if len(_TEMPLATES) >= 4096:
            _TEMPLATES.clear()
        found = _TEMPLATES[key] = (err.schema, root, texts)
    template = found[2]
    if template is None:
        return None
    value_text = shown(value)
    message = {lang: text.replace(_SLOT_VALUE, value_text).replace(_SLOT_SUGGESTION, suggestion or "")
               for lang, text in template.items()}
    return [Explained("schema:" + str(err.validator), pointer_of(err.absolute_path), value, message)]


def _value_template(err: ValidationError | RsError, root: dict[str, Any]) -> list[Explained] | None:
    """A ``pattern``/``format`` error on a text, from its template; ``None``: render in full."""
    raw = err.instance
    if type(raw) is not str or "\x00" in raw or not isinstance(err.schema, dict):  # a slot's mark in the value
        return None
    parts = tuple(err.absolute_path)
    personal = _personal_at(root, parts)
    mask = mask_personal if personal else mask_text  # what safe_value does to a text at this place
    value = mask(raw)
    value = value if len(value) <= 200 else value[:199] + "…"
    if err.validator == "pattern":
        stripped = re.sub(r"[\s.\-]", "", raw)
        suggestion: str | None = None
        if stripped != raw and rs_accepts("pattern", err.validator_value, stripped):
            fix = mask(stripped)
            suggestion = shown(fix if len(fix) <= 200 else fix[:199] + "…")
        return _filled(("pattern", id(err.schema), id(root), parts, suggestion is None), err, root, value,
                       suggestion, personal, lambda c, slot: _pattern(c, slot))
    fmt = str(err.validator_value)
    key, fix = _format_plan(fmt, raw)
    return _filled(("format", id(err.schema), id(root), parts, key, not fix), err, root, value, fix or None,
                   personal, lambda c, slot: _format(c, (key, slot or "")))


def _limit(key: str, actual: Callable[[Any], Any] | None = None) -> Callable[[_Ctx], list[Explained]]:
    def explain_limit(c: _Ctx) -> list[Explained]:
        params: dict[str, Any] = {"limit": shown(c.err.validator_value)}
        if actual is not None:
            params["actual"] = actual(c.err.instance)
        return c.one(key, **params)

    return explain_limit


_DECLARED: dict[int, tuple[Any, list[str]]] = {}  # id(schema node) → (the node, kept alive; its names)


def _object_properties(node: Any) -> list[str]:
    """Property names a schema node declares, including those of its ``allOf``/``anyOf``/``oneOf`` branches."""
    if not isinstance(node, dict):
        return []
    found = _DECLARED.get(id(node))
    if found is not None and found[0] is node:
        return list(found[1])
    names = _declared(node)
    if len(_DECLARED) >= 4096:
        _DECLARED.clear()
    _DECLARED[id(node)] = (node, names)
    return list(names)


def _declared(node: Any) -> list[str]:
    if not isinstance(node, dict):
        return []
    names = list(node.get("properties") or {})
    for keyword in ("allOf", "anyOf", "oneOf"):
        for branch in node.get(keyword) or ():
            names += _declared(branch)
    for keyword in ("if", "then", "else"):
        names += _declared(node.get(keyword))
    return list(dict.fromkeys(names))


#: (id(schema node), place, unknown name, the declared names the object lacks) → (the node, kept alive; pointer,
#: texts, their report ``Message``): an unknown field's message depends on nothing else
_UNKNOWN: dict[tuple[Any, ...], tuple[Any, str, Texts, Message]] = {}
MAX_REMEMBERED_NAME = 256  # a longer unknown name is explained every time: 4,096 entries stay small


def _unknown_fields(c: _Ctx, remember: bool = False) -> list[Explained]:
    """``remember``: take each unknown field's message from :data:`_UNKNOWN` (rendered by this same code the first
    time its place, name and lacking declared names are met: the closest name is a ``difflib`` search)."""
    instance = c.err.instance if isinstance(c.err.instance, dict) else {}
    schema = c.err.schema if isinstance(c.err.schema, dict) else {}
    known = _object_properties(schema)
    if c.err.validator == "additionalProperties":
        own = schema.get("properties") or {}
        patterns = schema.get("patternProperties") or {}
        extras = [k for k in instance if k not in own and not any(rs_accepts("pattern", p, k) for p in patterns)]
    else:
        extras = [k for k in instance if k not in known and repr(k) in str(c.err.message)]
        extras = extras or [k for k in instance if k not in known]
    free = [k for k in known if k not in instance]

    def params(lang: str) -> dict[str, Any]:
        where = t("validation.where", lang, parent=field_label(c.parts, lang)) if c.parts else ""
        return {"where": where}

    def texts_of(extra: str) -> Texts:
        close = _closest(extra, free) or _closest(extra, known)
        hints = [("validation.hint.did_you_mean", {"suggestion": close})] if close else []
        return c.texts("validation.additionalProperties", hints=hints, lang_params=params, name=extra)

    rule = "schema:" + str(c.err.validator)
    out = []
    for extra in extras:
        parts = [*c.parts, extra]
        value = safe_value(instance.get(extra), c.root, parts)
        if not remember or len(extra) > MAX_REMEMBERED_NAME:
            out.append(Explained(rule, pointer_of(parts), value, texts_of(extra)))
            continue
        key = (id(c.err.schema), tuple(c.parts), extra, tuple(free))
        found = _UNKNOWN.get(key)
        if found is None or found[0] is not c.err.schema:
            texts = texts_of(extra)
            if len(_UNKNOWN) >= 4096:
                _UNKNOWN.clear()
            found = _UNKNOWN[key] = (c.err.schema, pointer_of(parts), texts, Message(**texts))
        out.append(Explained(rule, found[1], value, found[2], found[3]))
    return out or _generic(c)


def _unknown_remembered(c: _Ctx) -> list[Explained]:
    return _unknown_fields(c, remember=True)


def _dependent_required(c: _Ctx) -> list[Explained]:
    trigger, name = "", ""
    for prop, deps in (c.err.validator_value or {}).items():
        for dep in deps:
            if c.err.message == f"{dep!r} is a dependency of {prop!r}":
                trigger, name = prop, dep
    parts = [*c.parts, name]

    def params(lang: str) -> dict[str, Any]:
        where = t("validation.where", lang, parent=field_label(c.parts, lang)) if c.parts else ""
        return {"where": where}

    texts = c.texts("validation.dependentRequired", lang_params=params, trigger=trigger, name=name)
    return [Explained("schema:dependentRequired", pointer_of(parts), None, texts)]


def _one_of(c: _Ctx) -> list[Explained]:
    many = c.err.validator == "oneOf" and not c.err.context
    return c.one("validation.oneOf.many" if many else "validation.oneOf.none")


def _generic(c: _Ctx) -> list[Explained]:
    if isinstance(c.err, RsError):
        raise Undescribed("generic")  # python-jsonschema's own text is part of this message
    detail = str(c.err.message)
    detail = "…" if c.personal else mask_text(detail if len(detail) <= 200 else detail[:199] + "…")
    return c.one("validation.generic", keyword=str(c.err.validator), detail=detail)


_EXPLAIN: dict[Any, Callable[[_Ctx], list[Explained]]] = {
    "required": _required,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "pattern": _pattern,
    "format": _format,
    "minimum": _limit("validation.minimum"),
    "maximum": _limit("validation.maximum"),
    "exclusiveMinimum": _limit("validation.exclusiveMinimum"),
    "exclusiveMaximum": _limit("validation.exclusiveMaximum"),
    "multipleOf": _limit("validation.multipleOf"),
    "minLength": _limit("validation.minLength", len),
    "maxLength": _limit("validation.maxLength", len),
    "minItems": _limit("validation.minItems", len),
    "maxItems": _limit("validation.maxItems", len),
    "uniqueItems": _limit("validation.uniqueItems"),
    "minProperties": _limit("validation.minProperties"),
    "maxProperties": _limit("validation.maxProperties"),
    "additionalProperties": _unknown_fields,
    "unevaluatedProperties": _unknown_fields,
    "dependentRequired": _dependent_required,
    "contains": _limit("validation.contains"),
    "minContains": _limit("validation.contains"),
    "not": lambda c: c.one("validation.not"),
    None: lambda c: [Explained("schema:false", pointer_of(c.parts), c.value, c.texts("validation.false"))],
    "oneOf": _one_of,
    "anyOf": _one_of,
}


def most_relevant(err: ValidationError) -> ValidationError:
    """For ``oneOf``/``anyOf`` the underlying error that best says what to fix; otherwise ``err`` itself."""
    if err.validator in ("oneOf", "anyOf") and err.context:
        return best_match([err]) or err
    return err


def explain(err: ValidationError | RsError, root: dict[str, Any]) -> list[Explained]:
    """Plain-language issues for one error (``root``: the resolved schema).

    ``err`` is a python-jsonschema error or a described jsonschema-rs one; for the latter an explainer that
    cannot finish raises :class:`Undescribed`, so the caller asks python-jsonschema instead.
    """
    err = most_relevant(err) if isinstance(err, ValidationError) else err
    if TEMPLATES and err.validator in ("type", "pattern", "format"):
        try:
            quick = _type_template(err, root) if err.validator == "type" else _value_template(err, root)
        except Exception:  # the full explainer below says what is wrong, or falls back as it always does
            quick = None
        if quick is not None:
            return quick
    ctx = _Ctx(err, root)
    handler = _EXPLAIN.get(err.validator, _generic)
    if TEMPLATES and err.validator == "additionalProperties":
        handler = _unknown_remembered
    try:
        return handler(ctx)
    except Exception as exc:  # an explainer must never hide the error itself
        if isinstance(err, RsError):
            raise Undescribed(str(exc)) from exc
        return _generic(ctx)
