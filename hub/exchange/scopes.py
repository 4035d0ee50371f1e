"""Consumer scopes of API keys for the canonical API (table ``exchange_consumer_scope``, keyed by the registry's
key id — the registry's key table is not changed).

- ``data:read:<schema>`` (or ``data:read:*``): read current records of the schema.
- ``data:read_personal:<schema>`` (or ``...:*``): see NIK, full NIP, phone and e-mail unmasked.
A key whose role allows the action ``data:read`` (registry/data/roles.yaml) reads every schema, masked, unless it
also has a ``read_personal`` scope. Managing subscriptions and deliveries needs the action ``exchange:manage``
(or role admin).

Scopes are cached per key in each process. Every grant or revoke bumps ``api_key.scopes_version`` in the same
transaction; authentication reads that number with the key on every request (no extra query), and a cached entry
is used only while its version equals it — so a change takes effect on the very next request in every API process.
A revoked key fails authentication itself (401), cache or not.
"""

from __future__ import annotations

import re
import threading
import weakref
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from hub.errors import BadRequest, Forbidden
from hub.exchange import audit
from hub.exchange.db import database, write_session
from hub.services.registry_access import Principal
from registry import keys
from registry.db import Database
from registry.tables import ApiKeyRow
from registry.tables_exchange import ConsumerScopeRow

SCOPE = re.compile(r"^data:(read|read_personal):(\*|[a-z][a-z0-9_]*/[a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class Grants:
    scopes: frozenset[str]
    rate_per_minute: int | None

    def allows(self, action: str, schema: str) -> bool:
        return f"data:{action}:{schema}" in self.scopes or f"data:{action}:*" in self.scopes


_cache: weakref.WeakKeyDictionary[Database, dict[int, tuple[int, Grants]]] = weakref.WeakKeyDictionary()
_cache_lock = threading.Lock()
CACHE_KEYS = 10_000  # per database; beyond it the cache starts again (keys are few, this only bounds memory)


def _load(key_id: int, db: Database) -> tuple[int, Grants]:
    with db.session() as s:
        version = s.execute(select(ApiKeyRow.scopes_version).where(ApiKeyRow.id == key_id)).scalar()
        rows = list(s.execute(select(ConsumerScopeRow).where(ConsumerScopeRow.key_id == key_id)).scalars())
    rates = [r.rate_per_minute for r in rows if r.rate_per_minute]
    return int(version or 0), Grants(frozenset(r.scope for r in rows), max(rates) if rates else None)


def grants_of(key_id: int | None, db: Database | None = None, *, version: int | None = None) -> Grants:
    """The key's scopes. With ``version`` (the key's ``scopes_version`` read at authentication) a cached entry of
    the same version is used; without it the database is asked."""
    if key_id is None:
        return Grants(frozenset(), None)
    db = database(db)
    if version is not None:
        with _cache_lock:
            hit = _cache.get(db, {}).get(key_id)
        if hit is not None and hit[0] == version:
            return hit[1]
    loaded = _load(key_id, db)
    with _cache_lock:
        per_db = _cache.setdefault(db, {})
        if len(per_db) >= CACHE_KEYS:
            per_db.clear()
        per_db[key_id] = loaded
    return loaded[1]


def _changed(s: object, key_id: int, db: Database) -> None:
    """Inside the change's transaction: bump the key's version (other processes) and drop our entry."""
    s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id)  # type: ignore[attr-defined]
              .values(scopes_version=ApiKeyRow.scopes_version + 1))
    with _cache_lock:
        _cache.get(db, {}).pop(key_id, None)


def can_manage(principal: Principal) -> bool:
    return principal.role == "admin" or principal.can("exchange:manage")


def require_manage(principal: Principal) -> None:
    if not can_manage(principal):
        raise Forbidden(role=principal.role, action="exchange:manage",
                        extra={"role": principal.role, "action": "exchange:manage"})


def read_access(principal: Principal, schema: str, db: Database | None = None) -> tuple[bool, Grants]:
    """(personal allowed, grants) for reading ``schema``; Forbidden when the key may not read it at all."""
    grants = grants_of(principal.key_id, db, version=principal.scopes_version)
    if not (grants.allows("read", schema) or grants.allows("read_personal", schema) or principal.can("data:read")):
        action = f"data:read:{schema}"
        raise Forbidden(role=principal.role, action=action, extra={"role": principal.role, "action": action})
    return grants.allows("read_personal", schema), grants


def _key_id(s: object, ref: str) -> int:
    return keys.find_key(s, ref).id  # type: ignore[arg-type]


def grant(key_ref: str, scope: str, actor: str, *, rate_per_minute: int | None = None,
          db: Database | None = None) -> None:
    if not SCOPE.match(scope):
        raise BadRequest("exchange.bad_scope", scope=scope)
    db = database(db)
    with write_session(db) as s:
        key_id = _key_id(s, key_ref)
        _changed(s, key_id, db)
        row = s.get(ConsumerScopeRow, (key_id, scope))
        if row is None:
            s.add(ConsumerScopeRow(key_id=key_id, scope=scope, rate_per_minute=rate_per_minute, granted_by=actor))
        else:
            row.rate_per_minute = rate_per_minute
        audit.append(s, actor, "scope.grant", "api_key", str(key_id), {"scope": scope, "rate": rate_per_minute})


def revoke(key_ref: str, scope: str, actor: str, *, db: Database | None = None) -> int:
    db = database(db)
    with write_session(db) as s:
        key_id = _key_id(s, key_ref)
        _changed(s, key_id, db)
        n = s.execute(delete(ConsumerScopeRow).where(ConsumerScopeRow.key_id == key_id,
                                                     ConsumerScopeRow.scope == scope)).rowcount
        audit.append(s, actor, "scope.revoke", "api_key", str(key_id), {"scope": scope, "removed": n})
        return n


def list_scopes(db: Database | None = None, key_ref: str | None = None) -> list[dict[str, object]]:
    with database(db).session() as s:
        q = select(ConsumerScopeRow).order_by(ConsumerScopeRow.key_id, ConsumerScopeRow.scope)
        if key_ref:
            q = q.where(ConsumerScopeRow.key_id == _key_id(s, key_ref))
        return [{"key_id": r.key_id, "scope": r.scope, "rate_per_minute": r.rate_per_minute,
                 "granted_by": r.granted_by} for r in s.execute(q).scalars()]
