"""Between the nested domain model, flat dotted fields (CSV/XLSX columns, history) and table rows.

``APP_COLUMNS`` is the one map of an application's dotted field names to its table columns: the CSV/XLSX
header, the change history and the storage all follow it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from registry.models import (
    Application,
    ApplicationIn,
    ConnectorSpec,
    Contact,
    Hosting,
    Integration,
    Opd,
    OpdIn,
    Pemda,
    PemdaIn,
    Sla,
    Supplier,
)
from registry.tables import ApplicationRow, OpdRow, PemdaRow

# dotted field → column of ApplicationRow ("kode_opd" is resolved through the OPD row)
APP_COLUMNS: dict[str, str] = {
    "id": "id",
    "name": "name",
    "description": "description",
    "version": "app_version",
    "status": "status",
    "kode_pemda": "kode_pemda",
    "kode_opd": "kode_opd",
    "area": "area",
    "other_areas": "other_areas",
    "smart_city_dimensions": "smart_city_dimensions",
    "spbe_indicators": "spbe_indicators",
    "kind": "kind",
    "national_app": "national_app",
    "software_category": "software_category",
    "contact.name": "contact_name",
    "contact.position": "contact_position",
    "contact.email": "contact_email",
    "contact.phone": "contact_phone",
    "supplier.vendor": "vendor",
    "supplier.developer": "developer",
    "supplier.contract_number": "contract_number",
    "supplier.contract_start": "contract_start",
    "supplier.contract_end": "contract_end",
    "supplier.source_code_held": "source_code_held",
    "supplier.source_code_evidence": "source_code_evidence",
    "supplier.source_code_repository": "source_code_repository",
    "hosting.type": "hosting_type",
    "hosting.base_urls": "base_urls",
    "hosting.environment": "environment",
    "integration.connector.type": "connector_type",
    "integration.connector.config": "connector_config",
    "integration.provides": "provides",
    "integration.consumes": "consumes",
    "sla.availability_pct": "sla_availability_pct",
    "sla.response_time_ms": "sla_response_time_ms",
    "sla.rpo_hours": "sla_rpo_hours",
    "sla.rto_hours": "sla_rto_hours",
    "users_count": "users_count",
    "tags": "tags",
}
APP_FIELDS: list[str] = list(APP_COLUMNS)
LIST_FIELDS = frozenset({"other_areas", "smart_city_dimensions", "spbe_indicators", "hosting.base_urls",
                         "integration.provides", "integration.consumes", "tags"})
JSON_FIELDS = frozenset({"integration.connector.config"})
BOOL_FIELDS = frozenset({"supplier.source_code_held"})
NUMBER_FIELDS = frozenset({"sla.availability_pct", "sla.response_time_ms", "sla.rpo_hours", "sla.rto_hours",
                           "users_count"})
DATE_FIELDS = frozenset({"supplier.contract_start", "supplier.contract_end"})
PERSONAL_FIELDS = frozenset({"contact.email", "contact.phone"})
PEMDA_FIELDS = ["kode", "name", "level"]
OPD_FIELDS = ["kode_pemda", "kode", "name", "short_name"]


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything Simpul stores is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_PATHS: list[tuple[str, tuple[str, ...]]] = [(name, tuple(name.split("."))) for name in APP_FIELDS]


def flatten(data: dict[str, Any]) -> dict[str, Any]:
    """Nested application dict (``model_dump(mode="json")``) → ``{dotted field: value}`` for APP_FIELDS."""
    out: dict[str, Any] = {}
    for name, path in _PATHS:
        if len(path) == 1:
            out[name] = data.get(name)
            continue
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        out[name] = node
    return out


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    """``{dotted field: value}`` → nested dict; groups with only empty values are left out."""
    nested: dict[str, Any] = {}
    for name, value in flat.items():
        parts = name.split(".")
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    contact = nested.get("contact")
    if isinstance(contact, dict) and all(v in (None, "") for v in contact.values()):
        nested.pop("contact")
    integration = nested.get("integration")
    if isinstance(integration, dict):
        connector = integration.get("connector")
        if isinstance(connector, dict) and connector.get("type") in (None, "") and not connector.get("config"):
            integration.pop("connector")
        elif isinstance(connector, dict) and connector.get("config") is None:
            connector.pop("config")
    return nested


def _json_ready(value: Any) -> Any:
    if isinstance(value, datetime):
        return aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def application_from_row(row: ApplicationRow) -> Application:
    """A stored row as the domain model. Rows were validated when written, so the models are constructed
    directly (no re-validation: listing 50 applications stays well under a millisecond each)."""
    r = row
    contact = None
    if any((r.contact_name, r.contact_position, r.contact_email, r.contact_phone)):
        contact = Contact.model_construct(name=r.contact_name, position=r.contact_position, email=r.contact_email,
                                          phone=r.contact_phone)
    connector = None
    if r.connector_type:
        connector = ConnectorSpec.model_construct(type=r.connector_type, config=r.connector_config or {})
    return Application.model_construct(
        id=r.id, name=r.name, description=r.description, version=r.app_version, status=r.status,
        kode_pemda=r.kode_pemda, kode_opd=r.opd.kode, area=r.area, other_areas=list(r.other_areas or []),
        smart_city_dimensions=list(r.smart_city_dimensions or []), spbe_indicators=list(r.spbe_indicators or []),
        kind=r.kind, national_app=r.national_app, software_category=r.software_category, contact=contact,
        supplier=Supplier.model_construct(
            vendor=r.vendor, developer=r.developer, contract_number=r.contract_number,
            contract_start=r.contract_start, contract_end=r.contract_end, source_code_held=r.source_code_held,
            source_code_evidence=r.source_code_evidence, source_code_repository=r.source_code_repository),
        hosting=Hosting.model_construct(type=r.hosting_type, base_urls=list(r.base_urls or []),
                                        environment=r.environment or "production"),
        integration=Integration.model_construct(connector=connector, provides=list(r.provides or []),
                                                consumes=list(r.consumes or [])),
        sla=Sla.model_construct(availability_pct=r.sla_availability_pct, response_time_ms=r.sla_response_time_ms,
                                rpo_hours=r.sla_rpo_hours, rto_hours=r.sla_rto_hours),
        users_count=r.users_count, tags=list(r.tags or []), opd_name=r.opd.name, opd_short_name=r.opd.short_name,
        created_at=aware(r.created_at), updated_at=aware(r.updated_at), created_by=r.created_by,
        updated_by=r.updated_by, revision=r.version)


def row_values(app: ApplicationIn, opd_id: int, flat: dict[str, Any] | None = None) -> dict[str, Any]:
    """Column values of ApplicationRow for ``app`` (without bookkeeping columns); ``flat`` = flat_python(app)."""
    flat = flat if flat is not None else flat_python(app)
    values: dict[str, Any] = {}
    for name, column in APP_COLUMNS.items():
        if column == "kode_opd":
            continue
        value = flat[name]
        if name in LIST_FIELDS and value is None:
            value = []
        values[column] = value
    values["opd_id"] = opd_id
    values["tags_text"] = "|" + "|".join(app.tags) + "|" if app.tags else ""
    values["areas_text"] = "|" + "|".join([app.area, *app.other_areas]) + "|"
    return values


def pemda_from_row(row: PemdaRow) -> Pemda:
    return Pemda(kode=row.kode, name=row.name, level=row.level, created_at=aware(row.created_at),
                 updated_at=aware(row.updated_at), created_by=row.created_by, updated_by=row.updated_by,
                 revision=row.version)


def opd_from_row(row: OpdRow) -> Opd:
    return Opd(kode_pemda=row.kode_pemda, kode=row.kode, name=row.name, short_name=row.short_name,
               created_at=aware(row.created_at), updated_at=aware(row.updated_at), created_by=row.created_by,
               updated_by=row.updated_by, revision=row.version)


def input_of(record: Application | Pemda | Opd) -> ApplicationIn | PemdaIn | OpdIn:
    """The writable part of a stored record (what an export holds and an import reads)."""
    model = {Application: ApplicationIn, Pemda: PemdaIn, Opd: OpdIn}[type(record)]
    return model.model_validate(record.model_dump(include=set(model.model_fields)))


# --- change history ------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"^(.)[^@]*(@.*)$")


def mask_personal(field: str, value: Any) -> Any:
    """Personal data is never written to the history in full: e-mail ``a***@host``, phone ``***123``."""
    if field not in PERSONAL_FIELDS or not isinstance(value, str) or not value:
        return value
    if field == "contact.email":
        return _EMAIL.sub(r"\1***\2", value)
    digits = re.sub(r"\D", "", value)
    return "***" + digits[-3:]


def diff(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Field-level changes between two flat dicts: ``[{field, old, new}]`` in field order."""
    old = old or {}
    new = new or {}
    changes = []
    for name in (new if old.keys() == new.keys() or not old else dict.fromkeys([*old, *new])):
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        a, b = _json_ready(a), _json_ready(b)
        if _empty(a) and _empty(b):
            continue
        if a != b:
            changes.append({"field": name, "old": mask_personal(name, a), "new": mask_personal(name, b)})
    return changes


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def flat_python(app: ApplicationIn) -> dict[str, Any]:
    """Flat fields with Python values (dates as dates): for rows, and for :func:`diff` (which JSON-readies)."""
    return flatten(app.model_dump(mode="python"))


def flat_of(record: ApplicationIn | PemdaIn | OpdIn) -> dict[str, Any]:
    data = record.model_dump(mode="json")
    if isinstance(record, ApplicationIn):
        return flatten(data)
    fields = PEMDA_FIELDS if isinstance(record, PemdaIn) else OPD_FIELDS
    return {f: data.get(f) for f in fields}
