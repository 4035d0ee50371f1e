"""Webhook secrets at rest: AES-256-GCM (``cryptography``) under a master key.

Simpul must know a subscription's secret to sign deliveries (HMAC is symmetric), so the secret cannot be stored
as a one-way hash. The master key comes from ``SIMPUL_EXCHANGE_SECRET_KEY`` or, when that is unset, from a key
file created once with mode 0600 (``SIMPUL_EXCHANGE_KEY_FILE``). Stored form: ``v2:<base64(nonce ‖ ciphertext)>``;
the subscription id is bound as associated data by callers that pass it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.settings import get_settings

PREFIX = "v2:"
NONCE_BYTES = 12


def _master() -> bytes:
    settings = get_settings()
    if settings.exchange_secret_key:
        material = settings.exchange_secret_key
    else:
        path = Path(settings.exchange_key_file)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32))
        material = path.read_text(encoding="utf-8").strip()
    # a passphrase of any length becomes a 256-bit key; a random key file already has full entropy
    return hashlib.sha256(material.encode("utf-8")).digest()


def seal(plain: str, associated: bytes = b"simpul-exchange") -> str:
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(_master()).encrypt(nonce, plain.encode("utf-8"), associated)
    return PREFIX + base64.urlsafe_b64encode(nonce + ciphertext).decode("ascii")


class SecretUnreadable(ValueError):
    """The stored secret was made with another master key, or was altered."""


def open_sealed(sealed: str, associated: bytes = b"simpul-exchange") -> str:
    if not sealed.startswith(PREFIX):
        raise SecretUnreadable("unknown secret format")
    try:
        raw = base64.urlsafe_b64decode(sealed[len(PREFIX):].encode("ascii"))
        return AESGCM(_master()).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise SecretUnreadable("secret does not match the master key") from exc
