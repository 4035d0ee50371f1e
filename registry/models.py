"""Domain model of the registry (pydantic v2): Pemda, OPD and Application, with their code lists as enums.

The enums are built from the data files in ``registry/data`` (see :mod:`registry.vocab`); a value may also be
given as one of its aliases or labels (``"Keuangan Daerah"`` → ``keuangan``), which is normalised on input.

Nested groups of an application (``contact``, ``supplier``, ``hosting``, ``integration``, ``sla``) are flattened
into dotted column names (``supplier.vendor``) in CSV/XLSX files and in the change history.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from registry.secrets import check_connector_config
from registry.vocab import roles, vocab


def _enum(name: str, vocab_name: str) -> type[StrEnum]:
    return StrEnum(name, {code: code for code in vocab(vocab_name).codes})  # type: ignore[return-value]


PemdaLevel = _enum("PemdaLevel", "pemda_level")
Status = _enum("Status", "status")
Kind = _enum("Kind", "kind")
SoftwareCategory = _enum("SoftwareCategory", "software_category")
HostingType = _enum("HostingType", "hosting")
Environment = _enum("Environment", "environment")
Developer = _enum("Developer", "developer")
Area = _enum("Area", "area")
Dimension = _enum("Dimension", "smart_city_dimension")
NationalApp = _enum("NationalApp", "national_app")
Role = StrEnum("Role", {r: r for r in roles()})

SPBE_INDICATORS: frozenset[int] = frozenset(int(c) for c in vocab("spbe_indicator").codes)

# Columns an API client may send back after a GET; they are read-only and silently ignored on input.
READ_ONLY_FIELDS = ("created_at", "updated_at", "created_by", "updated_by", "revision", "opd_name", "opd_short_name",
                    "etag")

_READ_ONLY = frozenset(READ_ONLY_FIELDS)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")  # control chars, lone surrogates


def _no_control(value: str) -> str:
    if _CONTROL.search(value):
        raise PydanticCustomError("registry_control_char", "must not contain control characters")
    return value


def _normalizer(vocab_name: str) -> BeforeValidator:
    return BeforeValidator(lambda v: vocab(vocab_name).normalize(v))


Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=4000), AfterValidator(_no_control)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
                 AfterValidator(_no_control)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120),
                  AfterValidator(_no_control)]
Slug = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=80,
                                        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$")]
KodePemda = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d{2}(?:\.\d{2})?$")]
KodeOpd = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40,
                                           pattern=r"^\d{1,2}(?:\.\d{1,4}){1,9}$")]
Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500,
                                       pattern=r"^https?://[^\s/$.?#][^\s\x00-\x1f]*$"),
               AfterValidator(_no_control)]
SchemaKey = Annotated[str, StringConstraints(
    strip_whitespace=True, max_length=200,
    pattern=r"^(?:urn:simpul:schema:)?[a-z][a-z0-9_]*/[a-z][a-z0-9_]*(?::\d+)?$")]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40,
                                       pattern=r"^[\w][\w .:/+-]*$")]
VarName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]{0,127}$")]

AreaField = Annotated[Area, _normalizer("area")]  # type: ignore[valid-type]
DimensionField = Annotated[Dimension, _normalizer("smart_city_dimension")]  # type: ignore[valid-type]


def _spbe(value: int) -> int:
    if value not in SPBE_INDICATORS:
        raise PydanticCustomError("registry_spbe_indicator", "SPBE service indicator must be one of {allowed}",
                                  {"allowed": f"{min(SPBE_INDICATORS)}–{max(SPBE_INDICATORS)}"})
    return value


SpbeIndicator = Annotated[int, AfterValidator(_spbe)]


def _dedupe(values: list[Any]) -> list[Any]:
    seen: list[Any] = []
    for v in values:
        if v not in seen:
            seen.append(v)
    return seen


L = TypeVar("L")
Unique = Annotated[L, AfterValidator(_dedupe)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, use_enum_values=True,
                              ser_json_inf_nan="null")

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict) and not _READ_ONLY.isdisjoint(data) and cls.model_config.get("extra") == "forbid":
            return {k: v for k, v in data.items() if k not in _READ_ONLY}
        return data


class Stamps(BaseModel):
    """Bookkeeping of every stored record; ``revision`` counts writes and is the ETag (optimistic concurrency)."""

    created_at: datetime
    updated_at: datetime
    created_by: str | None = None
    updated_by: str | None = None
    revision: int = Field(ge=1, description="Counts the writes of this record; the ETag is \"r<revision>\"")


# --- Pemda and OPD -------------------------------------------------------------------------------------------


class PemdaIn(_In):
    kode: KodePemda = Field(description="Kemendagri kode wilayah: 2 digits (provinsi) or NN.NN (kabupaten/kota)",
                            examples=["35.72"])
    name: Name = Field(examples=["Kota Blitar"])
    level: Annotated[PemdaLevel, _normalizer("pemda_level")]  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _level_matches_code(self) -> PemdaIn:
        is_province = "." not in self.kode
        if is_province != (self.level == "provinsi"):
            raise PydanticCustomError(
                "registry_pemda_level", "level {level} does not match kode wilayah {kode} (NN = provinsi, "
                "NN.NN = kabupaten/kota)", {"level": self.level, "kode": self.kode})
        if not is_province:
            number = int(self.kode.split(".")[1])
            if (self.level == "kota") != (number >= 71):
                raise PydanticCustomError(
                    "registry_pemda_level", "level {level} does not match kode wilayah {kode} (kota codes are "
                    "NN.71 and above, kabupaten codes below)", {"level": self.level, "kode": self.kode})
        return self


class Pemda(PemdaIn, Stamps):
    model_config = ConfigDict(extra="ignore", use_enum_values=True)


class OpdIn(_In):
    kode_pemda: KodePemda = Field(examples=["35.72"])
    kode: KodeOpd = Field(description="SIPD unit code of the OPD", examples=["5.01.5.05.0.00.01.0000"])
    name: Name = Field(examples=["Badan Perencanaan Pembangunan Daerah"])
    short_name: Short | None = Field(default=None, examples=["Bappeda"])


class Opd(OpdIn, Stamps):
    model_config = ConfigDict(extra="ignore", use_enum_values=True)


# --- Application ---------------------------------------------------------------------------------------------


class Contact(_In):
    name: Name
    position: Short | None = Field(default=None, description="Jabatan")
    email: Annotated[str, StringConstraints(max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                     AfterValidator(_no_control)] | None = None
    phone: Annotated[str, StringConstraints(max_length=30, pattern=r"^\+?[0-9][0-9 ()-]{5,28}$")] | None = None


class Supplier(_In):
    vendor: Name | None = Field(default=None, description="Supplier company or the developing unit")
    developer: Annotated[Developer, _normalizer("developer")] | None = None  # type: ignore[valid-type]
    contract_number: Short | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    source_code_held: bool | None = Field(
        default=None, description="Whether the Pemda holds the source code (null = unknown)")
    source_code_evidence: Text | None = Field(
        default=None, description="Evidence of the hand-over, e.g. BAST number and date")
    source_code_repository: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500),
                                      AfterValidator(_no_control)] | None = Field(
        default=None, description="Where the source code is kept (repository URL or archive location)")

    @model_validator(mode="after")
    def _contract_dates(self) -> Supplier:
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            raise PydanticCustomError("registry_contract_dates", "contract_end is before contract_start")
        return self


class Hosting(_In):
    type: Annotated[HostingType, _normalizer("hosting")] | None = None  # type: ignore[valid-type]
    base_urls: Unique[list[Url]] = Field(default_factory=list, max_length=10)
    environment: Annotated[Environment, _normalizer("environment")] = "production"  # type: ignore[valid-type]


class ConnectorSpec(_In):
    type: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, max_length=40,
                                           pattern=r"^[a-z][a-z0-9_]*$"), _normalizer("connector_type")]
    config: dict[str, Any] = Field(
        default_factory=dict,
        description='Connector settings. Secrets only as references: {"env": "VAR_NAME"}.')

    @field_validator("config")
    @classmethod
    def _secrets_are_references(cls, value: dict[str, Any]) -> dict[str, Any]:
        check_connector_config(value)
        return value


class Integration(_In):
    connector: ConnectorSpec | None = None
    provides: Unique[list[SchemaKey]] = Field(default_factory=list, max_length=100,
                                      description="Canonical schemas it provides, e.g. perencanaan/program")
    consumes: Unique[list[SchemaKey]] = Field(default_factory=list, max_length=100)


class Sla(_In):
    availability_pct: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    response_time_ms: int | None = Field(default=None, ge=1, le=3_600_000)
    rpo_hours: float | None = Field(default=None, ge=0, le=8760, allow_inf_nan=False)
    rto_hours: float | None = Field(default=None, ge=0, le=8760, allow_inf_nan=False)


class ApplicationIn(_In):
    id: Slug = Field(description="Stable slug, e.g. e-planning", examples=["e-planning"])
    name: Name
    description: Text | None = None
    version: Short | None = None
    status: Annotated[Status, _normalizer("status")]  # type: ignore[valid-type]
    kode_pemda: KodePemda
    kode_opd: KodeOpd = Field(description="Owning OPD (SIPD unit code)")
    area: AreaField = Field(description="Main function area (Tabel II.3 items 14–20, or lainnya)")
    other_areas: Unique[list[AreaField]] = Field(default_factory=list, max_length=8)
    smart_city_dimensions: Unique[list[DimensionField]] = Field(default_factory=list, max_length=6)
    spbe_indicators: Unique[list[SpbeIndicator]] = Field(default_factory=list, max_length=16)
    kind: Annotated[Kind, _normalizer("kind")]  # type: ignore[valid-type]
    national_app: Annotated[NationalApp, _normalizer("national_app")] | None = None  # type: ignore[valid-type]
    software_category: Annotated[SoftwareCategory, _normalizer("software_category")] | None = None  # type: ignore[valid-type]
    contact: Contact | None = None
    supplier: Supplier = Field(default_factory=Supplier)
    hosting: Hosting = Field(default_factory=Hosting)
    integration: Integration = Field(default_factory=Integration)
    sla: Sla = Field(default_factory=Sla)
    users_count: int | None = Field(default=None, ge=0, le=1_000_000_000)
    tags: Unique[list[Tag]] = Field(default_factory=list, max_length=30)

    @model_validator(mode="after")
    def _consistent(self) -> ApplicationIn:
        if self.area in self.other_areas:
            self.other_areas = [a for a in self.other_areas if a != self.area]
        if self.national_app and self.kind != "umum":
            raise PydanticCustomError("registry_national_app_kind",
                                      "national_app is only for kind umum (aplikasi umum)")
        return self


class Application(ApplicationIn, Stamps):
    model_config = ConfigDict(extra="ignore", use_enum_values=True)

    opd_name: str | None = None
    opd_short_name: str | None = None


class Change(BaseModel):
    """One entry of the change history: who changed what, when."""

    id: int
    entity: str
    entity_id: str
    action: str
    actor: str
    at: datetime
    changes: list[dict[str, Any]] = Field(default_factory=list,
                                          description="Field-level diff: [{field, old, new}] with dotted fields")


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None
