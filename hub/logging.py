"""Structured logs (structlog): JSON when not on a terminal, key=value on one.

Secrets and personal data are redacted by :func:`redact_event` before anything is written.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

SENSITIVE_KEYS = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|cookie|nik|nip|phone|telepon|hp|email|e_mail)$",
    re.IGNORECASE,
)
_NIK_OR_NIP = re.compile(r"(?<!\d)(\d{6})\d{6,8}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")
_BEARER = re.compile(r"(?i)(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")


def mask_text(text: str) -> str:
    """Mask NIK/NIP-like digit runs, e-mail addresses and bearer/basic credentials inside free text."""
    # search first: most texts hold none of these, and a search is far cheaper than a substitution
    if _BEARER.search(text):
        text = _BEARER.sub(r"\1 ***", text)
    if _NIK_OR_NIP.search(text):
        text = _NIK_OR_NIP.sub(lambda m: m.group(1) + "*" * (len(m.group(0)) - 10) + m.group(2), text)
    return _EMAIL.sub(r"\1***@\2", text) if "@" in text else text


def _redact(value: Any, key: str = "") -> Any:
    if key and SENSITIVE_KEYS.search(key):
        return "***"
    if isinstance(value, dict):
        return {k: _redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact(v) for v in value]
    if isinstance(value, str):
        return mask_text(value)
    return value


def redact_event(_logger: Any, _method: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    return {k: (_redact(v, k) if k not in {"timestamp", "level", "logger"} else v) for k, v in event_dict.items()}


class _StderrLogger:
    """Writes each line to whatever ``sys.stderr`` is *now* (test runners swap and close streams)."""

    def msg(self, message: str) -> None:
        stream = sys.stderr
        if stream is None or getattr(stream, "closed", False):
            return
        print(message, file=stream, flush=True)

    log = debug = info = warning = warn = error = critical = exception = fatal = msg


def _stderr_logger_factory(*_args: Any) -> _StderrLogger:
    return _StderrLogger()


def configure_logging(level: str = "INFO", fmt: str = "auto") -> None:
    use_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    renderer = structlog.processors.JSONRenderer() if use_json else structlog.dev.ConsoleRenderer(colors=False)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_event,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=_stderr_logger_factory,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> Any:
    return structlog.get_logger(name)
