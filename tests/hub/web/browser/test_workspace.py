"""The web workspace in a real browser (Debian's chromium through Playwright): signing in and out, roles, a
registry edit with a conflict, an import with bad cells, an assessment started from the page and watched to the
end against a running example application, a manual answer, the validator on an XLSX with bad cells, the
inventory downloads, the English switch, the main forms with JavaScript off, and an axe-core scan plus
screenshots (360 px and 1366 px) of every page."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook

from tests.hub.web.browser.conftest import axe_violations, shoot, sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "beranda": "/", "aplikasi": "/aplikasi", "aplikasi-detail": "/aplikasi/e-planning",
    "aplikasi-ubah": "/aplikasi/e-planning/ubah", "aplikasi-baru": "/aplikasi/baru",
    "aplikasi-impor": "/aplikasi/impor",
    "penilaian": "/penilaian", "penilaian-aplikasi": "/penilaian/aplikasi/e-planning",
    "penilaian-manual": "/penilaian/aplikasi/e-planning/manual/SCA-005", "kesenjangan": "/kesenjangan",
    "monev": "/kesenjangan/monev?dari=2026-01-01&sampai=2026-12-31", "validator": "/validator", "skema": "/skema",
    "skema-pegawai": "/skema/kepegawaian/pegawai", "pertukaran": "/pertukaran", "audit": "/audit?verify=1",
    "provinsi": "/provinsi", "sertifikat": "/sertifikat",
}


def _xlsx_with_bad_cells() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Pegawai"
    sheet.append(["nip", "jenis_asn", "nama", "tanggal_lahir", "jenis_kelamin"])
    sheet.append(["198501012010011001", "PNS", "Budi Santoso", "1985-01-01", "L"])
    sheet.append(["12345", "PNS", "Sari", "1985-13-40", "X"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_sign_in_and_out(open_as):
    page = open_as(None)
    assert page.locator("html").get_attribute("lang") == "id"
    sign_in(page, "auditor", "salah-sekali-123", expect_ok=False)  # wrong password: stays on the form, message shown
    assert page.get_by_role("alert").filter(has_text="salah").count() >= 1
    sign_in(page, "auditor")
    assert page.get_by_role("heading", name="Selamat datang, Uji Auditor").is_visible()
    page.get_by_role("button", name="Keluar").click()
    page.wait_for_url("**/masuk")
    assert page.get_by_text("Anda sudah keluar.").is_visible()
    page.goto("/aplikasi")
    assert "/masuk?next=/aplikasi" in page.url


def test_each_role_sees_only_what_it_may(open_as):
    vendor = open_as("vendor")
    nav = vendor.get_by_role("navigation", name="Menu utama")
    assert nav.get_by_role("link", name="Validator").is_visible()
    assert nav.get_by_role("link", name="Aplikasi").count() == 0
    response = vendor.goto("/aplikasi")
    assert response.status == 403 and vendor.get_by_role("alert").is_visible()
    viewer = open_as("viewer")
    viewer.goto("/aplikasi/e-planning")
    assert viewer.get_by_role("link", name="Ubah").count() == 0
    assert viewer.goto("/aplikasi/e-planning/ubah").status == 403


def test_registry_edit_with_a_conflict(open_as, site):
    from hub.services.registry import RegistryService
    from hub.services.registry_access import Principal

    page = open_as("admin")
    page.goto("/aplikasi/e-budgeting/ubah")
    page.get_by_label("Versi").fill("5.1")
    current = RegistryService(site.db, Principal.cli()).get_application("e-budgeting")
    RegistryService(site.db, Principal(actor="user:rina#77", role="admin", name="Rina")).patch_application(
        "e-budgeting", {"users_count": 999}, f'"r{current.revision}"')
    page.get_by_role("button", name="Simpan").click()
    notice = page.locator("#conflict")
    assert "user:rina#77" in notice.inner_text()
    shoot(page, "aplikasi-konflik-1366")
    assert page.get_by_label("Versi").input_value() == "5.1"  # what the user typed is kept
    page.get_by_role("button", name="Simpan").click()  # saved deliberately over the newer revision
    page.wait_for_url("**/aplikasi/e-budgeting")
    assert page.get_by_text("Perubahan tersimpan.").is_visible() and page.get_by_text("5.1").first.is_visible()


def test_import_with_bad_cells(open_as):
    page = open_as("operator")
    page.goto("/aplikasi/impor")
    csv = ("id,name,status,kode_pemda,kode_opd,area,kind\n"
           "si-c,SI C,production,35.72,5.01.5.05.0.00.01.0000,perencanaan,khusus\n"
           "si-d,,dibuang,35.72,5.01.5.05.0.00.01.0000,perencanaan,khusus\n")
    page.get_by_label("Berkas").set_input_files(files=[{"name": "opd.csv", "mimeType": "text/csv",
                                                        "buffer": csv.encode()}])
    page.get_by_role("button", name="Periksa / impor").click()
    table = page.get_by_role("table")
    assert table.get_by_role("row").count() >= 3  # header + the name and status cells of row 3
    assert "Tidak ada yang disimpan" in page.inner_text("main")
    shoot(page, "aplikasi-impor-salah-1366")
    assert page.goto("/aplikasi/si-c").status == 404


def test_assessment_started_from_the_page_and_watched_to_the_end(open_as):
    page = open_as("auditor")
    page.goto("/penilaian")
    page.get_by_label("Pilih E-Planning Kota Blitar", exact=True).check()
    page.get_by_role("button", name="Nilai yang dipilih").click()
    page.wait_for_url(re.compile(r"/penilaian/tugas/[0-9a-f]+$"))
    assert page.locator("progress").is_visible()
    page.get_by_role("heading", name="Hasil").wait_for(timeout=150_000)  # the script reloads when the job ends
    assert page.locator("[data-job-status]").inner_text() == "selesai"
    page.get_by_role("link", name="E-Planning Kota Blitar").click()
    page.wait_for_url("**/penilaian/hasil/*")
    assert page.get_by_role("img", name=re.compile("Skor per standar")).is_visible()
    assert page.locator("pre code").filter(has_text="curl").count() >= 1
    shoot(page, "penilaian-hasil-1366")
    assert not axe_violations(page)


def test_manual_answer(open_as):
    page = open_as("auditor")
    page.goto("/penilaian/aplikasi/e-planning/manual/SCA-005")
    page.get_by_label("lulus").check()
    page.get_by_label("Judul bukti").fill("BAST kode sumber 027/2025")
    page.get_by_label("Tautan bukti").fill("https://arsip.blitarkota.example/bast-027.pdf")
    page.get_by_role("button", name="Simpan jawaban").click()
    page.wait_for_url("**/penilaian/aplikasi/e-planning")
    assert page.get_by_role("link", name="BAST kode sumber 027/2025").is_visible()


def test_validator_on_an_xlsx_with_bad_cells(open_as):
    page = open_as("vendor")
    page.goto("/validator")
    page.get_by_label("Skema").select_option("kepegawaian/pegawai")
    page.get_by_label("Atau unggah berkas").set_input_files(files=[{
        "name": "pegawai.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": _xlsx_with_bad_cells()}])
    page.get_by_role("button", name="Validasi").click()
    main = page.inner_text("main")
    assert "Tidak valid" in main and "Pegawai · Baris 3 · Kolom A" in main
    shoot(page, "validator-hasil-1366")
    with page.expect_download() as sarif:
        page.get_by_role("button", name="SARIF").click()
    assert sarif.value.suggested_filename.endswith(".sarif")
    assert not axe_violations(page)


def test_inventory_downloads(open_as):
    page = open_as("auditor")
    page.goto("/kesenjangan")
    for label, suffix in (("Excel (XLSX)", ".xlsx"), ("Word (DOCX)", ".docx"), ("JSON", ".json")):
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile(re.escape(label))).click()
        assert download.value.suggested_filename.endswith(suffix)
        assert download.value.failure() is None


def test_english_switch_is_remembered(open_as):
    page = open_as("admin")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/aplikasi")
    assert page.get_by_role("heading", name="Applications").is_visible()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    assert page.get_by_role("heading", name="Aplikasi").is_visible()


def test_main_forms_work_with_javascript_off(open_as):
    page = open_as("admin", js=False)
    page.goto("/aplikasi/e-planning/ubah")
    page.get_by_label("Jumlah pengguna").fill("450")
    page.get_by_role("button", name="Simpan").click()
    assert page.get_by_text("Perubahan tersimpan.").is_visible()
    page.goto("/validator")
    page.get_by_label("Skema").select_option("kepegawaian/pegawai")
    page.get_by_label("Tempel JSON atau NDJSON").fill('{"nip": "1985", "nama": "Budi"}')
    page.get_by_role("button", name="Validasi").click()
    assert "Tidak valid" in page.inner_text("main")
    page.goto("/aplikasi/baru")
    page.get_by_role("button", name="Simpan").click()
    assert page.locator("#error-summary").is_visible()
    page.goto("/penilaian")
    page.get_by_label("Pilih SIMPEG Kota Blitar", exact=True).check()
    page.get_by_role("button", name="Nilai yang dipilih").click()
    assert page.get_by_role("link", name="Perbarui halaman untuk melihat kemajuan").is_visible() or \
        page.get_by_role("heading", name="Hasil").is_visible()


@pytest.mark.parametrize("width", ["1366", "360"])
def test_every_page_passes_axe_and_is_photographed(open_as, width, site, monkeypatch):
    _province_of_itself(site, monkeypatch)
    page = open_as(None, width=width)
    shoot(page, f"masuk-{width}")
    problems = {"masuk": axe_violations(page)}
    sign_in(page, "admin")
    for name, path in PAGES.items():
        response = page.goto(path)
        assert response.status == 200, path
        shoot(page, f"{name}-{width}")
        if width == "360":  # nothing wider than a phone: wide tables scroll inside their own box
            assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        if width == "1366":
            problems[name] = axe_violations(page)
    # the certificate page's other states: the error summary (nothing chosen) and a verdict (a forged file)
    page.goto("/sertifikat")
    page.get_by_role("button", name="Periksa").click()
    page.locator("#error-summary").wait_for()
    shoot(page, f"sertifikat-galat-{width}")
    if width == "1366":
        problems["sertifikat-galat"] = axe_violations(page)
    page.set_input_files("#f-file", files=[{"name": "sertifikat.json", "mimeType": "application/json",
                                            "buffer": b'{"certificate": {"subject": {"vendor": "PT Palsu"}}}'}])
    page.get_by_role("button", name="Periksa").click()
    page.locator("#result-title").wait_for()
    shoot(page, f"sertifikat-hasil-{width}")
    if width == "1366":
        problems["sertifikat-hasil"] = axe_violations(page)
    page.goto("/docs")
    page.locator(".swagger-ui").wait_for()
    shoot(page, f"docs-{width}")
    assert {k: v for k, v in problems.items() if v} == {}


def _province_of_itself(site, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The Provinsi page with a real comparison: the site reads itself as its one federation member."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from hub.services.federation import FederationService, KeyRef, MemberIn
    from hub.services.registry_access import Principal
    from hub.services.registry_keys import ApiKeyIn, KeyService

    service = FederationService(site.db, Principal.cli())
    if not service.list():
        key = KeyService(site.db, Principal.cli()).create(ApiKeyIn(name="Simpul Provinsi", role="federation"))
        monkeypatch.setenv("SIMPUL_FED_3572_KEY", key.token)
        service.add(MemberIn(name="Kota Blitar", kode_pemda="35.72", base_url=site.url,
                             key=KeyRef(env="SIMPUL_FED_3572_KEY")))
    if any(m.status != "ok" for m in service.list()):
        with ThreadPoolExecutor(1) as pool:  # Playwright's own event loop runs in this thread
            assert all(r.ok for r in pool.submit(asyncio.run, service.pull()).result())
