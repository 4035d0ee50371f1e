"""The registry API as its users meet it: Diskominfo (admin), an OPD, an auditor, a vendor."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "registry"
BAPPEDA = "5.01.5.05.0.00.01.0000"
NEW_APP = {"id": "e-musrenbang", "name": "E-Musrenbang", "status": "development", "kode_pemda": "35.72",
           "kode_opd": BAPPEDA, "area": "perencanaan", "kind": "khusus",
           "contact": {"name": "Rina", "email": "rina.w@blitarkota.go.id", "phone": "0342 801234"}}


@pytest.fixture
def admin(registry_loaded, registry_key):  # type: ignore[no-untyped-def]
    return registry_key("admin", "Diskominfo")


def test_401_without_or_with_a_bad_key_and_403_for_the_wrong_role(registry_api, admin, registry_key):
    assert registry_api.get("/v1/applications").status_code == 401
    r = registry_api.get("/v1/applications", headers={"Authorization": "Bearer smpl_nope"})
    assert r.status_code == 401 and r.headers["content-type"].startswith("application/problem+json")
    vendor = registry_key("vendor")
    r = registry_api.get("/v1/applications", headers=vendor)
    assert r.status_code == 403 and r.json()["type"] == "urn:simpul:problem:forbidden"
    auditor = registry_key("auditor")
    assert registry_api.get("/v1/applications", headers=auditor).status_code == 200
    assert registry_api.post("/v1/applications", json=NEW_APP, headers=auditor).status_code == 403
    assert registry_api.get("/v1/applications", headers={"X-API-Key": admin["Authorization"][7:]}).status_code == 200


def test_revoked_key_is_401_at_once(registry_api, admin, registry_key):
    auditor = registry_key("auditor", "Inspektorat")
    me = registry_api.get("/v1/keys/me", headers=auditor).json()
    assert me["role"] == "auditor" and "registry:read" in me["actions"]
    assert registry_api.delete(f"/v1/keys/{me['id']}", headers=admin).json()["revoked_at"]
    assert registry_api.get("/v1/applications", headers=auditor).status_code == 401
    own = registry_api.get("/v1/keys/me", headers=admin).json()["id"]
    assert registry_api.delete(f"/v1/keys/{own}", headers=admin).status_code == 409
    assert registry_api.delete("/v1/keys/me", headers=admin).status_code == 405


def test_opd_key_manages_only_its_own_applications(registry_api, admin, registry_key):
    bappeda = registry_key("opd", "Bappeda", "35.72", BAPPEDA)
    assert registry_api.post("/v1/applications", json=NEW_APP, headers=bappeda).status_code == 201
    other = {**NEW_APP, "id": "x-bpkad", "kode_opd": "5.02.0.00.0.00.01.0000"}
    r = registry_api.post("/v1/applications", json=other, headers=bappeda)
    assert r.status_code == 403 and "5.02.0.00.0.00.01.0000" in r.json()["detail"]
    r = registry_api.patch("/v1/applications/e-budgeting", json={"status": "retired"},
                           headers={**bappeda, "If-Match": "*"})
    assert r.status_code == 403
    r = registry_api.patch("/v1/applications/e-planning", json={"kode_opd": "5.02.0.00.0.00.01.0000"},
                           headers={**bappeda, "If-Match": "*"})
    assert r.status_code == 403  # cannot hand its application to another OPD
    r = registry_api.post("/v1/pemda", json={"kode": "35.05", "name": "Kabupaten Blitar", "level": "kabupaten"},
                          headers=bappeda)
    assert r.status_code == 403


def test_edit_with_etags_and_see_the_history(registry_api, admin):
    r = registry_api.get("/v1/applications/e-planning", headers=admin)
    etag = r.headers["etag"]
    assert etag == '"r1"'
    assert registry_api.patch("/v1/applications/e-planning", json={"status": "retired"},
                              headers=admin).status_code == 428
    r = registry_api.patch("/v1/applications/e-planning", json={"status": "retired", "tags": ["rkpd"]},
                           headers={**admin, "If-Match": etag, "content-type": "application/merge-patch+json"})
    assert r.status_code == 200 and r.headers["etag"] == '"r2"' and r.json()["status"] == "retired"
    r = registry_api.patch("/v1/applications/e-planning", json={"status": "production"},
                           headers={**admin, "If-Match": etag})
    assert r.status_code == 412 and r.json()["current_etag"] == '"r2"'
    r = registry_api.get("/v1/applications/e-planning/history", headers=admin)
    latest = r.json()[0]
    assert latest["actor"].startswith("key:Diskominfo#") and latest["action"] == "update"
    assert {c["field"] for c in latest["changes"]} == {"status", "tags"}


def test_put_replaces_and_delete_needs_if_match(registry_api, admin):
    body = {**NEW_APP}
    assert registry_api.post("/v1/applications", json=body, headers=admin).status_code == 201
    assert registry_api.post("/v1/applications", json=body, headers=admin).status_code == 409
    r = registry_api.put("/v1/applications/e-musrenbang", json={**body, "status": "production"},
                         headers={**admin, "If-Match": '"r1"'})
    assert r.status_code == 200 and r.json()["revision"] == 2
    r = registry_api.put("/v1/applications/e-musrenbang", json={**body, "id": "lain"},
                         headers={**admin, "If-Match": '"r2"'})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "id"
    assert registry_api.delete("/v1/applications/e-musrenbang", headers=admin).status_code == 428
    assert registry_api.delete("/v1/applications/e-musrenbang", headers={**admin, "If-Match": '"r1"'}
                               ).status_code == 412
    assert registry_api.delete("/v1/applications/e-musrenbang", headers={**admin, "If-Match": '"r2"'}
                               ).status_code == 204
    hist = registry_api.get("/v1/applications/e-musrenbang/history", headers=admin).json()
    assert [h["action"] for h in hist] == ["delete", "update", "create"]


def test_validation_problem_names_every_bad_field_in_the_callers_language(registry_api, admin):
    r = registry_api.patch("/v1/applications/e-planning",
                           json={"status": "jalan", "sla": {"availability_pct": 150}, "hosting": {"type": "x"},
                                 "integration": {"connector": {"type": "rest_json", "config": {"token": "abc"}}}},
                           headers={**admin, "If-Match": "*", "Accept-Language": "en"})
    assert r.status_code == 422
    body = r.json()
    assert {e["pointer"] for e in body["errors"]} == {"/status", "/sla/availability_pct", "/hosting/type",
                                                      "/integration/connector/config"}
    secret = next(e for e in body["errors"] if e["field"] == "integration.connector.config")
    assert "token" in secret["message"] and "env" in secret["message"] and "abc" not in r.text
    r = registry_api.post("/v1/applications", json={**NEW_APP, "kode_opd": "9.99.0.00.0.00.01.0000"}, headers=admin)
    assert r.status_code == 422 and r.json()["errors"][0]["pointer"] == "/kode_opd"
    assert "belum terdaftar" in r.json()["errors"][0]["message"]


def test_connector_secrets_are_references_and_never_resolved(registry_api, admin, monkeypatch):
    monkeypatch.setenv("SIMPUL_EBUDGETING_TOKEN", "super-rahasia")
    r = registry_api.get("/v1/applications/e-budgeting", headers=admin)
    assert r.json()["integration"]["connector"]["config"]["auth"]["token"] == {"env": "SIMPUL_EBUDGETING_TOKEN"}
    assert "super-rahasia" not in r.text
    exported = registry_api.get("/v1/registry/export?format=yaml", headers=admin).text
    assert "super-rahasia" not in exported and "SIMPUL_EBUDGETING_TOKEN" in exported


def test_lists_filter_and_page_with_cursor_and_link(registry_api, admin):
    r = registry_api.get("/v1/applications?area=kepegawaian&kind=khusus", headers=admin)
    assert sorted(a["id"] for a in r.json()["items"]) == ["e-kinerja", "simpeg", "simpeg-dinkes"]
    r = registry_api.get("/v1/applications?q=jdih", headers=admin)
    assert [a["id"] for a in r.json()["items"]] == ["jdih"]
    r = registry_api.get("/v1/applications?hosting=vendor_hosted&source_code_held=false", headers=admin)
    assert {a["id"] for a in r.json()["items"]} >= {"e-pajak", "simpeg-dinkes"}
    r = registry_api.get(f"/v1/applications?opd={BAPPEDA}&status=production", headers=admin)
    assert {a["id"] for a in r.json()["items"]} == {"e-planning", "e-monev", "sakip"}
    seen, url = [], "/v1/applications?limit=7&sort=-updated_at"
    while url:
        r = registry_api.get(url, headers=admin)
        seen += [a["id"] for a in r.json()["items"]]
        link = r.headers.get("link")
        url = link[1:link.index(">")] if link else None
        assert bool(link) == bool(r.json()["next_cursor"])
    assert len(seen) == len(set(seen)) == 31
    assert registry_api.get("/v1/applications?cursor=rubbish", headers=admin).status_code == 400
    assert registry_api.get("/v1/applications?status=jalan", headers=admin).status_code == 422


def test_contact_details_only_for_those_who_may_change_the_application(registry_api, admin, registry_key):
    auditor = registry_key("auditor")
    full = registry_api.get("/v1/applications/e-planning", headers=admin).json()["contact"]
    seen = registry_api.get("/v1/applications/e-planning", headers=auditor).json()["contact"]
    assert full["email"] and full["phone"]
    assert seen["name"] == full["name"] and seen["email"] is None and seen["phone"] is None


def test_pemda_and_opd_crud(registry_api, admin):
    r = registry_api.post("/v1/pemda", json={"kode": "35.05", "name": "Kabupaten Blitar", "level": "kabupaten"},
                          headers=admin)
    assert r.status_code == 201 and r.headers["location"] == "/v1/pemda/35.05"
    opd = {"kode_pemda": "35.05", "kode": "2.16.2.20.2.21.01.0000", "name": "Diskominfo Kabupaten Blitar"}
    assert registry_api.post("/v1/opd", json=opd, headers=admin).status_code == 201
    assert registry_api.get("/v1/opd?pemda=35.05", headers=admin).json()["items"][0]["name"] == opd["name"]
    r = registry_api.put("/v1/opd/35.05/2.16.2.20.2.21.01.0000", json={**opd, "short_name": "Diskominfo"},
                         headers={**admin, "If-Match": '"r1"'})
    assert r.json()["short_name"] == "Diskominfo"
    assert registry_api.delete("/v1/pemda/35.05", headers={**admin, "If-Match": "*"}).status_code == 409
    assert registry_api.delete("/v1/opd/35.05/2.16.2.20.2.21.01.0000",
                               headers={**admin, "If-Match": "*"}).status_code == 204
    assert registry_api.delete("/v1/pemda/35.05", headers={**admin, "If-Match": "*"}).status_code == 204
    r = registry_api.get("/v1/pemda/35.99", headers=admin)
    assert r.status_code == 404
    assert registry_api.post("/v1/pemda", json={"kode": "35.72", "name": "x", "level": "kabupaten"},
                             headers=admin).status_code == 422


def test_import_dry_run_then_rejected_then_accepted(registry_api, admin):
    bad = (EXAMPLES / "aplikasi-opd-salah.xlsx").read_bytes()
    r = registry_api.post("/v1/registry/import?dry_run=true", headers=admin,
                          files={"file": ("aplikasi-opd-salah.xlsx", bad)})
    assert r.status_code == 200 and not r.json()["valid"]
    rows = {(e["row"], e["column"]) for e in r.json()["errors"]}
    assert (4, "status") in rows and (7, "integration.connector.config") in rows
    r = registry_api.post("/v1/registry/import", headers=admin, files={"file": ("aplikasi-opd-salah.xlsx", bad)})
    assert r.status_code == 422 and len(r.json()["errors"]) >= 10
    assert registry_api.get("/v1/applications/e-retribusi", headers=admin).status_code == 404
    good = b"id,name,status,kode_pemda,kode_opd,area,kind\ne-retribusi,E-Retribusi,production,35.72," \
           b"5.02.0.00.0.00.02.0000,keuangan,khusus\n"
    r = registry_api.post("/v1/registry/import", headers={**admin, "content-type": "text/csv"}, content=good)
    assert r.status_code == 200 and r.json()["counts"]["applications"]["created"] == 1
    r = registry_api.post("/v1/registry/import", headers={**admin, "content-type": "image/png"}, content=good)
    assert r.status_code == 415


def test_export_formats(registry_api, admin):
    r = registry_api.get("/v1/registry/export", headers=admin)
    assert r.headers["content-type"].startswith("application/yaml")
    assert len(yaml.safe_load(r.text)["applications"]) == 31
    r = registry_api.get("/v1/registry/export?format=csv&entity=opd", headers=admin)
    assert r.text.splitlines()[0] == "kode_pemda,kode,name,short_name"
    r = registry_api.get("/v1/registry/export?format=xlsx&area=legislasi", headers=admin)
    assert r.content.startswith(b"PK") and "attachment" in r.headers["content-disposition"]


def test_summary_and_vocabularies(registry_api, admin):
    summary = registry_api.get("/v1/registry/summary", headers=admin).json()
    assert summary["total"] == 31 and set(summary["by_area"]) >= {"perencanaan", "legislasi"}
    vocab = registry_api.get("/v1/registry/vocabularies").json()
    assert vocab["area"][0]["extra"]["item"] == 14
    assert vocab["spbe_indicator"][0]["code"] == "32"


def test_keys_api_is_admin_only_and_shows_the_token_once(registry_api, admin, registry_key):
    r = registry_api.post("/v1/keys", json={"name": "Vendor X", "role": "vendor"}, headers=admin)
    assert r.status_code == 201 and r.json()["token"].startswith("smpl_")
    listed = registry_api.get("/v1/keys", headers=admin).json()
    assert all("token" not in k for k in listed)
    assert registry_api.get("/v1/keys", headers=registry_key("auditor")).status_code == 403
    r = registry_api.post("/v1/keys", json={"name": "x", "role": "opd"}, headers=admin)
    assert r.status_code == 422


def test_readiness_reports_the_database(registry_api):
    checks = registry_api.get("/readyz").json()["checks"]
    assert checks["database"] == "ok"


def test_find_application_for_trusted_jobs(registry_loaded):
    from hub.services.registry import find_application

    assert find_application("e-budgeting", registry_loaded).integration.connector.type == "rest_json"
    assert find_application("tidak-ada", registry_loaded) is None
