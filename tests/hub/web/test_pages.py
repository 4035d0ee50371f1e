"""The jobs of the workspace without a browser (forms posted as a browser with JavaScript off would): the
registry edit with a conflict, imports with bad cells, the validator, the downloads, manual answers, English."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.hub.web.conftest import csrf_of


def _form(html: str, **extra: str) -> dict[str, str]:
    return {"csrf_token": csrf_of(html), **extra}


def test_every_page_answers_for_an_admin(web, sign_in):
    sign_in(web, "admin")
    for path in ("/", "/aplikasi", "/aplikasi/baru", "/aplikasi/impor", "/aplikasi/e-planning",
                 "/aplikasi/e-planning/ubah", "/penilaian", "/penilaian/aplikasi/e-planning",
                 "/penilaian/aplikasi/e-planning/manual/SCA-005", "/kesenjangan", "/validator", "/skema",
                 "/skema/kepegawaian/pegawai", "/pertukaran", "/audit", "/audit?verify=1"):
        r = web.get(path)
        assert r.status_code == 200, path
        assert '<html lang="id">' in r.text and "Traceback" not in r.text


def test_list_filters_search_and_cursor_pages(web, sign_in):
    sign_in(web, "viewer")
    page = web.get("/aplikasi?area=keuangan").text
    assert "E-Budgeting" in page and "E-Planning Kota Blitar" not in page
    assert "E-Planning Kota Blitar" in web.get("/aplikasi?q=planning").text
    first = web.get("/aplikasi").text
    assert 'rel="next"' in first  # 31 applications, 25 a page
    next_url = first.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    second = web.get(next_url).text
    assert "Ke halaman pertama" in second and 'rel="next"' not in second


def test_edit_saves_and_a_stale_form_says_who_changed_it_meanwhile(web, sign_in, web_db):
    from hub.services.registry import RegistryService
    from hub.services.registry_access import Principal

    sign_in(web, "admin")
    form_page = web.get("/aplikasi/e-planning/ubah").text
    assert 'name="revision" value="1"' in form_page
    values = {"name": "E-Planning Kota Blitar", "status": "production", "kode_pemda": "35.72",
              "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus",
              "version": "2.4", "revision": "1"}
    RegistryService(web_db, Principal(actor="user:rina#9", role="admin", name="Rina")).patch_application(
        "e-planning", {"version": "3.0"}, '"r1"')  # someone else saves first
    stale = web.post("/aplikasi/e-planning/ubah", data=_form(form_page, **values))
    assert stale.status_code == 409
    assert "user:rina#9" in stale.text and "Data ini sudah diubah orang lain" in stale.text
    assert 'name="revision" value="2"' in stale.text and 'value="2.4"' in stale.text  # the user's entry is kept
    saved = web.post("/aplikasi/e-planning/ubah", data=_form(stale.text, **{**values, "revision": "2"}),
                     follow_redirects=False)
    assert saved.status_code == 303
    assert "2.4" in web.get("/aplikasi/e-planning").text


def test_bad_input_is_shown_beside_the_field_and_stores_nothing(web, sign_in):
    sign_in(web, "admin")
    page = web.get("/aplikasi/baru").text
    r = web.post("/aplikasi/baru", data=_form(page, id="Bad Id!", name="", status="production", kind="khusus",
                                              **{"contact.email": "bukan-surel", "supplier.source_code_held": "mungkin",
                                                 "sla.availability_pct": "seratus"}))
    assert r.status_code == 422
    assert 'id="error-summary"' in r.text and 'aria-invalid="true"' in r.text
    assert 'href="#f-supplier-source_code_held"' in r.text and "isi dengan ya atau tidak" in r.text
    assert web.get("/aplikasi/Bad Id!").status_code == 404
    en = web.post("/aplikasi/baru?lang=en", data=_form(page, id="x1", name="X"))
    assert en.status_code == 422 and "is required" in en.text


def test_create_shows_the_new_application_with_its_history(web, sign_in):
    sign_in(web, "admin")
    page = web.get("/aplikasi/baru").text
    r = web.post("/aplikasi/baru", data=_form(page, id="si-pantau", name="SI Pantau", status="planned",
                                              kode_pemda="35.72", kode_opd="5.01.5.05.0.00.01.0000",
                                              area="monev", kind="khusus", tags="monev; dasbor",
                                              other_areas="perencanaan", **{"hosting.base_urls":
                                                                             "https://pantau.example\n"}),
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/aplikasi/si-pantau"
    detail = web.get("/aplikasi/si-pantau").text
    assert "SI Pantau" in detail and "Aplikasi terdaftar." in detail and "user:admin#" in detail


def test_import_dry_run_lists_every_bad_cell_and_stores_nothing(web, sign_in):
    sign_in(web, "admin")
    page = web.get("/aplikasi/impor").text
    csv = ("id,name,status,kode_pemda,kode_opd,area,kind,supplier.source_code_held\n"
           "si-a,SI A,production,35.72,5.01.5.05.0.00.01.0000,perencanaan,khusus,ya\n"
           "si-b,,production,35.72,5.01.5.05.0.00.01.0000,antariksa,khusus,mungkin\n")
    files = {"file": ("aplikasi.csv", csv.encode(), "text/csv")}
    dry = web.post("/aplikasi/impor", data=_form(page, dry_run="1"), files=files)
    assert dry.status_code == 200 and "Tidak ada yang disimpan" in dry.text
    assert dry.text.count("<tr><td>") >= 3  # name, area and the ya/tidak cell of row 3
    real = web.post("/aplikasi/impor", data=_form(page), files=files)
    assert real.status_code == 422 and "Tidak ada yang disimpan." in real.text
    assert web.get("/aplikasi/si-a").status_code == 404


def test_validator_reports_the_sheet_row_and_column_of_each_bad_cell(web, sign_in):
    sign_in(web, "vendor")
    page = web.get("/validator").text
    book = Workbook()
    sheet = book.active
    sheet.title = "Pegawai"
    sheet.append(["nip", "jenis_asn", "nama", "tanggal_lahir", "jenis_kelamin"])
    sheet.append(["198501012010011001", "PNS", "Budi Santoso", "1985-01-01", "L"])
    sheet.append(["1985", "PNS", "Sari", "1-1-85", "X"])
    buffer = io.BytesIO()
    book.save(buffer)
    r = web.post("/validator", data=_form(page, schema="kepegawaian/pegawai"),
                 files={"file": ("pegawai.xlsx", buffer.getvalue(), "application/octet-stream")})
    assert r.status_code == 200 and "Tidak valid" in r.text
    assert "Pegawai · Baris 3 · Kolom A" in r.text and 'lang="en"' in r.text
    report = r.text.split('name="report" value="')[1].split('"')[0]
    import html

    sarif = web.post("/validator/unduh", data=_form(r.text, format="sarif", report=html.unescape(report)))
    assert sarif.status_code == 200 and '"version": "2.1.0"' in sarif.text
    junit = web.post("/validator/unduh", data=_form(r.text, format="junit", report=html.unescape(report)))
    assert junit.text.startswith("<?xml")
    broken = web.post("/validator", data=_form(page, schema="kepegawaian/pegawai", payload='{"nip": '))
    assert broken.status_code == 422 and "baris 1" in broken.text.lower()


def test_inventory_downloads_work_with_the_browser_session(web, sign_in):
    sign_in(web, "auditor")
    page = web.get("/kesenjangan").text
    assert "Tabel II.3" in page and "Tabel II.11" in page and "<svg" in page
    kinds = {"xlsx": "spreadsheetml", "docx": "wordprocessingml", "html": "text/html", "md": "text/markdown",
             "json": "application/json"}
    for fmt, media in kinds.items():
        r = web.get(f"/kesenjangan/unduh?pemda=35.72&format={fmt}")
        assert r.status_code == 200 and media in r.headers["content-type"], fmt
        assert r.headers["content-disposition"].startswith("attachment")
    monev = web.get("/kesenjangan/monev?dari=2026-01-01&sampai=2026-12-31")
    assert monev.status_code == 200
    assert web.get("/kesenjangan/monev/unduh?dari=2026-01-01&sampai=2026-12-31&format=xlsx").status_code == 200
    assert web.get("/kesenjangan/monev?dari=kemarin&sampai=2026-12-31").status_code == 400


def test_manual_answer_with_an_uploaded_file_is_stored_and_downloadable(web, sign_in):
    csrf = sign_in(web, "auditor")
    r = web.post("/penilaian/aplikasi/e-planning/manual/SCA-005",
                 data={"csrf_token": csrf, "answer": "pass", "title": "BAST kode sumber"},
                 files={"file": ("bast.pdf", b"%PDF-1.4 bukti", "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303
    page = web.get("/penilaian/aplikasi/e-planning").text
    assert "BAST kode sumber" in page and "Jawaban tersimpan" in page
    link = page.split('href="/penilaian/bukti/e-planning/')[1].split('"')[0]
    file = web.get(f"/penilaian/bukti/e-planning/{link}")
    assert file.content == b"%PDF-1.4 bukti" and file.headers["content-disposition"].startswith("attachment")
    assert web.get("/penilaian/bukti/e-planning/..%2F..%2Fsimpul.db").status_code == 404
    missing = web.post("/penilaian/aplikasi/e-planning/manual/SCA-005",
                       data={"csrf_token": csrf, "answer": "fail"})
    assert missing.status_code == 422 and 'id="error-summary"' in missing.text


def test_the_english_switch_is_remembered(web, sign_in):
    csrf = sign_in(web, "admin")
    assert "Aplikasi" in web.get("/").text
    r = web.post("/bahasa", data={"csrf_token": csrf, "lang": "en", "next": "/aplikasi"}, follow_redirects=False)
    assert r.headers["location"] == "/aplikasi" and "simpul_lang=en" in r.headers["set-cookie"]
    page = web.get("/aplikasi").text
    assert '<html lang="en">' in page and "Applications" in page and "Bahasa Indonesia" in page
    assert '<html lang="en">' in web.get("/penilaian").text


def test_validator_normalises_display_forms_when_asked(web, sign_in):
    import json

    from hub.settings import PROJECT_ROOT

    sign_in(web, "vendor")
    page = web.get("/validator").text
    doc = json.loads((PROJECT_ROOT / "schemas/kepegawaian/pegawai/examples/valid/jatim_pns_struktural.json")
                     .read_text(encoding="utf-8"))
    doc["tanggal_lahir"] = "12-04-1972"
    plain = web.post("/validator", data=_form(page, schema="kepegawaian/pegawai", payload=json.dumps(doc)))
    assert "Tidak valid" in plain.text and "Bentuk normalnya: 1972-04-12" in plain.text
    r = web.post("/validator", data=_form(page, schema="kepegawaian/pegawai", payload=json.dumps(doc),
                                          normalise="1"))
    assert r.status_code == 200 and "Nilai yang dinormalkan" in r.text
    assert "12-04-1972" in r.text and "1972-04-12" in r.text and "Tidak valid" not in r.text


def test_the_exchange_page_shows_a_subscriptions_batch_size(web, sign_in, web_db, monkeypatch):
    from hub.exchange import subscriptions
    from hub.exchange.subscriptions import SubscriptionIn
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "test-master-key")
    get_settings.cache_clear()
    subscriptions.create(SubscriptionIn(name="e-gaji", schema="kepegawaian/pegawai", url="http://127.0.0.1:9/hook",
                                        batch_size=100), "test", db=web_db)
    sign_in(web, "admin")
    assert "100 pengiriman per POST" in web.get("/pertukaran").text
    assert "100 deliveries per POST" in web.get("/pertukaran?lang=en").text
