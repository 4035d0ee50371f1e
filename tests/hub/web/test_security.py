"""Sign-in model of the web workspace: CSRF on every form, session fixation, cookie flags, safe redirects,
roles, and sessions that really end."""

from __future__ import annotations

import pytest

from hub.web.security import SESSION_COOKIE, safe_next
from tests.hub.web.conftest import PASSWORD, csrf_of


def test_pages_need_a_session_and_remember_where_you_were_going(web):
    r = web.get("/aplikasi?area=keuangan", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/masuk?next=/aplikasi%3Farea%3Dkeuangan"
    page = web.get(r.headers["location"])
    assert 'name="next" value="/aplikasi?area=keuangan"' in page.text
    done = web.post("/masuk", data={"username": "admin", "password": PASSWORD, "next": "/aplikasi?area=keuangan",
                                    "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert done.headers["location"] == "/aplikasi?area=keuangan"


def test_session_cookie_is_signed_httponly_samesite(web):
    page = web.get("/masuk")
    r = web.post("/masuk", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
                 follow_redirects=False)
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE))
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags and "secure" not in flags
    token = cookie.split(";")[0].split("=", 1)[1]
    assert "." in token  # itsdangerous signature
    web.cookies.set(SESSION_COOKIE, token[:-3] + "AAA")  # a tampered cookie is no session
    assert web.get("/", follow_redirects=False).status_code == 303


def test_cookies_are_secure_over_https(web_db, monkeypatch: pytest.MonkeyPatch):
    from fastapi.testclient import TestClient

    from hub.api.app import create_app
    from hub.services.registry_db import get_database

    app = create_app()
    app.dependency_overrides[get_database] = lambda: web_db
    with TestClient(app, base_url="https://simpul.example") as client:
        page = client.get("/masuk")
        assert "secure" in page.headers["set-cookie"].lower()
        r = client.post("/masuk", data={"username": "admin", "password": PASSWORD,
                                        "csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert "secure" in r.headers["set-cookie"].lower()


def test_every_form_refuses_a_missing_or_foreign_csrf_token(web, sign_in):
    page = web.get("/masuk")
    no_token = web.post("/masuk", data={"username": "admin", "password": PASSWORD})
    assert no_token.status_code == 403 and "CSRF" in no_token.text
    csrf = sign_in(web, "admin")
    before = web.get("/aplikasi/e-planning").text
    attacks = [
        ("/aplikasi/e-planning/ubah", {"name": "Diretas", "revision": "1"}),
        ("/penilaian/mulai", {"all": "1"}),
        ("/keluar", {}),
        ("/bahasa", {"lang": "en"}),
        ("/pertukaran/kirim-ulang", {}),
    ]
    for path, data in attacks:
        assert web.post(path, data=data).status_code == 403, path
        assert web.post(path, data={**data, "csrf_token": csrf_of(page.text)}).status_code == 403, path
    cross = web.post("/aplikasi/e-planning/ubah", data={"name": "Diretas", "revision": "1", "csrf_token": csrf},
                     headers={"Origin": "https://jahat.example"})
    assert cross.status_code == 403
    assert web.get("/aplikasi/e-planning").text.count("Diretas") == before.count("Diretas") == 0
    assert web.get("/", follow_redirects=False).status_code == 200  # still signed in: /keluar was refused


def test_sign_in_replaces_a_planted_session(web, web_db):
    from hub.services.users import session_of, sign_in

    planted = sign_in(web_db, "viewer", PASSWORD)  # the attacker's own session, planted in the victim's browser
    from hub.web.security import sign

    web.cookies.set(SESSION_COOKIE, sign(planted.token, "session"))
    page = web.get("/masuk")
    r = web.post("/masuk", data={"username": "admin", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
                 follow_redirects=False)
    new_cookie = r.cookies.get(SESSION_COOKIE)
    assert new_cookie and planted.token not in new_cookie
    assert session_of(web_db, planted.token) is None  # the planted session ended
    web.cookies.set(SESSION_COOKIE, new_cookie)
    assert "Uji Admin" in web.get("/").text


def test_sign_out_ends_the_session_on_the_server(web, sign_in):
    csrf = sign_in(web, "auditor")
    stolen = web.cookies.get(SESSION_COOKIE)
    r = web.post("/keluar", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    web.cookies.set(SESSION_COOKIE, stolen)  # a copy of the cookie is worth nothing after sign-out
    assert web.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("target", ["//jahat.example/x", "https://jahat.example", "/\\jahat.example",
                                    "javascript:alert(1)", "http:/jahat.example", "/\t/jahat.example", ""])
def test_next_never_leaves_the_site(target):
    assert safe_next(target) == "/"


def test_open_redirect_through_sign_in_is_refused(web):
    page = web.get("/masuk?next=https://jahat.example/phish")
    assert 'name="next" value="/"' in page.text
    r = web.post("/masuk", data={"username": "admin", "password": PASSWORD, "next": "//jahat.example",
                                 "csrf_token": csrf_of(page.text)}, follow_redirects=False)
    assert r.headers["location"] == "/"
    lang = web.post("/bahasa", data={"lang": "en", "next": "https://jahat.example", "csrf_token": csrf_of(
        web.get("/").text)}, follow_redirects=False)
    assert lang.headers["location"] == "/"


def test_wrong_password_shows_the_message_beside_the_field_and_in_the_summary(web):
    page = web.get("/masuk")
    r = web.post("/masuk", data={"username": "admin", "password": "salah-salah-salah",
                                 "csrf_token": csrf_of(page.text)})
    assert r.status_code == 401
    assert r.text.count("Nama pengguna atau kata sandi salah.") == 2 and 'aria-invalid="true"' in r.text
    en = web.post("/masuk?lang=en", data={"username": "admin", "password": "salah-salah-salah",
                                          "csrf_token": csrf_of(page.text)})
    assert "Wrong username or password." in en.text and '<html lang="en">' in en.text


def test_roles_see_only_what_they_may(web, sign_in):
    sign_in(web, "vendor")
    home = web.get("/").text
    assert 'href="/validator"' in home and 'href="/aplikasi"' not in home
    assert web.get("/aplikasi").status_code == 403
    assert web.get("/penilaian").status_code == 403
    assert web.get("/kesenjangan").status_code == 403
    assert web.get("/validator").status_code == 200 and web.get("/skema").status_code == 200
    web.cookies.clear()
    csrf = sign_in(web, "viewer")
    detail = web.get("/aplikasi/e-planning").text
    assert "/aplikasi/e-planning/ubah" not in detail
    assert web.get("/aplikasi/e-planning/ubah").status_code == 403
    assert web.post("/aplikasi/e-planning/ubah", data={"name": "X", "revision": "1", "csrf_token": csrf}
                    ).status_code == 403
    assert web.post("/penilaian/mulai", data={"all": "1", "csrf_token": csrf}).status_code == 403
    assert web.get("/kesenjangan").status_code == 200 and web.get("/pertukaran").status_code == 403
    assert web.get("/audit").status_code == 403


def test_operator_edits_its_own_opd_only(web, sign_in):
    csrf = sign_in(web, "operator")
    assert "/aplikasi/e-planning/ubah" in web.get("/aplikasi/e-planning").text
    assert "/aplikasi/e-budgeting/ubah" not in web.get("/aplikasi/e-budgeting").text
    r = web.post("/aplikasi/e-budgeting/ubah", data={"name": "X", "revision": "1", "csrf_token": csrf})
    assert r.status_code == 403


def test_a_browser_gets_a_page_for_an_unknown_address_and_the_api_keeps_problem_json(web):
    page = web.get("/tidak-ada", headers={"Accept": "text/html"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = web.get("/v1/tidak-ada")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_docs_and_redoc_load_nothing_from_outside(web):
    for path in ("/docs", "/redoc"):
        html = web.get(path).text
        assert "cdn" not in html.lower() and "https://" not in html and "<script>" not in html
    for asset in ("/static/vendor/swagger-ui-bundle.js", "/static/vendor/swagger-ui.css",
                  "/static/vendor/redoc.standalone.js", "/static/docs.js", "/static/simpul.css"):
        assert web.get(asset).status_code == 200, asset
    assert "/masuk" not in str(web.get("/openapi.json").json()["paths"])  # pages are not API operations
