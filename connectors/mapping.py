"""Declarative mapping from an application's records to a canonical schema (YAML, no Python).

```yaml
schema: kepegawaian/pegawai
resource: pegawai
fields:
  nip: {from: pegawai.data.nip_baru, code: {remove_spaces: true}}
  nama: nama_lengkap                                   # shorthand: the source path
  jenis_kelamin: {from: jk, map: {Laki-laki: L, Perempuan: P}}
  tanggal_lahir: {from: tgl_lahir, date: {from: "%d-%m-%Y"}}
  jabatan.nama: jabatan                                # nested target path
  kode_pemda: {const: "35.72"}
  kode_sub_kegiatan: {from: kode, code: "#.##.##.#.##.####"}
  subjek: {from: subjek, split: ";"}
  indikator: {from: indikator, each: {uraian: nama, target: {from: nilai, type: number}, satuan: satuan}}
  status_kepegawaian: {from: status, default: aktif, map: {AKTIF: aktif}, map_unknown: keep}
  tanggal_lahir: {from: nip, substr: "1-8", date: "%Y%m%d"}     # NIP positions 1-8 = yyyymmdd
  nama_lengkap: {from: [gelar_depan, nama, gelar_belakang], join: " "}
  url: {from: urlDownload, url_base: "https://jdih.kota.example/"}
  kode_sub_kegiatan: {from: kode, convert: sub_kegiatan_2digit}  # connectors/code_tables/*.yaml
  pagu: {from: pagu_ribuan, type: number, expr: "value * 1000"}   # simpleeval, never eval
  jenis_asn: {todo: "no source field matched"}                    # a draft: refused until resolved
```

Per field, in order: take the first non-empty source (or the ``const``); if empty use ``default``, else report it
when ``required``, else drop it (``drop_if_empty``, on by default; ``false`` writes ``null``); ``split`` text into a
list; then, on the value or each list item: trim → ``substr`` → ``map`` → ``convert`` → ``code`` → ``case`` →
``date``/``datetime`` → ``type`` → ``expr`` → ``prefix``/``suffix`` → ``url_base``; or ``each`` maps a list of
objects with a nested mapping. Problems of the mapping itself (a ``todo`` left by ``simpul mapping suggest``, an
expression that does not parse, an unknown conversion table) are all reported when it is loaded, with the file's
line. Every problem becomes a :class:`MappingError` naming the
target, the source field and the reason in Bahasa Indonesia and English; a record with errors has no document.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, Field, ValidationError, field_validator, model_validator

from connectors.config import StrictModel, field_errors
from connectors.errors import ConfigError, FieldError
from connectors.expressions import Expression, ExpressionError, compile_expr
from connectors.messages import message
from connectors.paths import get_path, set_path, split_path
from connectors.transforms import (
    COERCE,
    Invalid,
    TableError,
    apply_code,
    convert,
    join_url,
    load_table,
    lookup,
    substring,
    to_date,
    to_datetime,
    to_string,
)

_UNSET: Any = object()


class DateSpec(StrictModel):
    from_: str | list[str] = Field(default_factory=list, alias="from", description="strptime pattern(s)")
    to: str = Field("%Y-%m-%d", description="Output pattern (ISO date by default)")


class DateTimeSpec(StrictModel):
    from_: str | list[str] = Field(default_factory=list, alias="from")
    tz: str = Field("+07:00", description="Zone of naive values: +07:00, WIB, WITA, WIT, UTC")


class CodeSpec(StrictModel):
    pattern: str | None = Field(None, description="'#' per character, e.g. #.##.##.#.##.####")
    zfill: int | None = Field(None, ge=1, description="Pad with leading zeros to this width")
    case: Literal["upper", "lower"] | None = None
    remove_spaces: bool = False
    digits_only: bool = False


class SubstrSpec(StrictModel):
    start: int = Field(..., ge=1, description="First position (1-based, as regulations count: NIP 1-8)")
    end: int | None = Field(None, ge=1, description="Last position, inclusive (default: the end)")
    length: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _bounds(self) -> SubstrSpec:
        if self.length is not None:
            if self.end is not None:
                raise ValueError("give 'end' or 'length', not both")
            self.end = self.start + self.length - 1
        if self.end is not None and self.end < self.start:
            raise ValueError("'end' is before 'start'")
        return self


def _substr_shorthand(value: Any) -> Any:
    """``substr: "1-8"`` (positions 1 to 8), ``substr: 15`` (position 15 only), ``substr: [1, 8]``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return {"start": value, "end": value}
    if isinstance(value, list) and len(value) == 2:
        return {"start": value[0], "end": value[1]}
    if isinstance(value, str):
        start, sep, end = value.partition("-")
        if start.strip().isdigit() and (not sep or end.strip().isdigit() or not end.strip()):
            first = int(start)
            return {"start": first, "end": (int(end) if end.strip() else None) if sep else first}
    return value


