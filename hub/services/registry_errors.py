"""Registry errors → hub errors (the registry package never imports hub), with bilingual field messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from hub.errors import (
    BadRequest,
    Conflict,
    NotFound,
    PayloadTooLarge,
    PreconditionFailed,
    RequestInvalid,
    SimpulError,
)
from hub.i18n import catalog, t
from registry import errors as reg
from registry.io import FormatError
from registry.io.spreadsheets import UnpackTooLarge


class PreconditionRequired(SimpulError):
    """428: a write without If-Match (RFC 6585), so that no one overwrites a change they never saw."""

    status, code, title, message_key = (428, "precondition-required", "Precondition required",
                                        "registry.precondition_required")


class ServiceUnavailable(SimpulError):
    status, code, title, message_key = 503, "unavailable", "Service unavailable", "registry.database_unavailable"


class RegistryRequestInvalid(RequestInvalid):
    """422 whose ``errors`` carry bilingual messages; ``detail`` uses the registry's wording."""

    message_key: ClassVar[str] = "registry.invalid"


def field_message(err: reg.FieldError, lang: str) -> str:
    """The message of one field error in ``lang``: a catalog text when there is one, else pydantic's English."""
    keys = catalog()
    if err.code == "string_pattern_mismatch":
        key = f"registry.field.pattern.{err.field}"
        if key in keys:
            return t(key, lang, **err.params)
    key = f"registry.field.{err.code}"
    if key in keys:
        params = dict(err.params)
        if err.code in ("enum", "literal_error") and isinstance(params.get("expected"), str):
            params["expected"] = params["expected"].replace("' or '", "', '").replace("'", "")
        return t(key, lang, **params)
    return err.message


def error_items(errors: list[reg.FieldError], lang: str) -> list[dict[str, Any]]:
    items = []
    for e in errors:
        item = e.as_dict()
        item["message"] = field_message(e, lang)
        items.append(item)
    return items


def etag(revision: int) -> str:
    return f'"r{revision}"'


def to_hub(exc: reg.RegistryError | FormatError, lang: str = "id") -> SimpulError:
    """The hub error (status, problem type, bilingual message) for a registry error."""
    if isinstance(exc, FormatError):
        return BadRequest("registry.import.unreadable", fmt=exc.params.get("fmt", ""),
                          detail=str(exc).format(**exc.params), extra={"code": exc.code})
    if isinstance(exc, reg.NotFoundError):
        return NotFound.with_suggestions(f"registry.what.{exc.kind}", exc.key, exc.candidates)
    if isinstance(exc, reg.AlreadyExists):
        return Conflict(f"registry.already_exists.{exc.kind}", key=exc.key)
    if isinstance(exc, reg.InUse):
        return Conflict(f"registry.in_use.{exc.kind}", key=exc.key, count=exc.params["count"])
    if isinstance(exc, reg.StaleVersion):
        expected = etag(exc.expected) if isinstance(exc.expected, int) else str(exc.expected)
        return PreconditionFailed(expected=expected, actual=etag(exc.actual),
                                  extra={"current_etag": etag(exc.actual)})
    if isinstance(exc, reg.InvalidCursor):
        return BadRequest("registry.invalid_cursor")
    if isinstance(exc, reg.InvalidData):
        items = error_items(exc.errors, lang)
        return RegistryRequestInvalid(count=len(items), extra={"errors": items})
    if isinstance(exc, reg.DatabaseUnavailable):
        return ServiceUnavailable(url=exc.params["url"], detail=exc.params["detail"])
    return SimpulError()


@contextmanager
def mapped(lang: str = "id") -> Iterator[None]:
    """Run a block and re-raise registry errors as hub errors."""
    try:
        yield
    except (reg.RegistryError, FormatError) as exc:
        raise to_hub(exc, lang) from exc
    except UnpackTooLarge as exc:  # an XLSX zip bomb or a huge shared-strings table, refused before unpacking
        raise PayloadTooLarge("spreadsheet.too_large", **exc.params,
                              extra={"limit": exc.params["limit"], "limit_kind": "unpacked_bytes"}) from None
