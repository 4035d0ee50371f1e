"""Storage of a provincial Simpul's federation: its kabupaten/kota members and the copies it pulled from them.

* ``federation_member``: one kabupaten/kota Simpul (kode wilayah, name, base URL of its API, and the *name* of the
  environment variable holding its API key — never the key), with the outcome of the last pull.
* ``federation_opd``, ``federation_application``, ``federation_run``: the last complete copy of the member's OPDs,
  applications and latest assessment run per application, each with ``fetched_at``. A pull that fails keeps the
  previous copy untouched (the province shows it with its age); a pull that succeeds replaces it in one
  transaction. Removing a member deletes its copies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.tables import Base, utcnow

MEMBER_FK = "federation_member.kode_pemda"


class FederationMemberRow(Base):
    __tablename__ = "federation_member"

    kode_pemda: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    base_url: Mapped[str] = mapped_column(String(500))
    key_env: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    pemda: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the member's own Pemda record, as last copied
    fetched_at: Mapped[datetime | None] = mapped_column()  # when the copy below was taken (last good pull)
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    last_status: Mapped[str] = mapped_column(String(20), default="never")  # never | ok | failed
    last_error: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {code, id, en, http_status}
    last_duration_s: Mapped[float | None] = mapped_column(Float)


class _MemberCopy:
    """The columns every copy of a member's data has: the member it belongs to (first column, part of the primary
    key, deleted with the member) and when it was copied (last column)."""

    kode_pemda: Mapped[str] = mapped_column(String(5), ForeignKey(MEMBER_FK, ondelete="CASCADE"),
                                            primary_key=True, sort_order=-1)
    fetched_at: Mapped[datetime] = mapped_column(sort_order=1)


class FederationOpdRow(_MemberCopy, Base):
    __tablename__ = "federation_opd"

    kode: Mapped[str] = mapped_column(String(60), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class FederationApplicationRow(_MemberCopy, Base):
    __tablename__ = "federation_application"

    app_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class FederationRunRow(_MemberCopy, Base):
    __tablename__ = "federation_run"

    app_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    run_id: Mapped[str] = mapped_column(String(40))
    finished_at: Mapped[datetime] = mapped_column()
    level: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
