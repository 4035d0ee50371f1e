"""Errors of the registry (it never imports ``hub``; the hub maps these to its own error tree).

    RegistryError
    ├── DatabaseUnavailable     the database cannot be reached or upgraded
    ├── NotFoundError           kind + key, with the known keys for suggestions
    ├── AlreadyExists           create of an existing key
    ├── InUse                   delete of a Pemda/OPD that still has OPDs/applications
    ├── StaleVersion            If-Match / expected version does not match the stored one
    ├── InvalidReference        a field points to a Pemda/OPD that does not exist
    ├── InvalidCursor           a pagination cursor that this server did not hand out
    └── InvalidData             field errors: [FieldError], e.g. from an import or a patch
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class RegistryError(Exception):
    """Base of every registry error. ``code`` is a stable name; ``params`` fill the hub's message template."""

    code = "registry"

    def __init__(self, message: str = "", **params: Any) -> None:
        self.params = params
        super().__init__(message or self.code)


class DatabaseUnavailable(RegistryError):
    code = "database_unavailable"

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(f"database {url} unavailable: {detail}", url=url, detail=detail)


class NotFoundError(RegistryError):
    code = "not_found"

    def __init__(self, kind: str, key: str, candidates: list[str] | None = None) -> None:
        self.kind, self.key, self.candidates = kind, key, candidates or []
        super().__init__(f"{kind} {key!r} not found", kind=kind, key=key)


class AlreadyExists(RegistryError):
    code = "already_exists"

    def __init__(self, kind: str, key: str) -> None:
        self.kind, self.key = kind, key
        super().__init__(f"{kind} {key!r} already exists", kind=kind, key=key)


class InUse(RegistryError):
    code = "in_use"

    def __init__(self, kind: str, key: str, dependents: str, count: int) -> None:
        self.kind, self.key = kind, key
        super().__init__(f"{kind} {key!r} still has {count} {dependents}", kind=kind, key=key,
                         dependents=dependents, count=count)


class StaleVersion(RegistryError):
    code = "stale_version"

    def __init__(self, kind: str, key: str, expected: int | str, actual: int) -> None:
        self.expected, self.actual = expected, actual
        super().__init__(f"{kind} {key!r}: version {expected} expected, {actual} stored", kind=kind, key=key,
                         expected=expected, actual=actual)


class InvalidCursor(RegistryError):
    code = "invalid_cursor"


@dataclass
class FieldError:
    """One bad value. ``field`` is dotted (``supplier.contract_end``); ``row``/``sheet`` are set by imports."""

    field: str
    code: str
    message: str
    params: dict[str, Any] = field(default_factory=dict)
    row: int | None = None
    sheet: str | None = None

    @property
    def pointer(self) -> str:
        return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in self.field.split(".")) if self.field \
            else ""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pointer": self.pointer, "field": self.field, "code": self.code,
                               "message": self.message}
        if self.row is not None:
            out["row"] = self.row
            out["column"] = self.field
        if self.sheet:
            out["sheet"] = self.sheet
        return out


class InvalidData(RegistryError):
    code = "invalid_data"

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} invalid value(s)", count=len(errors))


class InvalidReference(InvalidData):
    code = "invalid_reference"


def field_errors_from_pydantic(exc: Any, prefix: str = "") -> list[FieldError]:
    """Turn a pydantic ``ValidationError`` into :class:`FieldError` (never copying the rejected input)."""
    out: list[FieldError] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        name = ".".join(loc)
        if prefix:
            name = f"{prefix}.{name}" if name else prefix
        ctx = {k: (int(v) if isinstance(v, float) and v.is_integer() else v if isinstance(v, str | int | float)
                   else str(v)) for k, v in (err.get("ctx") or {}).items()}
        out.append(FieldError(field=name, code=err["type"], message=err["msg"], params=ctx))
    return out
