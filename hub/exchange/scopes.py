"""Consumer scopes of API keys for the canonical API (table ``exchange_consumer_scope``, keyed by the registry's
key id — the registry's key table is not changed).

- ``data:read:<schema>`` (or ``data:read:*``): read current records of the schema.
- ``data:read_personal:<schema>`` (or ``...:*``): see NIK, full NIP, phone and e-mail unmasked.
A key whose role allows the action ``data:read`` (registry/data/roles.yaml) reads every schema, masked, unless it
also has a ``read_personal`` scope. Managing subscriptions and deliveries needs the action ``exchange:manage``
(or role admin).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from hub.errors import BadRequest, Forbidden
from hub.exchange import audit
from hub.exchange.db import database, write_session
from hub.services.registry_access import Principal
from registry import keys
from registry.db import Database
from registry.tables_exchange import ConsumerScopeRow

SCOPE = re.compile(r"^data:(read|read_personal):(\*|[a-z][a-z0-9_]*/[a-z][a-z0-9_]*)$")


@dataclass(frozen=True)
class Grants:
    scopes: frozenset[str]
    rate_per_minute: int | None

    def allows(self, action: str, schema: str) -> bool:
        return f"data:{action}:{schema}" in self.scopes or f"data:{action}:*" in self.scopes


def grants_of(key_id: int | None, db: Database | None = None) -> Grants:
    if key_id is None:
        return Grants(frozenset(), None)
    with database(db).session() as s:
        rows = list(s.execute(select(ConsumerScopeRow).where(ConsumerScopeRow.key_id == key_id)).scalars())
    rates = [r.rate_per_minute for r in rows if r.rate_per_minute]
    return Grants(frozenset(r.scope for r in rows), max(rates) if rates else None)


def can_manage(principal: Principal) -> bool:
    return principal.role == "admin" or principal.can("exchange:manage")


def require_manage(principal: Principal) -> None:
    if not can_manage(principal):
        raise Forbidden(role=principal.role, action="exchange:manage",
                        extra={"role": principal.role, "action": "exchange:manage"})


def read_access(principal: Principal, schema: str, db: Database | None = None) -> tuple[bool, Grants]:
    """(personal allowed, grants) for reading ``schema``; Forbidden when the key may not read it at all."""
    grants = grants_of(principal.key_id, db)
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
    with write_session(database(db)) as s:
        key_id = _key_id(s, key_ref)
        row = s.get(ConsumerScopeRow, (key_id, scope))
        if row is None:
            s.add(ConsumerScopeRow(key_id=key_id, scope=scope, rate_per_minute=rate_per_minute, granted_by=actor))
        else:
            row.rate_per_minute = rate_per_minute
        audit.append(s, actor, "scope.grant", "api_key", str(key_id), {"scope": scope, "rate": rate_per_minute})


def revoke(key_ref: str, scope: str, actor: str, *, db: Database | None = None) -> int:
    with write_session(database(db)) as s:
        key_id = _key_id(s, key_ref)
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