class ConvertSpec(StrictModel):
    table: str = Field(..., description="Bundled table name (connectors/code_tables) or a YAML file")
    unknown: Literal["error", "keep", "null"] = "error"


def _shorthand(key: str) -> Any:
    """``date: "%d-%m-%Y"`` means ``date: {from: "%d-%m-%Y"}``; ``code: "#.##"`` means ``code: {pattern: "#.##"}``."""

    def expand(value: Any) -> Any:
        if value is None or isinstance(value, dict | BaseModel):
            return value
        if value is True:
            return {}
        if value is False:
            return None
        return {key: value}

    return expand


def _field_shorthand(value: Any) -> Any:
    return {"from": value} if isinstance(value, str) else value


FieldValue = Annotated["FieldSpec", BeforeValidator(_field_shorthand)]


def _known_normalise_kind(name: Any) -> Any:
    """``normalise: <kind>`` names a kind of hub/validation/normalise.yaml (the validator's own normaliser)."""
    from hub.validation import normalise

    if isinstance(name, str) and name not in normalise.kinds():
        raise ValueError(f"unknown normalise kind {name!r}; known: {', '.join(sorted(normalise.kinds()))}")
    return name


def _normalise_step(name: str) -> Callable[[Any, Any], Any]:
    """Rewrite a known display form to its normal form; anything else passes unchanged (the schema judges it)."""
    from hub.validation import normalise

    def step(value: Any, record: Any) -> Any:
        return normalise.normal_form(name, value) or value

    return step


class FieldSpec(StrictModel):
    from_: str | list[str] | None = Field(None, alias="from", description="Source path(s); the first non-empty")
    const: Any = _UNSET
    type: Literal["string", "int", "integer", "number", "bool", "boolean"] | None = None
    decimal: Literal[",", "."] | None = Field(None, description="Decimal separator of numbers in text")
    date: Annotated[DateSpec | None, BeforeValidator(_shorthand("from"))] = None
    datetime: Annotated[DateTimeSpec | None, BeforeValidator(_shorthand("from"))] = None
    code: Annotated[CodeSpec | None, BeforeValidator(_shorthand("pattern"))] = None
    case: Literal["upper", "lower", "title"] | None = None
    map: dict[str, Any] | None = None
    map_unknown: Literal["error", "keep", "null"] = "error"
    split: str | list[str] | None = Field(None, description="Separator, or several: any of them splits")
    join: str | None = Field(None, description="Join every non-empty 'from' source with this separator")
    substr: Annotated[SubstrSpec | None, BeforeValidator(_substr_shorthand)] = None
    convert: Annotated[ConvertSpec | None, BeforeValidator(_shorthand("table"))] = None
    expr: str | None = Field(None, description="simpleeval expression over value, record and its fields")
    prefix: str | None = None
    suffix: str | None = None
    url_base: str | None = Field(None, description="Make a relative link absolute against this URL")
    each: dict[str, FieldValue] | None = None
    default: Any = _UNSET
    required: bool = False
    drop_if_empty: bool | None = None
    todo: str | None = Field(None, description="Left by 'simpul mapping suggest': refused until resolved")
    normalise: Annotated[str | None, BeforeValidator(_known_normalise_kind)] = None

    @field_validator("map", mode="before")
    @classmethod
    def _text_keys(cls, value: Any) -> Any:
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if self.todo is not None:
            return self  # refused by the Mapper with the todo's own message
        has_from, has_const = self.from_ is not None, self.const is not _UNSET
        if (has_from and has_const) or not (has_from or has_const or self.expr is not None):
            raise ValueError("give exactly one of 'from', 'const' or 'expr'")
        if self.join is not None and not has_from:
            raise ValueError("'join' needs 'from'")
        return self


