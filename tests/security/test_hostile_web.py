"""Hostile input in the web workspace (signed in through the users service): the page answers 4xx with the
message in the user's language, memory stays bounded, nothing is stored, and an uploaded file's name never
leaves the folder it belongs in."""

from __future__ import annotations

import pytest

from hub.settings import get_settings
from tests.hub.web.conftest import csrf_of
from tests.security.conftest import alias_bomb, bounded, huge_shared_strings, zip_bomb
from tests.security.test_hostile_api import rows

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize(("name", "content", "status", "words"), [
    ("bom.xlsx", huge_shared_strings(), 413, "setelah dibuka"),
    ("zip.xlsx", zip_bomb(), 413, "setelah dibuka"),
    ("tawa.yaml", alias_bomb(), 422, "alias"),
    ("../../../../etc/rusak.yaml", b"\xff\xfe\x00\x00garbage", 422, "Tidak ada yang disimpan"),
])
def test_registry_import_page_refuses_hostile_files(web, sign_in, web_db, name, content, status, words):
    csrf = sign_in(web, "admin")
    before = rows(web_db)
    with bounded(48):
        r = web.post("/aplikasi/impor", data={"csrf_token": csrf}, files={"file": (name, content, XLSX)})
    assert r.status_code == status and words in r.text, r.text[-1500:]
    assert rows(web_db) == before


def test_validator_page_refuses_hostile_documents_in_both_languages(web, sign_in):
    csrf = sign_in(web, "vendor")
    cases = [({"payload": "[" * 50_000 + "]" * 50_000}, None, ("bersarang terlalu dalam", "nested too deeply")),
             ({"payload": '{"nip": 1' + "0" * 5000 + "}"}, None, ("bukan angka JSON", "not a valid JSON number")),
             ({}, ("bom.xlsx", huge_shared_strings(), XLSX), ("setelah dibuka", "once unpacked")),
             ({}, ("rusak.json", b'{"nama": "\xc3\x28"}', "application/json"), ("UTF-8", "UTF-8"))]
    for data, upload, (text_id, text_en) in cases:
        for lang, text in (("id", text_id), ("en", text_en)):
            web.cookies.set("simpul_lang", lang)
            with bounded(48):
                r = web.post("/validator", data={"csrf_token": csrf, "schema": "kepegawaian/pegawai", **data},
                             files={"file": upload} if upload else None, headers={"Accept-Language": lang})
            assert r.status_code == 422 and text in r.text, (lang, r.text[-1200:])
            assert "Traceback" not in r.text


def test_evidence_file_names_cannot_climb_out_of_their_folder(web, sign_in):
    csrf = sign_in(web, "auditor")
    out = get_settings().output_dir
    r = web.post("/penilaian/aplikasi/e-planning/manual/SCA-005",
                 data={"csrf_token": csrf, "answer": "pass", "title": "bukti"},
                 files={"file": ("../../../../../tmp/../simpul.db\x00.pdf", b"%PDF-1.4 x", "application/pdf")},
                 follow_redirects=False)
    assert r.status_code == 303
    stored = [p for p in out.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].parent == (out / "evidence" / "e-planning").resolve()
    assert ".." not in stored[0].name and "/" not in stored[0].name and "\x00" not in stored[0].name
    for attack in ("..%2F..%2Fsimpul.db", "%2E%2E", "..", "a%00b"):
        assert web.get(f"/penilaian/bukti/e-planning/{attack}").status_code == 404
    assert web.get("/penilaian/bukti/..%2Fe-planning/x").status_code in (403, 404)
    page = web.get("/masuk?next=//evil.example/").text  # an open redirect is another way out
    assert 'value="//evil.example/"' not in page and csrf_of(page)
