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
```

Per field, in order: take the first non-empty source (or the ``const``); if empty use ``default``, else report it
when ``required``, else drop it (``drop_if_empty``, on by default; ``false`` writes ``null``); ``split`` text into a
list; then, on the value or each list item: trim → ``map`` → ``code`` → ``date``/``datetime`` → ``type``; or
``each`` maps a list of objects with a nested mapping. Every problem becomes a :class:`MappingError` naming the
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
from connectors.messages import message
from connectors.paths import get_path, set_path, split_path
from connectors.transforms import COERCE, Invalid, apply_code, lookup, to_date, to_datetime

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


def _normalise_step(name: str) -> Callable[[Any], Any]:
    """Rewrite a known display form to its normal form; anything else passes unchanged (the schema judges it)."""
    from hub.validation import normalise

    def step(value: Any) -> Any:
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
    split: str | None = None
    each: dict[str, FieldValue] | None = None
    default: Any = _UNSET
    required: bool = False
    drop_if_empty: bool | None = None
    normalise: Annotated[str | None, BeforeValidator(_known_normalise_kind)] = None

    @field_validator("map", mode="before")
    @classmethod
    def _text_keys(cls, value: Any) -> Any:
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _one_source(self) -> FieldSpec:
        if (self.from_ is None) == (self.const is _UNSET):
            raise ValueError("give exactly one of 'from' or 'const'")
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


@dataclass
class _Field:
    target: str
    parts: tuple[str, ...]
    sources: tuple[tuple[str, ...], ...]
    source_names: tuple[str, ...]
    spec: FieldSpec
    steps: list[Callable[[Any], Any]]
    each: _Compiled | None
    drop: bool


class _Compiled:
    def __init__(self, fields: dict[str, FieldSpec], drop_empty: bool) -> None:
        self.fields = [_compile(target, spec, drop_empty) for target, spec in fields.items()]

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


def _compile(target: str, spec: FieldSpec, drop_empty: bool) -> _Field:
    names = tuple([spec.from_] if isinstance(spec.from_, str) else (spec.from_ or []))
    steps: list[Callable[[Any], Any]] = [lambda v: v.strip() if isinstance(v, str) else v]
    if spec.map is not None:
        table = spec.map
        steps.append(lambda v: lookup(v, table, spec.map_unknown))
    if spec.code is not None:
        code = spec.code
        steps.append(lambda v: apply_code(v, pattern=code.pattern, zfill=code.zfill, case=code.case,
                                          remove_spaces=code.remove_spaces, digits_only=code.digits_only))
    if spec.case:
        steps.append(lambda v: getattr(v, spec.case)() if isinstance(v, str) else v)
    if spec.date is not None:
        d = spec.date
        formats = [d.from_] if isinstance(d.from_, str) else list(d.from_)
        steps.append(lambda v: to_date(v, formats, d.to))
    if spec.datetime is not None:
        dt = spec.datetime
        dformats = [dt.from_] if isinstance(dt.from_, str) else list(dt.from_)
        steps.append(lambda v: to_datetime(v, dformats, dt.tz))
    if spec.normalise is not None:
        steps.append(_normalise_step(spec.normalise))
    if spec.type is not None:
        coerce = COERCE[spec.type]
        steps.append(lambda v: coerce(v, spec.decimal))
    each = _Compiled(spec.each, drop_empty) if spec.each is not None else None
    drop = drop_empty if spec.drop_if_empty is None else spec.drop_if_empty
    return _Field(target, split_path(target), tuple(split_path(n) for n in names), names, spec, steps, each, drop)


def _value(f: _Field, record: Any, at: str, src_at: str) -> tuple[bool, Any]:
    target = at + f.target
    source = ""
    value: Any = None
    if f.spec.const is not _UNSET:
        value = f.spec.const
    else:
        for parts, name in zip(f.sources, f.source_names, strict=True):
            candidate = get_path(record, parts)
            if not _empty(candidate):
                value, source = candidate, src_at + name
                break
        source = source or src_at + " | ".join(f.source_names)
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
    if f.spec.split is not None and isinstance(value, str):
        value = [p.strip() for p in value.split(f.spec.split) if p.strip()]
    try:
        if isinstance(value, list):
            value = [v for v in (_run(f.steps, item) for item in value if not _empty(item)) if not _empty(v)]
        else:
            value = _run(f.steps, value)
    except Invalid as exc:
        params = {k: (_show(v) if k == "value" else v) for k, v in exc.params.items()}
        raise _Fail([MappingError(target, source, exc.key, params)]) from None
    if _empty(value):
        return _when_empty(f, target, source)
    return True, value


def _run(steps: list[Callable[[Any], Any]], value: Any) -> Any:
    for step in steps:
        value = step(value)
        if value is None:
            return None
    return value


def _when_empty(f: _Field, target: str, source: str) -> tuple[bool, Any]:
    if f.spec.default is not _UNSET:
        return True, f.spec.default
    if f.spec.required:
        raise _Fail([MappingError(target, source, "mapping.missing")])
    return (False, None) if f.drop else (True, None)


class Mapper:
    """A compiled mapping: ``mapper.map(record)`` → :class:`MappingResult`."""

    def __init__(self, spec: MappingSpec | dict[str, Any], *, origin: str = "mapping") -> None:
        if not isinstance(spec, MappingSpec):
            try:
                spec = MappingSpec.model_validate(spec)
            except ValidationError as exc:
                raise ConfigError(field_errors(exc, origin), what="mapping") from None
        self.spec = spec
        self._compiled = _Compiled(spec.fields, spec.drop_empty)

    @classmethod
    def from_file(cls, path: str | Path) -> Mapper:
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError([FieldError(str(path), "mapping.unreadable", {"detail": str(exc)[:200]})],
                              what="mapping") from None
        return cls(data or {}, origin=path.name)

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
