"""Export the registry as YAML, CSV or XLSX; an export imports back to the same registry (round trip)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import yaml
from sqlalchemy.orm import Session

from registry import header as registry_header
from registry import repository as repo
from registry.convert import flat_of, flatten, input_of
from registry.io.flat import format_cell
from registry.io.formats import SHEET_NAMES, columns_of
from registry.io.spreadsheets import csv_cell, protect_workbook
from registry.models import Application, Opd, Pemda
from registry.vocab import vocab

MEDIA_TYPES = {
    "yaml": "application/yaml",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ENUM_COLUMNS = {
    "status": "status", "area": "area", "kind": "kind", "software_category": "software_category",
    "hosting.type": "hosting", "hosting.environment": "environment", "supplier.developer": "developer",
    "national_app": "national_app", "level": "pemda_level",
}


def _clean(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _records(s: Session, filters: repo.ApplicationFilter | None, redact_contacts: bool = False,
             ) -> dict[str, list[Any]]:
    pemda = _all(lambda c: repo.list_pemda(s, limit=500, cursor=c))
    opd = _all(lambda c: repo.list_opd(s, limit=500, cursor=c))
    apps = list(repo.iter_applications(s, filters))
    if redact_contacts:
        apps = [a.model_copy(update={"contact": a.contact.model_copy(update={"email": None, "phone": None})})
                if a.contact else a for a in apps]
    return {"pemda": pemda, "opd": opd, "applications": apps}


def _all(fetch: Any) -> list[Any]:
    items, cursor = [], None
    while True:
        page = fetch(cursor)
        items.extend(page.items)
        if not page.next_cursor:
            return items
        cursor = page.next_cursor


def export(s: Session, fmt: str, entity: str = "applications",
           filters: repo.ApplicationFilter | None = None, *, redact_contacts: bool = False,
           with_settings: bool = False) -> bytes:
    """The registry as ``fmt``; CSV holds one ``entity``. ``redact_contacts`` drops contact e-mail/phone;
    ``with_settings`` writes the registry-wide settings (``probe_allow``) into the YAML header."""
    records = _records(s, filters, redact_contacts)
    if fmt == "yaml":
        allow = registry_header.get_setting(s, registry_header.PROBE_ALLOW) if with_settings else None
        return to_yaml(records, header={registry_header.PROBE_ALLOW: allow} if allow is not None else None)
    if fmt == "csv":
        return to_csv(entity, records[entity])
    return to_xlsx(records)


def to_yaml(records: dict[str, list[Pemda | Opd | Application]], header: dict[str, Any] | None = None) -> bytes:
    doc: dict[str, Any] = {"simpul_registry": 1, "exported_at": datetime.now(UTC).replace(microsecond=0).isoformat()}
    doc.update(header or {})
    for entity, items in records.items():
        doc[entity] = [_clean(input_of(r).model_dump(mode="json")) for r in items]
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(doc, Dumper=dumper, allow_unicode=True, sort_keys=False, width=110).encode("utf-8")


def _flat_rows(entity: str, items: Iterable[Pemda | Opd | Application]) -> list[list[Any]]:
    cols = columns_of(entity)
    rows = []
    for item in items:
        data = input_of(item)
        flat = flatten(data.model_dump(mode="json")) if entity == "applications" else flat_of(data)
        rows.append([format_cell(c, flat.get(c)) if entity == "applications" else (flat.get(c) or "")
                     for c in cols])
    return rows


def to_csv(entity: str, items: Iterable[Pemda | Opd | Application]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns_of(entity))
    writer.writerows([csv_cell(v) for v in row] for row in _flat_rows(entity, items))
    return buf.getvalue().encode("utf-8")


def to_xlsx(records: dict[str, list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    guide = wb.active
    guide.title = "petunjuk"
    guide.append(["kolom / column", "keterangan", "description", "nilai yang boleh / allowed values"])
    for entity, items in records.items():
        ws = wb.create_sheet(SHEET_NAMES[entity])
        cols = columns_of(entity)
        ws.append(cols)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in _flat_rows(entity, items):
            ws.append(row)
        for idx, col in enumerate(cols, start=1):
            letter = ws.cell(row=1, column=idx).column_letter
            ws.column_dimensions[letter].width = max(12, min(40, len(col) + 4))
            if col.startswith("kode") or col == "id":
                for (cell,) in ws.iter_rows(min_row=2, min_col=idx, max_col=idx):
                    cell.number_format = "@"
            name = ENUM_COLUMNS.get(col)
            if name:
                codes = ",".join(vocab(name).codes)
                dv = DataValidation(type="list", formula1=f'"{codes}"', allow_blank=True)
                dv.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(dv)
        ws.freeze_panes = "B2"
        for col in cols:
            guide.append([f"{SHEET_NAMES[entity]}.{col}", *_describe(col)])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    guide.column_dimensions["A"].width = 40
    protect_workbook(wb)
    guide.column_dimensions["B"].width = 60
    guide.column_dimensions["C"].width = 60
    guide.column_dimensions["D"].width = 60
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


COLUMN_HELP: dict[str, tuple[str, str]] = {
    "id": ("Pengenal tetap aplikasi (huruf kecil, angka, tanda hubung)", "Stable slug of the application"),
    "kode_pemda": ("Kode wilayah Kemendagri (mis. 35.72)", "Kemendagri region code (e.g. 35.72)"),
    "kode_opd": ("Kode unit SIPD OPD pemilik", "SIPD unit code of the owning OPD"),
    "kode": ("Kode (wilayah untuk Pemda, unit SIPD untuk OPD)", "Code (region for Pemda, SIPD unit for OPD)"),
    "other_areas": ("Bidang lain, dipisah ';'", "Other areas, separated by ';'"),
    "spbe_indicators": ("Nomor indikator layanan SPBE 32–47, dipisah ';'", "SPBE service indicators 32–47, ';'"),
    "supplier.source_code_held": ("Pemda memegang kode sumber? ya/tidak", "Does the Pemda hold the source code?"),
    "supplier.source_code_evidence": ("Bukti serah terima kode sumber (mis. nomor BAST)",
                                      "Evidence of the source-code hand-over (e.g. BAST number)"),
    "integration.connector.type": ("Jenis konektor (rest_json, openapi, csv, xlsx, sql, manual)",
                                   "Connector type"),
    "integration.connector.config": ('Pengaturan konektor (JSON); rahasia hanya {"env": "NAMA_VARIABEL"}',
                                     'Connector settings (JSON); secrets only as {"env": "VAR_NAME"}'),
    "integration.provides": ("Skema kanonik yang disediakan, dipisah ';'", "Canonical schemas provided, ';'"),
    "integration.consumes": ("Skema kanonik yang dipakai, dipisah ';'", "Canonical schemas consumed, ';'"),
    "hosting.base_urls": ("URL dasar, dipisah ';'", "Base URLs, separated by ';'"),
    "tags": ("Label bebas, dipisah ';'", "Free tags, separated by ';'"),
    "supplier.contract_start": ("Tanggal mulai kontrak (YYYY-MM-DD atau DD/MM/YYYY)", "Contract start date"),
    "supplier.contract_end": ("Tanggal akhir kontrak", "Contract end date"),
    "sla.availability_pct": ("Target ketersediaan (%)", "Availability target (%)"),
    "sla.response_time_ms": ("Target waktu tanggap (milidetik)", "Response time target (ms)"),
    "sla.rpo_hours": ("RPO (jam)", "Recovery point objective (hours)"),
    "sla.rto_hours": ("RTO (jam)", "Recovery time objective (hours)"),
}


def _describe(col: str) -> tuple[str, str, str]:
    text_id, text_en = COLUMN_HELP.get(col, ("", ""))
    name = ENUM_COLUMNS.get(col) or {"other_areas": "area", "smart_city_dimensions": "smart_city_dimension"}.get(col)
    allowed = ", ".join(vocab(name).codes) if name else ""
    return text_id, text_en, allowed
