"""Storage tables (SQLAlchemy 2, typed ORM).

``Base`` is the one declarative base of Simpul: later features add their tables to ``Base.metadata`` and their
migrations to ``registry/migrations/versions``. Lists are JSON columns; nested application groups are flat
columns (``supplier.vendor`` → ``vendor``) so that auditors can query them with plain SQL. ``version`` is the
optimistic-concurrency counter behind the ETag.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON, datetime: DateTime(timezone=True)}


class _Stamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    updated_by: Mapped[str | None] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer, default=1, nullable=False)


class PemdaRow(_Stamped, Base):
    __tablename__ = "registry_pemda"

    kode: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(20))

    __mapper_args__ = {"version_id_col": _Stamped.version}  # noqa: RUF012


class OpdRow(_Stamped, Base):
    __tablename__ = "registry_opd"
    __table_args__ = (UniqueConstraint("kode_pemda", "kode"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kode_pemda: Mapped[str] = mapped_column(ForeignKey("registry_pemda.kode"), index=True)
    kode: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(120))

    __mapper_args__ = {"version_id_col": _Stamped.version}  # noqa: RUF012


class ApplicationRow(_Stamped, Base):
    __tablename__ = "registry_application"
    __table_args__ = (
        Index("ix_registry_application_name_id", "name", "id"),
        Index("ix_registry_application_updated_id", "updated_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kode_pemda: Mapped[str] = mapped_column(ForeignKey("registry_pemda.kode"), index=True)
    opd_id: Mapped[int] = mapped_column(ForeignKey("registry_opd.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    app_version: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20), index=True)
    area: Mapped[str] = mapped_column(String(30), index=True)
    other_areas: Mapped[list[Any]] = mapped_column(default=list)
    smart_city_dimensions: Mapped[list[Any]] = mapped_column(default=list)
    spbe_indicators: Mapped[list[Any]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    national_app: Mapped[str | None] = mapped_column(String(40))
    software_category: Mapped[str | None] = mapped_column(String(20))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_position: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    vendor: Mapped[str | None] = mapped_column(String(200))
    developer: Mapped[str | None] = mapped_column(String(30))
    contract_number: Mapped[str | None] = mapped_column(String(120))
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    source_code_held: Mapped[bool | None] = mapped_column(Boolean)
    source_code_evidence: Mapped[str | None] = mapped_column(Text)
    source_code_repository: Mapped[str | None] = mapped_column(String(500))
    hosting_type: Mapped[str | None] = mapped_column(String(30), index=True)
    base_urls: Mapped[list[Any]] = mapped_column(default=list)
    environment: Mapped[str | None] = mapped_column(String(20))
    connector_type: Mapped[str | None] = mapped_column(String(40), index=True)
    connector_config: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    provides: Mapped[list[Any]] = mapped_column(default=list)
    consumes: Mapped[list[Any]] = mapped_column(default=list)
    sla_availability_pct: Mapped[float | None] = mapped_column(Float)
    sla_response_time_ms: Mapped[int | None] = mapped_column(Integer)
    sla_rpo_hours: Mapped[float | None] = mapped_column(Float)
    sla_rto_hours: Mapped[float | None] = mapped_column(Float)
    users_count: Mapped[int | None] = mapped_column(Integer)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    # "|tag|tag|" and "|area|area|": denormalised for LIKE filters that work the same on SQLite and PostgreSQL.
    tags_text: Mapped[str] = mapped_column(String(1400), default="")
    areas_text: Mapped[str] = mapped_column(String(300), default="")

    opd: Mapped[OpdRow] = relationship(lazy="joined", innerjoin=True)

    __mapper_args__ = {"version_id_col": _Stamped.version}  # noqa: RUF012


class ChangeRow(Base):
    """Change history of registry records; no foreign key, so the history outlives a deleted record."""

    __tablename__ = "registry_change"
    __table_args__ = (Index("ix_registry_change_entity", "entity", "entity_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changes: Mapped[list[Any]] = mapped_column(default=list)


class ApiKeyRow(Base):
    """API keys: only the SHA-256 of the token is stored; ``prefix`` identifies a key in lists and logs."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    kode_pemda: Mapped[str | None] = mapped_column(String(5))
    kode_opd: Mapped[str | None] = mapped_column(String(40))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(200))
    revoked_at: Mapped[datetime | None] = mapped_column()
    last_used_at: Mapped[datetime | None] = mapped_column()
    # bumped with every change of the key's consumer scopes (hub/exchange/scopes.py): read with the key on each
    # request, so every API process knows at once when its cached scopes are stale
    scopes_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class SettingRow(Base):
    """Registry-wide settings that travel in the registry file's header (e.g. ``probe_allow``)."""

    __tablename__ = "registry_setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    # nullable as migration 0009 made it (tests/registry/test_migrations_match_models.py keeps the two equal)
    value: Mapped[Any] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[str | None] = mapped_column(String(200))
