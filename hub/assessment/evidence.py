"""Replayable, redacted evidence: a curl command, status, masked headers, a truncated and masked body, timings.

Secrets are removed in three ways: the caller's secret values are replaced wherever they appear (URL, headers,
body); headers whose names look secret are masked; JSON bodies are redacted by key name. Personal data (NIK, NIP,
e-mail, phone) and tokens (bearer, JWT, ``token=...``) are masked in any text.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from hub.assessment.models import HttpExchange
from hub.logging import mask_text

MASK = "***"
SECRET_HEADER = re.compile(r"(authorization|cookie|token|secret|api[-_]?key|apikey|session|password|signature)",
                           re.IGNORECASE)
SECRET_KEY = re.compile(r"(pass(word)?|secret|token|api[_-]?key|apikey|authorization|cookie|^nik$|^nip(_baru)?$|"
                        r"phone|telepon|^hp$|no_hp|nomor_hp|e_?mail|signature|session)", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\d.])(\+62|62|0)8\d{1,3}[- ]?\d{3,4}[- ]?\d{3,5}(?![\d.])")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
_KV_TOKEN = re.compile(r"(?i)\b(access_token|refresh_token|token|api_key|apikey|key|secret|password)=([^&\s\"']+)")


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted(set(secrets), key=len, reverse=True):
        if secret:
            text = text.replace(secret, MASK)
    return text


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Secrets, tokens and personal data out of free text."""
    text = mask_secrets(text, secrets)
    text = _JWT.sub(MASK, text)
    text = _KV_TOKEN.sub(lambda m: f"{m.group(1)}={MASK}", text)
    text = mask_text(text)
    return _PHONE.sub(lambda m: m.group(0)[:4] + "*" * max(0, len(m.group(0)) - 6) + m.group(0)[-2:], text)


def redact_value(value: Any, key: str = "", secrets: Iterable[str] = ()) -> Any:
    if key and SECRET_KEY.search(key) and value not in (None, ""):
        return MASK
    if isinstance(value, dict):
        return {k: redact_value(v, str(k), secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, "", secrets) for v in value]
    if isinstance(value, str):
        return redact_text(value, secrets)
    return value


def redact_headers(headers: Mapping[str, str], secrets: Iterable[str] = (),
                   secret_names: Iterable[str] = ()) -> dict[str, str]:
    names = {n.lower() for n in secret_names}
    out: dict[str, str] = {}
    for name, value in headers.items():
        if name.lower() in names or SECRET_HEADER.search(name):
            out[name] = MASK
        else:
            out[name] = redact_text(str(value), secrets)
    return out


def redact_url(url: str, secrets: Iterable[str] = (), secret_params: Iterable[str] = ()) -> str:
    parts = urlsplit(url)
    names = {n.lower() for n in secret_params}
    query = [(k, MASK if (k.lower() in names or SECRET_KEY.search(k)) else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    netloc = parts.netloc.rsplit("@", 1)[-1] if "@" in parts.netloc else parts.netloc
    rebuilt = urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))
    return mask_secrets(rebuilt, secrets)


def redact_body(body: bytes, content_type: str, limit: int, secrets: Iterable[str] = ()) -> tuple[str, bool]:
    """A printable, redacted body cut to ``limit`` bytes; returns (text, truncated)."""
    ctype = content_type.lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("latin-1") if "text" in ctype or "csv" in ctype else "\x00"
    if body and ("\x00" in text[:4096] or "spreadsheetml" in ctype or "zip" in ctype or "octet" in ctype):
        return f"<{len(body)} bytes of {ctype.split(';')[0] or 'binary data'}>", False
    if "json" in ctype or text[:1] in "[{":
        try:
            text = json.dumps(redact_value(json.loads(text), "", secrets), ensure_ascii=False)
        except ValueError:
            text = redact_text(text, secrets)
    else:
        text = redact_text(text, secrets)
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text, False
    return raw[:limit].decode("utf-8", errors="ignore") + f"…[{len(raw) - limit} bytes cut]", True


def curl_command(method: str, url: str, headers: Mapping[str, str], body: bytes | None) -> str:
    """A command that replays the request (headers and URL already redacted)."""
    parts = ["curl", "-sS", "-i"]
    if method != "GET":
        parts += ["-X", method]
    for name, value in headers.items():
        if name.lower() in ("host", "content-length", "accept-encoding", "connection", "user-agent"):
            continue
        parts += ["-H", f"{name}: {value}"]
    if body is not None:
        parts += ["--data-binary", body.decode("utf-8", errors="replace")[:500]]
    parts.append(url)
    return " ".join(shlex.quote(p) for p in parts)


def build_exchange(
    *, label: str, method: str, url: str, request_headers: Mapping[str, str], request_body: bytes | None,
    status: int | None, response_headers: Mapping[str, str], body: bytes, elapsed_ms: float | None,
    error: str | None, limit: int, secrets: list[str], secret_headers: Iterable[str], secret_params: Iterable[str],
) -> HttpExchange:
    secret_headers = list(secret_headers)
    safe_url = redact_url(url, secrets, secret_params)
    safe_req = redact_headers(request_headers, secrets, secret_headers)
    safe_resp = redact_headers(response_headers, secrets)
    safe_req_body = (redact_text(request_body.decode("utf-8", errors="replace"), secrets).encode()
                     if request_body else None)
    text, truncated = redact_body(body, response_headers.get("content-type", ""), limit, secrets)
    return HttpExchange(
        label=label, method=method, url=safe_url, curl=curl_command(method, safe_url, safe_req, safe_req_body),
        request_headers=safe_req, status=status, response_headers=safe_resp, body=text, body_bytes=len(body),
        truncated=truncated, elapsed_ms=round(elapsed_ms, 1) if elapsed_ms is not None else None,
        error=redact_text(error, secrets) if error else None,
    )
