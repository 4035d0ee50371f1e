"""Canonical API, subscriptions, deliveries and /metrics through HTTP: scopes, masking, 429, provenance."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from hub.exchange import audit, scopes
from hub.exchange.store import Incoming, Provenance, store_batch

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def example(schema: str) -> dict:
    return json.loads(sorted((SCHEMAS / schema / "examples" / "valid").glob("*.json"))[0].read_text())


@pytest.fixture
def api(registry_api, registry_db, monkeypatch):
    from hub.exchange.ratelimit import buckets
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "test-master-key")
    get_settings.cache_clear()
    buckets.reset()
    pegawai = example("kepegawaian/pegawai")
    store_batch(registry_db, Provenance("simpeg", "pegawai", "kepegawaian/pegawai:1", "run_t"),
                [Incoming(pegawai, pegawai, True, {})])
    sk = example("perencanaan/sub_kegiatan")
    store_batch(registry_db, Provenance("e-planning", "sub-kegiatan", "perencanaan/sub_kegiatan:1", "run_t"),
                [Incoming(sk, sk, True, {})])
    budget = example("penganggaran/rincian_belanja")
    budget = {**budget, "kode_sub_kegiatan": "9.99.99.2.99.9999"}
    store_batch(registry_db, Provenance("e-budgeting", "rincian-belanja", "penganggaran/rincian_belanja:1", "run_t"),
                [Incoming(budget, budget, True, {})])
    registry_api.pegawai = pegawai
    return registry_api


def consumer_key(registry_key, registry_db, *grants, rate=None):
    headers = registry_key("vendor", name="konsumen")
    from registry.keys import list_keys

    with registry_db.session() as s:
        key_id = max(k.id for k in list_keys(s))
    for scope in grants:
        scopes.grant(str(key_id), scope, "test", rate_per_minute=rate, db=registry_db)
    return headers


def test_records_come_with_provenance_and_masked_personal_data(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read:kepegawaian/pegawai")
    r = api.get("/v1/data/kepegawaian/pegawai/records", headers=headers)
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    nip = api.pegawai["nip"]
    assert item["provenance"]["source_app"] == "simpeg" and len(item["provenance"]["content_hash"]) == 64
    assert item["data"]["nip"] != nip and "*" in item["data"]["nip"]
    assert nip not in r.text
    assert r.json()["next_cursor"]


def test_read_personal_scope_shows_personal_data(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read_personal:kepegawaian/pegawai")
    r = api.get("/v1/data/kepegawaian/pegawai/records", headers=headers)
    assert r.json()["items"][0]["data"]["nip"] == api.pegawai["nip"]
    key = r.json()["items"][0]["key"]
    one = api.get(f"/v1/data/kepegawaian/pegawai/records/{quote(key, safe='')}", headers=headers)
    assert one.status_code == 200 and one.json()["versions"][0]["version"] == 1


def test_keys_without_scope_are_refused(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read:perencanaan/sub_kegiatan")
    assert api.get("/v1/data/kepegawaian/pegawai/records", headers=headers).status_code == 403
    assert api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers).status_code == 200
    assert api.get("/v1/data/perencanaan/sub_kegiatan/records").status_code == 401


def test_cursor_filters_and_unknown_schema(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read:*")
    first = api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers).json()
    assert first["count"] == 1
    after = api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers,
                    params={"cursor": first["next_cursor"]}).json()
    assert after["count"] == 0
    assert api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers,
                   params={"tahun": 2001}).json()["count"] == 0
    assert api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers,
                   params={"cursor": "???"}).status_code == 400
    assert api.get("/v1/data/perencanaan/sub_kegiatn/records", headers=headers).status_code == 404


def test_budget_lines_without_planning_data_are_findings(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read:*")
    r = api.get("/v1/data/penganggaran/rincian_belanja/findings", headers=headers, params={"lang": "en"})
    assert r.status_code == 200
    rules = {f["rule"] for item in r.json()["items"] for f in item["findings"]}
    assert "XREF-001" in rules


def test_rate_limit_answers_429_with_retry_after(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read:*", rate=2)
    codes = [api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    last = api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers)
    assert int(last.headers["Retry-After"]) >= 1
    assert last.headers["content-type"].startswith("application/problem+json")


def test_reads_are_audited(api, registry_key, registry_db):
    headers = consumer_key(registry_key, registry_db, "data:read:*")
    api.get("/v1/data/perencanaan/sub_kegiatan/records", headers=headers)
    [entry] = audit.entries(registry_db, action="data.read")
    assert entry.actor.startswith("key:konsumen#") and entry.entity_id == "perencanaan/sub_kegiatan"
    assert audit.verify(registry_db).ok


def test_subscriptions_and_deliveries_need_admin(api, registry_key, registry_db):
    admin = registry_key("admin")
    vendor = registry_key("vendor")
    body = {"name": "e-budgeting", "schema": "perencanaan/sub_kegiatan", "url": "http://127.0.0.1:9/hook",
            "backfill": True}
    assert api.post("/v1/subscriptions", json=body, headers=vendor).status_code == 403
    r = api.post("/v1/subscriptions", json=body, headers=admin)
    assert r.status_code == 201, r.text
    sub = r.json()
    assert sub["secret"].startswith("whsec_") and sub["schema"] == "perencanaan/sub_kegiatan"
    listed = api.get("/v1/subscriptions", headers=admin).json()
    assert "secret" not in listed[0] and listed[0]["outbox"] == {"pending": 1}
    deliveries = api.get("/v1/deliveries", headers=admin, params={"subscription": sub["id"]}).json()
    assert deliveries[0]["status"] == "pending"
    assert api.post("/v1/subscriptions", json={**body, "url": "ftp://x"}, headers=admin).status_code == 400
    assert api.patch(f"/v1/subscriptions/{sub['id']}", json={"active": False}, headers=admin).json()["active"] is False
    assert api.delete(f"/v1/subscriptions/{sub['id']}", headers=admin).status_code == 204
    replay = api.post("/v1/deliveries/replay", json={"subscription": sub["id"]}, headers=admin)
    assert replay.status_code == 200


def test_metrics_are_prometheus_text(api):
    r = api.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert "simpul_records_pulled_total" in r.text and "simpul_subscription_lag_records" in r.text


def test_scope_changes_take_effect_on_the_next_read(api, registry_key, registry_db):
    """Scopes are cached per key; a revoke, a grant, a change made by another process and a revoked key all
    count from the very next request."""
    from sqlalchemy import delete, update

    from registry.keys import list_keys
    from registry.tables import ApiKeyRow
    from registry.tables_exchange import ConsumerScopeRow

    headers = consumer_key(registry_key, registry_db, "data:read:perencanaan/sub_kegiatan")
    with registry_db.session() as s:
        key_id = max(k.id for k in list_keys(s))
    url = "/v1/data/perencanaan/sub_kegiatan/records"
    assert [api.get(url, headers=headers).status_code for _ in range(3)] == [200, 200, 200]  # cached after one
    scopes.revoke(str(key_id), "data:read:perencanaan/sub_kegiatan", "test", db=registry_db)
    assert api.get(url, headers=headers).status_code == 403
    scopes.grant(str(key_id), "data:read_personal:perencanaan/sub_kegiatan", "test", db=registry_db)
    assert api.get(url, headers=headers).status_code == 200
    # another API process changes the scopes: only the database changes, this process's cache is not told
    with registry_db.session() as s:
        s.execute(delete(ConsumerScopeRow).where(ConsumerScopeRow.key_id == key_id))
        s.execute(update(ApiKeyRow).where(ApiKeyRow.id == key_id)
                  .values(scopes_version=ApiKeyRow.scopes_version + 1))
    assert api.get(url, headers=headers).status_code == 403
    scopes.grant(str(key_id), "data:read:*", "test", db=registry_db)
    assert api.get(url, headers=headers).status_code == 200
    admin = registry_key("admin", name="admin")
    assert api.delete(f"/v1/keys/{key_id}", headers=admin).status_code == 200
    assert api.get(url, headers=headers).status_code == 401


def test_a_subscription_batch_size_is_set_at_creation_and_by_patch(api, registry_key):
    admin = {**registry_key("admin"), "Accept-Language": "en"}
    body = {"name": "e-budgeting", "schema": "perencanaan/sub_kegiatan", "url": "http://127.0.0.1:9/hook",
            "batch_size": 100}
    sub = api.post("/v1/subscriptions", json=body, headers=admin).json()
    assert sub["batch_size"] == 100
    r = api.patch(f"/v1/subscriptions/{sub['id']}", json={"batch_size": 1}, headers=admin)
    assert r.status_code == 200 and r.json()["batch_size"] == 1
    bad = api.patch(f"/v1/subscriptions/{sub['id']}", json={"batch_size": 0}, headers=admin)
    assert bad.status_code == 400 and "Batch size 0" in bad.json()["detail"]
    assert api.get(f"/v1/subscriptions/{sub['id']}", headers=admin).json()["batch_size"] == 1
    pull = {**body, "mode": "pull", "url": None}
    assert api.post("/v1/subscriptions", json=pull, headers=admin).status_code == 400


def test_a_page_of_records_is_the_same_json_whether_documents_pass_through_or_are_masked(api, registry_key,
                                                                                         registry_db):
    """rincian_belanja passes through as stored text; pegawai (NIP, NIK) is parsed and masked: both answer JSON
    with the same item fields, personal values masked."""
    headers = consumer_key(registry_key, registry_db, "data:read:penganggaran/rincian_belanja",
                           "data:read:kepegawaian/pegawai")
    budget = api.get("/v1/data/penganggaran/rincian_belanja/records", headers=headers)
    people = api.get("/v1/data/kepegawaian/pegawai/records", headers=headers)
    assert budget.headers["content-type"].startswith("application/json")
    for page in (budget.json(), people.json()):
        assert page["count"] == 1 and page["has_more"] is False and page["next_cursor"]
        assert list(page["items"][0]) == ["schema", "key", "version", "current", "kode_opd", "tahun", "data",
                                          "provenance"]
    person = people.json()["items"][0]
    assert person["data"]["nip"] != api.pegawai["nip"] and "*" in person["data"]["nip"]


def test_every_canonical_read_authenticates_in_its_single_thread_hop(api, registry_key, registry_db):
    """The canonical reads check the key inside their one worker-thread hop (no sync dependencies): no key, an
    unknown key, a key in X-API-Key, a bearer key without the scope — on the page, one record and the findings."""
    base = "/v1/data/penganggaran/rincian_belanja"
    headers = consumer_key(registry_key, registry_db, "data:read:penganggaran/rincian_belanja")
    page = api.get(f"{base}/records", headers=headers)
    assert page.status_code == 200
    key = quote(page.json()["items"][0]["key"], safe="")
    urls = [f"{base}/records", f"{base}/records/{key}", f"{base}/findings"]
    token = headers["Authorization"].removeprefix("Bearer ")
    other = consumer_key(registry_key, registry_db, "data:read:perencanaan/sub_kegiatan")
    for url in urls:
        assert api.get(url, headers=headers).status_code == 200
        assert api.get(url, headers={"X-API-Key": token}).status_code == 200
        assert api.get(url, headers=other).status_code == 403
        for bad in ({}, {"Authorization": "Bearer smpl_unknown_key"}, {"X-API-Key": "smpl_unknown_key"}):
            answer = api.get(url, headers={**bad, "Accept-Language": "en"})
            assert answer.status_code == 401
            assert answer.headers["content-type"].startswith("application/problem+json")
        id_answer = api.get(url + ("&" if "?" in url else "?") + "lang=id")
        en_answer = api.get(url + "?lang=en")
        assert id_answer.status_code == en_answer.status_code == 401
        assert id_answer.json()["detail"] != en_answer.json()["detail"]  # bilingual, Bahasa Indonesia by default
