from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from registry.db import Database
from registry.errors import InvalidReference
from registry.keys import ApiKeyIn, authenticate, create_key, hash_token, list_keys, revoke_key
from registry.tables import ApiKeyRow


def test_tokens_are_stored_hashed_shown_once_and_revocable(loaded_db: Database):
    with loaded_db.session() as s:
        new = create_key(s, ApiKeyIn(name="Aptika", role="admin"), "cli:tester")
        stored = s.scalar(select(ApiKeyRow))
        assert new.token.startswith("smpl_") and len(new.token) > 40
        assert stored.token_hash == hash_token(new.token) and new.token not in stored.token_hash
        assert "token" not in list_keys(s)[0].model_dump()
        assert authenticate(s, new.token).actor == f"key:Aptika#{new.id}"
        assert authenticate(s, new.token + "x") is None
        assert authenticate(s, "not-a-token") is None
        revoke_key(s, "Aptika")
        assert authenticate(s, new.token) is None


def test_opd_keys_are_bound_to_an_existing_opd(loaded_db: Database):
    with pytest.raises(ValidationError):
        ApiKeyIn(name="x", role="opd")
    with pytest.raises(ValidationError):
        ApiKeyIn(name="x", role="auditor", kode_opd="5.01")
    with loaded_db.session() as s:
        with pytest.raises(InvalidReference):
            create_key(s, ApiKeyIn(name="x", role="opd", kode_pemda="35.72", kode_opd="9.99"), "t")
        key = create_key(s, ApiKeyIn(name="Bappeda", role="opd", kode_pemda="35.72",
                                     kode_opd="5.01.5.05.0.00.01.0000"), "t")
        assert key.kode_opd == "5.01.5.05.0.00.01.0000"
