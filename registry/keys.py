"""API keys: ``smpl_<random>`` tokens, stored only as SHA-256 hashes, shown once at creation.

Roles (data/roles.yaml): admin (Diskominfo), opd (its own OPD's applications only), auditor (read and assess),
vendor (validate only). A key of role ``opd`` is bound to one OPD (kode_pemda + kode_opd).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.convert import aware
from registry.errors import InvalidReference, NotFoundError
from registry.models import KodeOpd, KodePemda, Name, Role
from registry.orgs import find_opd_row, missing_ref, opd_key
from registry.tables import ApiKeyRow, utcnow

TOKEN_PREFIX = "smpl_"  # noqa: S105 (a public prefix, not a secret)
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=True)

    name: Name = Field(description="Who holds the key, e.g. 'Bidang Aptika Diskominfo'")
    role: Role  # type: ignore[valid-type]
    kode_pemda: KodePemda | None = Field(default=None, description="Role opd: the Pemda of the OPD")
    kode_opd: KodeOpd | None = Field(default=None, description="Role opd: the OPD whose applications it manages")

    @model_validator(mode="after")
    def _opd_binding(self) -> ApiKeyIn:
        if self.role == "opd" and not (self.kode_pemda and self.kode_opd):
            raise PydanticCustomError("registry_key_needs_opd", "a key of role opd needs kode_pemda and kode_opd")
        if self.role != "opd" and (self.kode_pemda or self.kode_opd):
            raise PydanticCustomError("registry_key_opd_only", "only keys of role opd are bound to an OPD")
        return self


class ApiKey(BaseModel):
    id: int
    name: str
    role: str
    kode_pemda: str | None = None
    kode_opd: str | None = None
    prefix: str = Field(description="First characters of the token, to recognise it")
    created_at: datetime
    created_by: str | None = None
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    scopes_version: int = Field(default=0, exclude=True, description="Changes with the key's consumer scopes")

    @property
    def actor(self) -> str:
        return f"key:{self.name}#{self.id}"


class NewApiKey(ApiKey):
    token: str = Field(description="The secret token. Shown only now: store it safely.")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _out(row: ApiKeyRow) -> ApiKey:
    return ApiKey(id=row.id, name=row.name, role=row.role, kode_pemda=row.kode_pemda, kode_opd=row.kode_opd,
                  prefix=row.prefix, created_at=aware(row.created_at), created_by=row.created_by,
                  revoked_at=aware(row.revoked_at) if row.revoked_at else None,
                  last_used_at=aware(row.last_used_at) if row.last_used_at else None,
                  scopes_version=row.scopes_version or 0)


def create_key(s: Session, data: ApiKeyIn, actor: str) -> NewApiKey:
    if data.role == "opd" and find_opd_row(s, data.kode_pemda or "", data.kode_opd or "") is None:
        raise InvalidReference([missing_ref("kode_opd", "opd", opd_key(data.kode_pemda or "", data.kode_opd or ""))])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiKeyRow(name=data.name, role=data.role, kode_pemda=data.kode_pemda, kode_opd=data.kode_opd,
                    token_hash=hash_token(token), prefix=token[:12], created_at=utcnow(), created_by=actor)
    s.add(row)
    s.flush()
    return NewApiKey(**_out(row).model_dump(), token=token)


def list_keys(s: Session, *, include_revoked: bool = True) -> list[ApiKey]:
    stmt = select(ApiKeyRow).order_by(ApiKeyRow.id)
    if not include_revoked:
        stmt = stmt.where(ApiKeyRow.revoked_at.is_(None))
    return [_out(r) for r in s.scalars(stmt)]


def get_key(s: Session, key_id: int) -> ApiKey:
    row = s.get(ApiKeyRow, key_id)
    if row is None:
        raise NotFoundError("api_key", str(key_id))
    return _out(row)


def find_key(s: Session, ref: str) -> ApiKeyRow:
    """A key by id, by exact name, or by token prefix."""
    row = None
    if ref.isascii() and ref.isdigit() and len(ref) < 12:
        row = s.get(ApiKeyRow, int(ref))
    if row is None:
        rows = list(s.scalars(select(ApiKeyRow).where((ApiKeyRow.name == ref) | (ApiKeyRow.prefix == ref))))
        if len(rows) == 1:
            row = rows[0]
    if row is None:
        raise NotFoundError("api_key", ref, [r.name for r in s.scalars(select(ApiKeyRow).limit(500))])
    return row


def revoke_key(s: Session, ref: str) -> ApiKey:
    row = find_key(s, ref)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        s.flush()
    return _out(row)


def authenticate(s: Session, token: str) -> ApiKey | None:
    """The active key for ``token``, or None (unknown or revoked). Updates ``last_used_at`` once a minute."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = s.scalar(select(ApiKeyRow).where(ApiKeyRow.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - aware(row.last_used_at) > LAST_USED_RESOLUTION:
        row.last_used_at = now
    return _out(row)
