"""Signed webhooks: ``X-Simpul-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, f"{t}.{body}")>``.

Consumers verify with :func:`verify_signature` (copy it: it needs only the standard library)::

    ok = verify_signature(secret, request_body_bytes, request.headers["X-Simpul-Signature"])
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Simpul-Signature"
DELIVERY_HEADER = "X-Simpul-Delivery"
EVENT_HEADER = "X-Simpul-Event"
IDEMPOTENCY_HEADER = "Idempotency-Key"
TOLERANCE_S = 300


def signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return mac.hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """The header value for ``body`` at ``timestamp`` (now by default)."""
    t = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={t},v1={signature(secret, body, t)}"


def verify_signature(secret: str, body: bytes, header: str, *, tolerance_s: int = TOLERANCE_S,
                     now: float | None = None) -> bool:
    """True when ``header`` signs exactly ``body`` with ``secret`` and its timestamp is fresh (replay guard)."""
    try:
        parts = dict(item.strip().split("=", 1) for item in header.split(",") if "=" in item)
        t = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - t) > tolerance_s:
        return False
    expected = signature(secret, body, t)
    candidates = [v for k, v in (item.strip().split("=", 1) for item in header.split(",") if "=" in item)
                  if k == "v1"]
    return any(hmac.compare_digest(expected, c) for c in candidates)
