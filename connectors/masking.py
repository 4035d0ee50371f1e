"""Secrets never reach a log line.

Three layers: (1) every secret value resolved from the environment is remembered and replaced by ``***``
wherever it appears; (2) patterns catch what looks like a credential (``Authorization`` headers, ``Bearer``/
``Basic`` values, api keys and tokens in query strings or ``key=value`` text, passwords in URLs);
(3) :class:`SecretFilter` applies both to every record of every connector logger. Loggers are only made through
:func:`get_logger`, which attaches the filter, so the filter is in place before anything logs.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
SECRET_NAMES = re.compile(
    r"^(api[_-]?key|apikey|key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|client[_-]?secret|"
    r"secret|password|passwd|pwd|signature|sig|auth|authorization|x-api-key|session|sessionid)$",
    re.IGNORECASE,
)
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|proxy-authorization|x-api-key|api-key|cookie)(\s*[:=]\s*)([^\r\n,;]+)")
_SCHEME_VALUE = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{4,}")
_KEY_VALUE = re.compile(
    r"(?i)([?&\s\"'{,]|^)((?:api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|token|client[_-]?secret|"
    r"secret|password|passwd|signature)[\"']?\s*[=:]\s*[\"']?)([^&\s\"',}]+)"
)
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]+:)([^@\s/]+)(@)")

_known: set[str] = set()
_lock = threading.Lock()


def remember_secret(value: str | None) -> None:
    """Mask ``value`` from now on wherever it appears (values shorter than 4 characters are too common)."""
    if value and len(value) >= 4:
        with _lock:
            _known.add(value)


def known_secret_count() -> int:
    return len(_known)


def mask_text(text: str) -> str:
    """Replace every known secret and every credential-looking fragment of ``text`` by ``***``."""
    if not text:
        return text
    for secret in sorted(_known, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    text = _SCHEME_VALUE.sub(lambda m: m.group(1) + " " + MASK, text)
    text = _KEY_VALUE.sub(lambda m: m.group(1) + m.group(2) + MASK, text)
    return _URL_PASSWORD.sub(lambda m: m.group(1) + MASK + m.group(3), text)


def redact_url(url: str) -> str:
    """The URL with secret-named query parameters and any password replaced by ``***`` (for logs and evidence)."""
    try:
        parts = urlsplit(str(url))
    except ValueError:
        return mask_text(str(url))
    query = urlencode(
        [(k, MASK if SECRET_NAMES.match(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)],
        safe="*",
    )
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else netloc
    return mask_text(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    return {k: (MASK if SECRET_NAMES.match(k) or k.lower() in {"cookie", "set-cookie"} else mask_text(v))
            for k, v in headers.items()}


class SecretFilter(logging.Filter):
    """A logging filter that masks secrets in the message, its arguments and ``extra`` string fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            text = record.getMessage()
        except Exception:  # a broken format string must not leak its arguments either
            text = str(record.msg)
        record.msg = mask_text(text)
        record.args = None
        for name, value in list(record.__dict__.items()):
            if name in _STANDARD_ATTRS:
                continue
            if isinstance(value, str):
                setattr(record, name, MASK if SECRET_NAMES.match(name) else mask_text(value))
        return True


_STANDARD_ATTRS = set(logging.LogRecord("x", 0, "x", 0, "", None, None).__dict__) | {"message", "asctime"}
SECRET_FILTER = SecretFilter()


def get_logger(name: str) -> logging.Logger:
    """A logger under ``simpul.connectors`` with the secret filter attached."""
    logger = logging.getLogger(f"simpul.connectors.{name}" if not name.startswith("simpul.") else name)
    if SECRET_FILTER not in logger.filters:
        logger.addFilter(SECRET_FILTER)
    return logger


def install_secret_filter(target: logging.Logger | logging.Handler) -> None:
    """Attach the filter to another logger or handler (the hub may add it to its own handlers)."""
    if SECRET_FILTER not in target.filters:
        target.addFilter(SECRET_FILTER)


# httpx and httpcore log full request URLs (query strings included) at INFO/DEBUG: filter them too.
for _name in ("httpx", "httpcore", "simpul.connectors"):
    install_secret_filter(logging.getLogger(_name))
