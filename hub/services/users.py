"""Web accounts and sign-in sessions: argon2 passwords, lock-out after repeated failures, sessions stored only as
token hashes, every sign-in and every change written to the hash-chained audit log.

    service = UserService(get_database(), Principal.cli(), lang="en")
    user, password = service.create(UserIn(username="rina", display_name="Rina", role="auditor"))
    signed = sign_in(get_database(), "rina", password)           # -> SignedIn(token, csrf_token, user)
    current = session_of(get_database(), signed.token)             # -> SessionInfo or None (expired, signed out)

Roles are those of the API keys (``registry/data/roles.yaml``) that a person may hold: admin, operator, auditor,
viewer and vendor. An operator may be bound to one OPD (kode_pemda + kode_opd): its writes are then limited to that
OPD's applications, exactly like an API key of role ``opd``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from hub.errors import BadRequest, Conflict, Unauthenticated
from hub.services.registry_access import Principal
from hub.services.registry_errors import mapped, to_hub
from hub.settings import get_settings
from registry import users as store
from registry.convert import aware
from registry.db import Database
from registry.errors import InvalidData, InvalidReference, field_errors_from_pydantic
from registry.models import KodeOpd, KodePemda
from registry.orgs import find_opd_row, missing_ref, opd_key
from registry.tables import utcnow
from registry.users import User

__all__ = ["USER_ROLES", "SessionInfo", "SignInRefused", "SignedIn", "User", "UserIn", "UserService",
           "generate_password", "principal_of", "session_of", "sign_in", "sign_out", "token_hash"]

USER_ROLES = ("admin", "operator", "auditor", "viewer", "vendor")
MIN_PASSWORD = 10
MAX_PASSWORD = 256
SEEN_RESOLUTION = timedelta(minutes=1)


@lru_cache
def hasher() -> PasswordHasher:
    """argon2id with the library's defaults (RFC 9106 "low memory" profile: t=3, m=64 MiB, p=4)."""
    return PasswordHasher()


@lru_cache
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]{2,63}$",
                          description="Sign-in name: lower-case letters, digits, dot, dash, underscore")
    display_name: str = Field(min_length=1, max_length=200, description="Name shown in the workspace and the log")
    role: Literal["admin", "operator", "auditor", "viewer", "vendor"]
    kode_pemda: KodePemda | None = Field(default=None, description="Operator bound to one OPD: its Pemda")
    kode_opd: KodeOpd | None = Field(default=None, description="Operator bound to one OPD: the OPD")

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _binding(self) -> UserIn:
        if bool(self.kode_pemda) != bool(self.kode_opd):
            raise PydanticCustomError("web_user_opd_pair", "kode_pemda and kode_opd go together")
        if self.kode_opd and self.role != "operator":
            raise PydanticCustomError("web_user_opd_operator", "only an operator is bound to an OPD")
        return self


