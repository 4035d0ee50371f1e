"""Web accounts and their sessions: rows in and out (tables in :mod:`registry.tables_web`).

The registry stores what the hub's user service hands it (argon2 hashes, SHA-256 of session tokens); it never sees
a password or a token. Every function takes an open session and does not commit.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from registry.convert import aware
from registry.errors import AlreadyExists, NotFoundError
from registry.tables import utcnow
from registry.tables_web import UserRow, WebSessionRow


class User(BaseModel):
    """An account as shown to people (never its password hash)."""

    id: int
    username: str
    display_name: str
    role: str
    kode_pemda: str | None = None
    kode_opd: str | None = None
    active: bool = True
    locked_until: datetime | None = Field(default=None, description="Sign-in refused until then (lock-out)")
    failed_logins: int = 0
    last_login_at: datetime | None = None
    created_at: datetime
    created_by: str | None = None

    @property
    def actor(self) -> str:
        return f"user:{self.username}#{self.id}"


def _aware(value: datetime | None) -> datetime | None:
    return aware(value) if value is not None else None


def user_out(row: UserRow) -> User:
    return User(id=row.id, username=row.username, display_name=row.display_name, role=row.role,
                kode_pemda=row.kode_pemda, kode_opd=row.kode_opd, active=row.active,
                locked_until=_aware(row.locked_until), failed_logins=row.failed_logins,
                last_login_at=_aware(row.last_login_at), created_at=aware(row.created_at), created_by=row.created_by)


def add_user(s: Session, *, username: str, display_name: str, role: str, password_hash: str,
             kode_pemda: str | None, kode_opd: str | None, actor: str) -> UserRow:
    if s.scalar(select(UserRow.id).where(UserRow.username == username)) is not None:
        raise AlreadyExists("user", username)
    now = utcnow()
    row = UserRow(username=username, display_name=display_name, role=role, password_hash=password_hash,
                  kode_pemda=kode_pemda, kode_opd=kode_opd, active=True, failed_logins=0, created_at=now,
                  updated_at=now, password_changed_at=now, created_by=actor)
    s.add(row)
    s.flush()
    return row


def find_user(s: Session, username: str) -> UserRow | None:
    return s.scalar(select(UserRow).where(UserRow.username == username))


def get_user_row(s: Session, username: str) -> UserRow:
    row = find_user(s, username)
    if row is None:
        raise NotFoundError("user", username, list(s.scalars(select(UserRow.username).limit(500))))
    return row


def list_users(s: Session) -> list[User]:
    return [user_out(r) for r in s.scalars(select(UserRow).order_by(UserRow.username))]


def touch(row: UserRow) -> None:
    row.updated_at = utcnow()


# --- sessions ---------------------------------------------------------------------------------------------------

def add_session(s: Session, *, token_hash: str, user_id: int, csrf_token: str, expires_at: datetime,
                user_agent: str | None) -> WebSessionRow:
    now = utcnow()
    row = WebSessionRow(token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now,
                        last_seen_at=now, expires_at=expires_at, user_agent=(user_agent or "")[:200] or None)
    s.add(row)
    s.flush()
    return row


def get_session(s: Session, token_hash: str) -> tuple[WebSessionRow, UserRow] | None:
    row = s.get(WebSessionRow, token_hash)
    if row is None:
        return None
    user = s.get(UserRow, row.user_id)
    return (row, user) if user is not None else None


def drop_session(s: Session, token_hash: str) -> None:
    s.execute(delete(WebSessionRow).where(WebSessionRow.token_hash == token_hash))


def drop_user_sessions(s: Session, user_id: int) -> int:
    return s.execute(delete(WebSessionRow).where(WebSessionRow.user_id == user_id)).rowcount or 0


def drop_expired_sessions(s: Session, now: datetime) -> int:
    return s.execute(delete(WebSessionRow).where(WebSessionRow.expires_at < now)).rowcount or 0


def seen(s: Session, token_hash: str, now: datetime) -> None:
    s.execute(update(WebSessionRow).where(WebSessionRow.token_hash == token_hash).values(last_seen_at=now))
