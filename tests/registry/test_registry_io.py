"""Import and export: every bad row reported and nothing stored; re-import is a no-op; export round-trips."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from registry import repository as repo
from registry.db import Database
from registry.io import Scope, detect_format, export, import_batch, read
from registry.tables import ApplicationRow, ChangeRow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "registry"


def _import(db: Database, content: bytes, fmt: str, **kw):  # type: ignore[no-untyped-def]
    with db.session() as s:
        return import_batch(s, read(content, fmt, kw.pop("name", "")), kw.pop("actor", "test"), **kw)


def _count(db: Database, table) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(table)) or 0


def test_sample_registry_covers_every_area_both_kinds_and_realistic_gaps(loaded_db: Database):
    with loaded_db.session() as s:
        apps = list(repo.iter_applications(s))
        opds = repo.list_opd(s, limit=100).items
    assert len(opds) >= 8 and len(apps) >= 25
    assert {a.area for a in apps} >= {"perencanaan", "keuangan", "kantor_virtual", "monev", "kepegawaian",
                                      "legislasi", "pelayanan_publik", "lainnya"}
    assert {a.kind for a in apps} == {"umum", "khusus"}
    assert {a.national_app for a in apps} >= {"sipd", "srikandi", "sp4n_lapor", "siasn"}
    by_id = {a.id: a for a in apps}
    for slug, port in (("e-planning", 8101), ("e-budgeting", 8102), ("simpeg", 8103), ("jdih", 8104),
                       ("pelayanan", 8105)):
        assert by_id[slug].hosting.base_urls == [f"http://127.0.0.1:{port}"]
        # the legacy SIMPEG only exports spreadsheets; the others have a JSON API
        expected = "spreadsheet" if slug == "simpeg" else "rest_json"
        assert by_id[slug].integration.connector.type == expected
        assert by_id[slug].integration.connector.config["resources"], "every runnable app declares its resources"
    assert any(a.status == "retired" for a in apps)
    assert any(a.contact is None for a in apps)
    assert any(a.hosting.type == "vendor_hosted" and a.supplier.source_code_held is False for a in apps)
    assert any(a.integration.connector is None for a in apps)
    kepeg_khusus = [a for a in apps if a.area == "kepegawaian" and a.kind == "khusus"]
    assert len({a.kode_opd for a in kepeg_khusus}) > 1  # duplicated function across OPDs


def test_reimport_changes_nothing(loaded_db: Database, example_yaml: bytes):
    before = _count(loaded_db, ChangeRow)
    report = _import(loaded_db, example_yaml, "yaml")
    assert report.valid
    assert report.counts["applications"] == {"created": 0, "updated": 0, "unchanged": 31}
    assert _count(loaded_db, ChangeRow) == before


@pytest.mark.parametrize("fmt", ["yaml", "xlsx"])
def test_export_then_import_round_trips(loaded_db: Database, tmp_path: Path, fmt: str,
                                        registry_sqlite_template):  # type: ignore[no-untyped-def]
    with loaded_db.session() as s:
        first = export(s, fmt)
    fresh = Database(registry_sqlite_template.copy(tmp_path, "fresh.db"))
    report = _import(fresh, first, fmt)
    assert report.valid, report.errors
    assert report.counts["applications"]["created"] == 31
    with loaded_db.session() as a, fresh.session() as b:
        assert [x.model_dump(exclude={"created_at", "updated_at", "created_by", "updated_by"})
                for x in repo.iter_applications(a)] == \
               [x.model_dump(exclude={"created_at", "updated_at", "created_by", "updated_by"})
                for x in repo.iter_applications(b)]
    assert _import(loaded_db, first, fmt).counts["applications"]["unchanged"] == 31
    fresh.dispose()


def test_csv_round_trip_per_entity(loaded_db: Database):
    with loaded_db.session() as s:
        for entity in ("pemda", "opd", "applications"):
            data = export(s, "csv", entity)
            assert detect_format(data, f"x-{entity}.csv") == "csv"
            report = import_batch(s, read(data, "csv", f"{entity}.csv"), "test", dry_run=True)
            assert report.valid, report.errors
            assert set(report.counts[entity]) and report.counts[entity]["created"] == 0
            assert report.counts[entity]["updated"] == 0


@pytest.mark.parametrize("name", ["aplikasi-opd-salah.csv", "aplikasi-opd-salah.xlsx"])
def test_spreadsheet_with_bad_rows_is_rejected_one_message_per_bad_cell(loaded_db: Database, name: str):
    before = _count(loaded_db, ApplicationRow), _count(loaded_db, ChangeRow)
    content = (EXAMPLES / name).read_bytes()
    report = _import(loaded_db, content, detect_format(content, name), name=name)
    assert not report.valid
    got = {(e.row, e.field, e.code) for e in report.errors}
    assert (2, "contact.name", "missing") in got
    assert (3, "id", "string_pattern_mismatch") in got
    assert {(4, "status", "enum"), (4, "area", "enum")} <= got
    assert (5, "kode_opd", "registry_unknown_reference") in got
    assert (5, "supplier.source_code_held", "registry_cell_bool") in got
    assert {(6, "supplier.contract_start", "registry_cell_date"), (6, "sla.availability_pct", "less_than_equal"),
            (6, "contact.email", "string_pattern_mismatch")} <= got
    assert (7, "integration.connector.config", "registry_secret_literal") in got
    assert (8, "id", "registry_duplicate_row") in got
    assert not any(e.row == 9 for e in report.errors)  # empty rows are skipped
    assert all("rahasia" not in e.message for e in report.errors)
    assert (_count(loaded_db, ApplicationRow), _count(loaded_db, ChangeRow)) == before


def test_dry_run_stores_nothing_and_predicts_counts(registry_db: Database, example_yaml: bytes):
    report = _import(registry_db, example_yaml, "yaml", dry_run=True)
    assert report.valid and report.counts["applications"]["created"] == 31
    assert _count(registry_db, ApplicationRow) == 0


def test_indonesian_spreadsheet_conventions(loaded_db: Database):
    csv = ("id;name;status;kode_pemda;kode_opd;area;kind;sla.availability_pct;supplier.contract_start;"
           "supplier.source_code_held;tags\n"
           "e-retribusi;E-Retribusi;Produksi;35.72;5.02.0.00.0.00.02.0000;Keuangan Daerah;aplikasi khusus;99,5;"
           "02/01/2024;ya;\"pad; pasar\"\n").encode("utf-8-sig")
    report = _import(loaded_db, csv, "csv")
    assert report.valid, report.errors
    with loaded_db.session() as s:
        app = repo.get_application(s, "e-retribusi")
    assert (app.status, app.area, app.kind, app.sla.availability_pct) == ("production", "keuangan", "khusus", 99.5)
    assert str(app.supplier.contract_start) == "2024-01-02" and app.supplier.source_code_held is True
    assert app.tags == ["pad", "pasar"]


def test_unknown_columns_and_unreadable_files(loaded_db: Database):
    report = _import(loaded_db, b"id,name,kode_opd,stauts\nx,y,z,w\n", "csv")
    assert any(e.code == "registry_unknown_column" and e.field == "stauts" for e in report.errors)
    report = _import(loaded_db, b"pemda: [\n", "yaml")
    assert report.errors[0].code == "registry_yaml_syntax"
    from registry.io import FormatError

    with pytest.raises(FormatError):
        read(b"PK\x03\x04 not really a zip", "xlsx")


def test_opd_scope_allows_only_its_own_applications(loaded_db: Database, example_yaml: bytes):
    report = _import(loaded_db, example_yaml, "yaml", scope=Scope("35.72", "5.01.5.05.0.00.01.0000"))
    codes = {e.code for e in report.errors}
    assert codes == {"registry_row_forbidden_org", "registry_row_forbidden_opd"}
    with loaded_db.session() as s:
        own = export(s, "yaml", filters=repo.ApplicationFilter(kode_opd="5.01.5.05.0.00.01.0000"))
    import yaml

    doc = yaml.safe_load(own)
    doc.pop("pemda"), doc.pop("opd")
    report = _import(loaded_db, yaml.safe_dump(doc).encode(), "yaml", scope=Scope("35.72", "5.01.5.05.0.00.01.0000"))
    assert report.valid, report.errors


def test_xlsx_export_has_instructions_and_dropdowns(loaded_db: Database):
    with loaded_db.session() as s:
        data = export(s, "xlsx")
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["petunjuk", "pemda", "opd", "aplikasi"]
    assert wb["aplikasi"].max_row == 32
    assert wb["aplikasi"].data_validations.dataValidation