def check_password(password: str, username: str = "") -> None:
    """Refuse a password too short, too long or equal to the user name (NIST SP 800-63B §5.1.1)."""
    if len(password) < MIN_PASSWORD:
        raise BadRequest("web.password.short", min=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise BadRequest("web.password.long", max=MAX_PASSWORD)
    if username and password.strip().lower() == username.lower():
        raise BadRequest("web.password.username")


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def principal_of(user: User) -> Principal:
    return Principal(actor=user.actor, role=user.role, name=user.display_name, user_id=user.id,
                     kode_pemda=user.kode_pemda, kode_opd=user.kode_opd)


def _audit(s: Any, actor: str, action: str, username: str, details: dict[str, Any] | None = None) -> None:
    from hub.exchange import audit

    audit.append(s, actor, action, "user", username, details)


def parse_user(data: dict[str, Any], lang: str = "id") -> UserIn:
    """A :class:`UserIn` from form or CLI input; bad fields → 422 with bilingual messages per field."""
    try:
        return UserIn.model_validate(data)
    except ValidationError as exc:
        raise to_hub(InvalidData(field_errors_from_pydantic(exc)), lang) from exc


class UserService:
    """Managing accounts (action ``users:manage``: role admin, or the local CLI)."""

    def __init__(self, db: Database, principal: Principal, lang: str = "id") -> None:
        self.db, self.principal, self.lang = db, principal, lang

    def create(self, data: UserIn, password: str | None = None) -> tuple[User, str]:
        """Create an account; returns it with its password (generated when none is given: shown once)."""
        self.principal.require("users:manage")
        password = password or generate_password()
        check_password(password, data.username)
        with mapped(self.lang), self.db.session() as s:
            if data.kode_opd and find_opd_row(s, data.kode_pemda or "", data.kode_opd) is None:
                raise InvalidReference([missing_ref("kode_opd", "opd", opd_key(data.kode_pemda or "", data.kode_opd))])
            row = store.add_user(s, username=data.username, display_name=data.display_name, role=data.role,
                                 password_hash=hasher().hash(password), kode_pemda=data.kode_pemda,
                                 kode_opd=data.kode_opd, actor=self.principal.actor)
            _audit(s, self.principal.actor, "web.user.create", row.username,
                   {"role": row.role, "opd": opd_key(row.kode_pemda, row.kode_opd) if row.kode_opd else None})
            return store.user_out(row), password

    def list(self) -> list[User]:
        self.principal.require("users:manage")
        with mapped(self.lang), self.db.session() as s:
            return store.list_users(s)

    def set_active(self, username: str, active: bool) -> User:
        """Disable (every session ends at once) or enable an account. Nobody disables their own account."""
        self.principal.require("users:manage")
        with mapped(self.lang), self.db.session() as s:
            row = store.get_user_row(s, username.strip().lower())
            if not active and self.principal.user_id == row.id:
                raise Conflict("web.users.self_disable")
            row.active = active
            if active:
                row.failed_logins, row.locked_until = 0, None
            else:
                store.drop_user_sessions(s, row.id)
            store.touch(row)
            _audit(s, self.principal.actor, "web.user.enable" if active else "web.user.disable", row.username)
            return store.user_out(row)

    def reset_password(self, username: str, password: str | None = None) -> tuple[User, str]:
        """A new password (generated when none is given); ends the account's sessions and lifts a lock-out."""
        self.principal.require("users:manage")
        with mapped(self.lang), self.db.session() as s:
            row = store.get_user_row(s, username.strip().lower())
            password = password or generate_password()
            check_password(password, row.username)
            row.password_hash = hasher().hash(password)
            row.password_changed_at = utcnow()
            row.failed_logins, row.locked_until = 0, None
            store.drop_user_sessions(s, row.id)
            store.touch(row)
            _audit(s, self.principal.actor, "web.user.reset_password", row.username)
            return store.user_out(row), password


# --- signing in ---------------------------------------------------------------------------------------------------

class SignInRefused(Unauthenticated):
    """401 on the sign-in form. The same message for an unknown name and a wrong password."""

    message_key = "web.sign_in.failed"


@dataclass(frozen=True)
class SignedIn:
    token: str
    csrf_token: str
    user: User


@dataclass(frozen=True)
class SessionInfo:
    token_hash: str
    csrf_token: str
    user: User
    expires_at: datetime

    @property
    def principal(self) -> Principal:
        return principal_of(self.user)


def _verify(stored: str, password: str) -> bool:
    try:
        return hasher().verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def sign_in(db: Database, username: str, password: str, *, user_agent: str | None = None,
            replaces: str | None = None) -> SignedIn:
    """Check the password and open a new session (a new token every time: session fixation cannot carry over).
    ``replaces``: the token of the browser's previous session, ended now. Failures count towards the lock-out."""
    settings = get_settings()
    name = (username or "").strip().lower()[:64]
    now = utcnow()
    refused: Unauthenticated | None = None
    with db.session() as s:
        if replaces:
            store.drop_session(s, token_hash(replaces))
        row = store.find_user(s, name) if name else None
        if row is None:
            _verify(_dummy_hash(), password or "")  # same work as for a real account: no timing oracle
            _audit(s, f"web:{name or '-'}", "web.sign_in.failed", name or "-", {"reason": "unknown"})
            refused = SignInRefused()
        elif row.locked_until is not None and aware(row.locked_until) > now:
            minutes = max(1, int((aware(row.locked_until) - now).total_seconds() // 60) + 1)
            _audit(s, f"user:{row.username}#{row.id}", "web.sign_in.failed", row.username, {"reason": "locked"})
            refused = SignInRefused("web.sign_in.locked", minutes=minutes)
        elif not _verify(row.password_hash, password or ""):
            row.failed_logins += 1
            details: dict[str, Any] = {"reason": "password", "failures": row.failed_logins}
            if row.failed_logins >= settings.web_max_failed_logins:
                row.locked_until = now + timedelta(minutes=settings.web_lockout_minutes)
                row.failed_logins = 0
                details["locked_minutes"] = settings.web_lockout_minutes
                refused = SignInRefused("web.sign_in.locked", minutes=settings.web_lockout_minutes)
            else:
                refused = SignInRefused()
            _audit(s, f"user:{row.username}#{row.id}", "web.sign_in.failed", row.username, details)
        elif not row.active:
            _audit(s, f"user:{row.username}#{row.id}", "web.sign_in.failed", row.username, {"reason": "disabled"})
            refused = SignInRefused("web.sign_in.disabled")
        else:
            if hasher().check_needs_rehash(row.password_hash):
                row.password_hash = hasher().hash(password)
            row.failed_logins, row.locked_until, row.last_login_at = 0, None, now
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            store.drop_expired_sessions(s, now)
            store.add_session(s, token_hash=token_hash(token), user_id=row.id, csrf_token=csrf,
                              expires_at=now + timedelta(hours=settings.web_session_max_hours), user_agent=user_agent)
            _audit(s, f"user:{row.username}#{row.id}", "web.sign_in", row.username)
            return SignedIn(token=token, csrf_token=csrf, user=store.user_out(row))
    raise refused or SignInRefused()


def session_of(db: Database, token: str | None) -> SessionInfo | None:
    """The live session of ``token``, or None: unknown, signed out, past its lifetime, idle too long, or its
    account disabled. A dead session is removed."""
    if not token or len(token) > 100:
        return None
    settings = get_settings()
    digest = token_hash(token)
    now = utcnow()
    with db.session() as s:
        found = store.get_session(s, digest)
        if found is None:
            return None
        row, user = found
        idle = now - aware(row.last_seen_at) > timedelta(minutes=settings.web_session_idle_minutes)
        if aware(row.expires_at) <= now or idle or not user.active:
            store.drop_session(s, digest)
            return None
        if now - aware(row.last_seen_at) > SEEN_RESOLUTION:
            store.seen(s, digest, now)
        return SessionInfo(token_hash=digest, csrf_token=row.csrf_token, user=store.user_out(user),
                           expires_at=aware(row.expires_at))


def sign_out(db: Database, token: str | None) -> None:
    """End the session of ``token`` (no error when it is already gone); written to the audit log."""
    if not token:
        return
    digest = token_hash(token)
    with db.session() as s:
        found = store.get_session(s, digest)
        if found is None:
            return
        _row, user = found
        store.drop_session(s, digest)
        _audit(s, f"user:{user.username}#{user.id}", "web.sign_out", user.username)
