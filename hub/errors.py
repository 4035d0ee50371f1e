"""The one error tree of Simpul.

Every error a user can meet is a :class:`SimpulError`. It knows its HTTP status, a stable problem ``type``
(``urn:simpul:problem:<code>``), a message key in the i18n catalog and the parameters of that message. The API
renders it as RFC 9457 ``application/problem+json``; the CLI prints it as one line.

    SimpulError
    ├── BadRequest (400)
    │   └── MalformedJSON (400)        the parse position is in the message
    ├── Unauthenticated (401)
    ├── Forbidden (403)
    ├── NotFound (404)                 close matches are suggested
    ├── Conflict (409)
    ├── PreconditionFailed (412)       stale ETag / If-Match
    ├── PayloadTooLarge (413)
    ├── UnsupportedMediaType (415)
    ├── RequestInvalid (422)           ``errors`` names every bad field
    └── UsageError (CLI only, exit 2)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, ClassVar

from hub.i18n import both, catalog, t
from hub.logging import mask_text


def problem_title(code: str, lang: str, default: str) -> str:
    """The problem type's short title in ``lang`` (``problem.<code>`` in the catalog; RFC 9457 allows localising it)."""
    key = f"problem.{code}"
    return t(key, lang) if key in catalog() else default


class SimpulError(Exception):
    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal"
    title: ClassVar[str] = "Internal error"
    message_key: ClassVar[str] = "error.internal"

    def __init__(self, message_key: str | None = None, /, *, extra: dict[str, Any] | None = None, **params: Any):
        self.key = message_key or self.message_key
        self.params = params
        self.extra = extra or {}
        super().__init__(self.message("en"))

    @property
    def type_uri(self) -> str:
        return f"urn:simpul:problem:{self.code}"

    def message(self, lang: str = "id") -> str:
        return t(self.key, lang, **self.params)

    def messages(self) -> dict[str, str]:
        return both(self.key, **self.params)

    def problem(self, lang: str = "id", instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": self.type_uri,
            "title": problem_title(self.code, lang, self.title),
            "status": self.status,
            "detail": mask_text(self.message(lang)),  # a NIK typed into a URL or a name is not echoed back
        }
        if instance:
            body["instance"] = mask_text(instance)
        body.update(self.extra)
        return body


class BadRequest(SimpulError):
    status, code, title, message_key = 400, "bad-request", "Bad request", "error.bad_request"


# The messages of Python's json parser (``JSONDecodeError.msg``) → ``json.reason.<key>`` in the catalog.
JSON_REASONS = [(re.compile(pattern), key) for pattern, key in (
    (r"^Expecting value$", "expecting_value"),
    (r"^Expecting ',' delimiter$", "expecting_comma"),
    (r"^Expecting ':' delimiter$", "expecting_colon"),
    (r"^Expecting property name enclosed in double quotes$", "expecting_name"),
    (r"^Unterminated string starting at$", "unterminated_string"),
    (r"^Invalid control character (?P<char>.+) at$", "control_character"),
    (r"^Invalid \\escape: (?P<char>.+)$", "invalid_escape"),
    (r"^Invalid \\uXXXX escape$", "invalid_unicode_escape"),
    (r"^Extra data$", "extra_data"),
    (r"^Unexpected UTF-8 BOM", "bom"),
    (r"^Illegal trailing comma before end of (?:object|array)$", "trailing_comma"),
)]


def json_reason(detail: str, lang: str) -> str:
    """What the JSON parser complained about, in ``lang`` (unknown wording is passed on as it is)."""
    for pattern, key in JSON_REASONS:
        match = pattern.match(detail)
        if match:
            return t(f"json.reason.{key}", lang, **match.groupdict())
    return detail


class MalformedJSON(BadRequest):
    code, title, message_key = "malformed-json", "Malformed JSON", "error.malformed_json"

    def message(self, lang: str = "id") -> str:
        if isinstance(self.params.get("detail"), str):
            return t(self.key, lang, **{**self.params, "detail": json_reason(self.params["detail"], lang)})
        return super().message(lang)

    @classmethod
    def from_decode_error(cls, exc: Any) -> MalformedJSON:
        return cls(
            line=exc.lineno, column=exc.colno, position=exc.pos, detail=exc.msg,
            extra={"line": exc.lineno, "column": exc.colno, "position": exc.pos},
        )


class Unauthenticated(SimpulError):
    status, code, title, message_key = 401, "unauthenticated", "Unauthenticated", "error.unauthenticated"


class Forbidden(SimpulError):
    status, code, title, message_key = 403, "forbidden", "Forbidden", "error.forbidden"


class NotFound(SimpulError):
    status, code, title, message_key = 404, "not-found", "Not found", "error.not_found"

    @classmethod
    def with_suggestions(cls, what_key: str, name: str, candidates: Iterable[str]) -> NotFound:
        """A 404 that names the closest known names (``difflib``), so a typo is one step from a fix."""
        pool = list(candidates)
        close = difflib.get_close_matches(name, pool, n=3, cutoff=0.5)
        if not close:
            close = [c for c in pool if name.lower() in c.lower() or c.lower() in name.lower()][:3]
        what = {lang: t(what_key, lang) for lang in ("id", "en")}
        err = cls(
            "error.not_found.suggest" if close else "error.not_found",
            what=what["id"], name=name, suggestions=", ".join(close),
            extra={"suggestions": close},
        )
        err._what = what
        return err

    def message(self, lang: str = "id") -> str:
        what = getattr(self, "_what", None)
        if what:
            return t(self.key, lang, **{**self.params, "what": what.get(lang, what["id"])})
        return super().message(lang)


class Conflict(SimpulError):
    status, code, title, message_key = 409, "conflict", "Conflict", "error.conflict"


class PreconditionFailed(SimpulError):
    status, code, title, message_key = 412, "precondition-failed", "Precondition failed", "error.precondition_failed"


class PayloadTooLarge(SimpulError):
    status, code, title, message_key = 413, "payload-too-large", "Payload too large", "error.body_too_large"


class UnsupportedMediaType(SimpulError):
    status, code, title, message_key = (
        415, "unsupported-media-type", "Unsupported media type", "error.unsupported_media_type",
    )


class RequestInvalid(SimpulError):
    """422 naming every bad field: ``errors`` is a list of ``{pointer, field, message}``."""

    status, code, title, message_key = 422, "request-invalid", "Request invalid", "error.request_invalid"


class UsageError(SimpulError):
    """A CLI usage problem (exit code 2)."""

    status, code, title, message_key = 400, "usage", "Usage error", "error.bad_request"
