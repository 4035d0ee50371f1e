"""Webhook signatures and encrypted subscription secrets."""

from __future__ import annotations

import time

import pytest

from hub.exchange.secretbox import SecretUnreadable, open_sealed, seal
from hub.exchange.signing import sign, verify_signature


def test_signature_round_trip_and_tampering():
    body = b'{"a":1}'
    header = sign("whsec_x", body)
    assert verify_signature("whsec_x", body, header)
    assert not verify_signature("whsec_y", body, header)
    assert not verify_signature("whsec_x", b'{"a":2}', header)
    assert not verify_signature("whsec_x", body, "garbage")


def test_old_signatures_are_refused():
    body = b"{}"
    header = sign("s", body, timestamp=int(time.time()) - 3600)
    assert not verify_signature("s", body, header)


def test_secrets_are_encrypted_at_rest(monkeypatch):
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "one")
    get_settings.cache_clear()
    sealed = seal("whsec_secret-value")
    assert "secret-value" not in sealed and open_sealed(sealed) == "whsec_secret-value"
    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "two")
    get_settings.cache_clear()
    with pytest.raises(SecretUnreadable):
        open_sealed(sealed)