class MappingSpec(StrictModel):
    schema_key: str = Field(..., alias="schema", description="Canonical schema, e.g. kepegawaian/pegawai")
    resource: str | None = None
    description: str | None = None
    drop_empty: bool = True
    fields: dict[str, FieldValue]


@dataclass(frozen=True)
class MappingError:
    """Why one field of one record could not be mapped."""

    target: str
    source: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> dict[str, str]:
        return message(self.key, target=self.target, source=self.source or "-", **self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "source": self.source, "key": self.key, "message": self.message}


@dataclass
class MappingResult:
    document: dict[str, Any] | None
    errors: list[MappingError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _show(value: Any) -> str:
    """A value for a message: short, and long digit runs (NIK, NIP) masked."""
    text = str(value)
    text = re.sub(r"(?<!\d)(\d{4})\d{6,}(\d{2})(?!\d)", lambda m: m.group(1) + "…" + m.group(2), text)
    return text if len(text) <= 40 else text[:37] + "..."


def _empty(value: Any) -> bool:
    if value is None:
        return True
    kind = type(value)
    if kind is str:
        return not value.strip()
    if kind is list or kind is dict:
        return not value
    return False


class _Fail(Exception):
    def __init__(self, errors: list[MappingError]) -> None:
        self.errors = errors


Step = Callable[[Any, Any], Any]  # (value, record) -> value


@dataclass
class _Field:
    target: str
    parts: tuple[str, ...]
    sources: tuple[tuple[str, ...], ...]
    source_names: tuple[str, ...]
    spec: FieldSpec
    steps: list[Step]
    each: _Compiled | None
    drop: bool
    source_expr: Expression | None = None
    splitter: re.Pattern[str] | None = None


@dataclass
class _Loading:
    """Where a mapping comes from, and the problems found while compiling it (all reported at once)."""

    origin: str = "mapping"
    lines: dict[str, int] = field(default_factory=dict)
    base_dir: Path | None = None
    problems: list[FieldError] = field(default_factory=list)

    def where(self, target: str) -> str:
        line = self.lines.get(target)
        return f"{self.origin}:{line} fields.{target}" if line else f"{self.origin} fields.{target}"


class _Compiled:
    def __init__(self, fields: dict[str, FieldSpec], drop_empty: bool, loading: _Loading, at: str = "") -> None:
        self.fields = [f for f in (_compile(target, spec, drop_empty, loading, at)
                                   for target, spec in fields.items()) if f is not None]

    def apply(self, record: Any, at: str = "", src_at: str = "") -> tuple[dict[str, Any], list[MappingError]]:
        out: dict[str, Any] = {}
        errors: list[MappingError] = []
        for f in self.fields:
            try:
                present, value = _value(f, record, at, src_at)
            except _Fail as fail:
                errors.extend(fail.errors)
                continue
            if present:
                set_path(out, f.parts, value)
        return out, errors


def _trim(value: Any, record: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _compile(target: str, spec: FieldSpec, drop_empty: bool, loading: _Loading, at: str) -> _Field | None:
    where = at + target
    if spec.todo is not None:
        loading.problems.append(FieldError(loading.where(where), "mapping.todo", {"todo": spec.todo}))
        return None
    names = tuple([spec.from_] if isinstance(spec.from_, str) else (spec.from_ or []))
    steps: list[Step] = [_trim]
    if spec.substr is not None:
        sub = spec.substr
        steps.append(lambda v, r: substring(v, sub.start, sub.end))
    if spec.map is not None:
        table = spec.map
        steps.append(lambda v, r: lookup(v, table, spec.map_unknown))
    if spec.convert is not None:
        try:
            name, values = load_table(spec.convert.table, loading.base_dir)
        except TableError as exc:
            loading.problems.append(FieldError(loading.where(where), exc.key, exc.params))
        else:
            targets, unknown = frozenset(str(v) for v in values.values()), spec.convert.unknown
            steps.append(lambda v, r: convert(v, values, targets, name, unknown))
    if spec.code is not None:
        code = spec.code
        steps.append(lambda v, r: apply_code(v, pattern=code.pattern, zfill=code.zfill, case=code.case,
                                             remove_spaces=code.remove_spaces, digits_only=code.digits_only))
    if spec.case:
        steps.append(lambda v, r: getattr(v, spec.case)() if isinstance(v, str) else v)
    if spec.date is not None:
        d = spec.date
        formats = [d.from_] if isinstance(d.from_, str) else list(d.from_)
        steps.append(lambda v, r: to_date(v, formats, d.to))
    if spec.datetime is not None:
        dt = spec.datetime
        dformats = [dt.from_] if isinstance(dt.from_, str) else list(dt.from_)
        steps.append(lambda v, r: to_datetime(v, dformats, dt.tz))
    if spec.normalise is not None:
        steps.append(_normalise_step(spec.normalise))
    if spec.type is not None:
        coerce = COERCE[spec.type]
        steps.append(lambda v, r: coerce(v, spec.decimal))
    expression: Expression | None = None
    if spec.expr is not None:
        try:
            expression = compile_expr(spec.expr)
        except ExpressionError as exc:
            loading.problems.append(FieldError(loading.where(where), "mapping.bad_expr",
                                               {"expr": spec.expr, "detail": str(exc)}))
        if expression is not None and names:  # with a source, the expression transforms its value
            steps.append(expression.evaluate)
    if spec.prefix is not None or spec.suffix is not None:
        before, after = spec.prefix or "", spec.suffix or ""
        steps.append(lambda v, r: f"{before}{to_string(v)}{after}")
    if spec.url_base is not None:
        base = spec.url_base
        steps.append(lambda v, r: join_url(v, base))
    each = _Compiled(spec.each, drop_empty, loading, f"{where}[].") if spec.each is not None else None
    drop = drop_empty if spec.drop_if_empty is None else spec.drop_if_empty
    seps = [spec.split] if isinstance(spec.split, str) else list(spec.split or [])
    splitter = re.compile("|".join(re.escape(s) for s in sorted(seps, key=len, reverse=True))) if seps else None
    return _Field(target, split_path(target), tuple(split_path(n) for n in names), names, spec, steps, each, drop,
                  expression if not names else None, splitter)


def _source(f: _Field, record: Any, src_at: str) -> tuple[Any, str]:
    if f.spec.const is not _UNSET:
        return f.spec.const, ""
    if f.source_expr is not None:
        return f.source_expr.evaluate(None, record), src_at + f.source_expr.text
    if f.spec.join is not None:
        found = [(get_path(record, parts), name) for parts, name in zip(f.sources, f.source_names, strict=True)]
        found = [(v, n) for v, n in found if not _empty(v)]
        return f.spec.join.join(to_string(v).strip() for v, _ in found), src_at + " + ".join(f.source_names)
    for parts, name in zip(f.sources, f.source_names, strict=True):
        candidate = get_path(record, parts)
        if not _empty(candidate):
            return candidate, src_at + name
    return None, src_at + " | ".join(f.source_names)


def _value(f: _Field, record: Any, at: str, src_at: str) -> tuple[bool, Any]:
    target = at + f.target
    try:
        value, source = _source(f, record, src_at)
    except Invalid as exc:
        raise _Fail([MappingError(target, src_at + (f.spec.expr or ""), exc.key, _params(exc))]) from None
    if _empty(value):
        return _when_empty(f, target, source)
    if f.each is not None:
        items = value if isinstance(value, list) else [value]
        mapped: list[Any] = []
        errors: list[MappingError] = []
        for i, item in enumerate(items):
            doc, errs = f.each.apply(item, f"{target}[{i}].", f"{source}[{i}].")
            errors.extend(errs)
            mapped.append(doc)
        if errors:
            raise _Fail(errors)
        return True, mapped
    if f.splitter is not None and isinstance(value, str):
        value = [p.strip() for p in f.splitter.split(value) if p.strip()]
    try:
        if isinstance(value, list):
            value = [v for v in (_run(f.steps, item, record) for item in value if not _empty(item))
                     if not _empty(v)]
        else:
            value = _run(f.steps, value, record)
    except Invalid as exc:
        raise _Fail([MappingError(target, source, exc.key, _params(exc))]) from None
    if _empty(value):
        return _when_empty(f, target, source)
    return True, value


def _params(exc: Invalid) -> dict[str, Any]:
    return {k: (_show(v) if k == "value" else v) for k, v in exc.params.items()}


def _run(steps: list[Step], value: Any, record: Any) -> Any:
    for step in steps:
        value = step(value, record)
        if value is None:
            return None
    return value


def _when_empty(f: _Field, target: str, source: str) -> tuple[bool, Any]:
    if f.spec.default is not _UNSET:
        return True, f.spec.default
    if f.spec.required:
        raise _Fail([MappingError(target, source, "mapping.missing")])
    return (False, None) if f.drop else (True, None)


def field_lines(text: str) -> dict[str, int]:
    """The line (1-based) of each target under ``fields:`` (nested ``each`` targets as ``indikator[].target``)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return {}
    out: dict[str, int] = {}

    def walk(node: Any, prefix: str) -> None:
        if not isinstance(node, yaml.MappingNode):
            return
        for key, value in node.value:
            name = f"{prefix}{key.value}"
            out[name] = key.start_mark.line + 1
            if isinstance(value, yaml.MappingNode):
                for k2, v2 in value.value:
                    if k2.value == "each":
                        walk(v2, f"{name}[].")

    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "fields":
                walk(value, "")
    return out


class Mapper:
    """A compiled mapping: ``mapper.map(record)`` → :class:`MappingResult`.

    A mapping with a ``todo`` (a draft of ``simpul mapping suggest``), an expression that does not parse or an
    unknown conversion table is refused here, every problem at once, with the line of the file.
    """

    def __init__(self, spec: MappingSpec | dict[str, Any], *, origin: str = "mapping",
                 lines: dict[str, int] | None = None, base_dir: Path | None = None) -> None:
        if not isinstance(spec, MappingSpec):
            try:
                spec = MappingSpec.model_validate(spec)
            except ValidationError as exc:
                raise ConfigError(field_errors(exc, origin), what="mapping") from None
        self.spec = spec
        loading = _Loading(origin, dict(lines or {}), base_dir)
        self._compiled = _Compiled(spec.fields, spec.drop_empty, loading)
        if loading.problems:
            raise ConfigError(loading.problems, what="mapping")

    @classmethod
    def from_file(cls, path: str | Path) -> Mapper:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
            data = yaml.safe_load(text)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ConfigError([FieldError(str(path), "mapping.unreadable", {"detail": str(exc)[:200]})],
                              what="mapping") from None
        return cls(data or {}, origin=path.name, lines=field_lines(text), base_dir=path.parent)

    @property
    def schema_key(self) -> str:
        return self.spec.schema_key

    def source_fields(self) -> list[str]:
        out: list[str] = []

        def walk(compiled: _Compiled, prefix: str) -> None:
            for f in compiled.fields:
                out.extend(prefix + n for n in f.source_names)
                if f.each is not None:
                    for n in f.source_names:
                        walk(f.each, f"{prefix}{n}[].")

        walk(self._compiled, "")
        return out

    def map(self, record: dict[str, Any]) -> MappingResult:
        document, errors = self._compiled.apply(record)
        return MappingResult(None if errors else document, errors)
