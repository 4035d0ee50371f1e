"""API keys as a service: create (token shown once), list, revoke, and authenticate a token to a Principal."""

from __future__ import annotations

from hub.errors import Conflict
from hub.services.registry_access import Principal
from hub.services.registry_errors import mapped
from registry import keys
from registry.db import Database
from registry.keys import ApiKey, ApiKeyIn, NewApiKey

__all__ = ["ApiKey", "ApiKeyIn", "KeyService", "NewApiKey", "authenticate", "principal_of"]


def principal_of(key: ApiKey) -> Principal:
    return Principal(actor=key.actor, role=key.role, name=key.name, key_id=key.id, kode_pemda=key.kode_pemda,
                     kode_opd=key.kode_opd, scopes_version=key.scopes_version)


def authenticate(db: Database, token: str) -> Principal | None:
    """The Principal of an active key, or None (unknown, malformed or revoked token)."""
    with mapped(), db.session() as s:
        key = keys.authenticate(s, token)
    return principal_of(key) if key else None


class KeyService:
    def __init__(self, db: Database, principal: Principal, lang: str = "id") -> None:
        self.db, self.principal, self.lang = db, principal, lang

    def create(self, data: ApiKeyIn) -> NewApiKey:
        self.principal.require("keys:manage")
        with mapped(self.lang), self.db.session() as s:
            return keys.create_key(s, data, self.principal.actor)

    def list(self, *, include_revoked: bool = True) -> list[ApiKey]:
        self.principal.require("keys:manage")
        with mapped(self.lang), self.db.session() as s:
            return keys.list_keys(s, include_revoked=include_revoked)

    def me(self) -> ApiKey:
        """The key of the principal itself (any role may ask)."""
        with mapped(self.lang), self.db.session() as s:
            return keys.get_key(s, self.principal.key_id or 0)

    def revoke(self, ref: str) -> ApiKey:
        """Revoke a key. A key cannot revoke itself (that would lock its holder out mid-request)."""
        self.principal.require("keys:manage")
        with mapped(self.lang), self.db.session() as s:
            if self.principal.key_id is not None and keys.find_key(s, ref).id == self.principal.key_id:
                raise Conflict("registry.keys.self_revoke")
            return keys.revoke_key(s, ref)
