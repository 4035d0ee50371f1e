"""The inventory of the sample registry (examples/registry/registry.yaml, Kota Blitar) with no assessment runs:
every area gets a readiness line, and the gaps left there on purpose are found."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from hub.inventory import build_inventory, render_inventory
from registry.io import read
from registry.models import ApplicationIn, OpdIn, PemdaIn

from .factories import AS_OF

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "registry" / "registry.yaml"


@pytest.fixture(scope="module")
def inv():
    batch = read(EXAMPLE.read_bytes(), "yaml")
    assert not batch.errors
    pemda = PemdaIn.model_validate(batch.of("pemda")[0].data)
    opds = [OpdIn.model_validate(r.data) for r in batch.of("opd")]
    apps = [ApplicationIn.model_validate(r.data) for r in batch.of("applications")]
    return build_inventory(pemda, opds, apps, {}, as_of=AS_OF)


def apps_of(inv, kind):
    return {tuple(g.app_ids) if len(g.app_ids) > 1 else g.app_ids[0] for g in inv.gaps if g.kind == kind}


def test_every_area_gets_a_readiness_line(inv):
    assert [r.item for r in inv.readiness] == [8, 14, 15, 16, 17, 18, 19, 20]
    assert {r.area for r in inv.readiness if r.area} == {"perencanaan", "keuangan", "kantor_virtual", "monev",
                                                         "kepegawaian", "legislasi", "pelayanan_publik"}
    # nothing is assessed yet: every function has applications in production, none proven interoperable
    assert {r.outcome for r in inv.readiness} == {"sedang"}
    assert inv.totals.registered == 31 and inv.totals.assessed == 0
    assert {c.area for c in inv.coverage} >= {"lainnya"}


def test_duplicated_functions_are_found(inv):
    assert apps_of(inv, "GAP-003") == {("simpeg", "simpeg-dinkes"), ("e-monev", "simona")}
    overlaps = {g.app_ids[0]: g for g in inv.gaps if g.kind == "GAP-004"}
    assert "e-kinerja" in overlaps
    assert [e.app_id for e in overlaps["e-kinerja"].evidence] == ["e-kinerja", "e-kinerja-bkn"]


def test_vendor_lock_in_is_found(inv):
    lock_in = apps_of(inv, "GAP-006")
    assert {"e-pajak", "simpus", "simpeg-dinkes", "simona", "pelayanan"} <= lock_in
    assert "e-planning" not in lock_in and "sipkd" not in lock_in  # held; retired


def test_missing_contacts_are_found(inv):
    assert {"simpeg-dinkes", "website-pemkot", "antrean-dukcapil"} <= apps_of(inv, "GAP-010")


def test_retired_applications_are_found(inv):
    assert apps_of(inv, "GAP-012") == {"e-office", "sipkd"}
    assert apps_of(inv, "GAP-011") == set()  # no run: nothing can prove they still answer


def test_applications_without_integration_and_hosting_outside_the_data_center(inv):
    assert "e-kinerja" in apps_of(inv, "GAP-008")
    assert {"simpus", "e-monev", "antrean-dukcapil"} <= apps_of(inv, "GAP-009")
    assert {"simona", "e-pajak", "simpeg-dinkes"} <= apps_of(inv, "GAP-007")


def test_roadmap_and_exports_of_the_example(inv):
    assert inv.roadmap.quick_wins and all(i.horizon == "short" for i in inv.roadmap.quick_wins)
    assert {i.horizon for i in inv.roadmap.items} == {"short", "medium", "long"}
    assert load_workbook(io.BytesIO(render_inventory(inv, "xlsx"))).sheetnames
    assert Document(io.BytesIO(render_inventory(inv, "docx"))).tables
    html = render_inventory(inv, "html")
    # planners read the evidence in words; the ids and field paths stay in the JSON
    assert "E-Pajak Daerah (PBB-P2 dan BPHTB) — registri mencatat jenis: aplikasi khusus (lokal), kode sumber " \
           "dipegang Pemda: tidak" in html
    assert "GAP-006/e-pajak" not in html and "supplier.source_code_held" not in html
    data = render_inventory(inv, "json")
    assert "GAP-006/e-pajak" in data and '"supplier.source_code_held": false' in data
    assert "rina.w@" not in html and "0342" not in html  # no contact e-mail or phone in any report
