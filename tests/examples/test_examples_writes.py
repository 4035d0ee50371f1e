"""Writes to e-planning reach its lists, change feed and webhook subscribers; e-budgeting's inbox records them."""

from __future__ import annotations

import copy
import json

import pytest

from examples.apps.webhooks import signature
from tests.examples.examples_testkit import auth

H = {**auth("e-planning"), "Content-Type": "application/json"}


@pytest.fixture
def planning(fresh_client):
    return fresh_client("e-planning")


def _existing(client) -> dict:
    return client.get("/api/v1/sub-kegiatan?size=1&page=10", headers=H).json()["data"][0]


def test_put_updates_a_sub_kegiatan_and_it_shows_up_as_the_newest_change(planning):
    record = _existing(planning)
    changed = {**record, "pagu_indikatif": record["pagu_indikatif"] + 5_000_000}
    answer = planning.put(f"/api/v1/sub-kegiatan/{record['kode_sub_kegiatan']}", json=changed, headers=H)
    assert answer.status_code == 200
    saved = answer.json()
    assert saved["pagu_indikatif"] == changed["pagu_indikatif"] and saved["updated_at"] > record["updated_at"]
    newest = planning.get("/api/v1/sub-kegiatan", params={"updated_since": saved["updated_at"]}, headers=H).json()
    assert [r["kode_sub_kegiatan"] for r in newest["data"]] == [record["kode_sub_kegiatan"]]
    feed = planning.get("/api/v1/changes", params={"since": saved["updated_at"]}, headers=H).json()
    assert feed["data"][-1]["id"] == record["kode_sub_kegiatan"]
    total = planning.get("/api/v1/sub-kegiatan?size=1", headers=H).json()["total"]
    assert total == 422  # replaced, not duplicated


def test_post_creates_and_refuses_duplicates(planning):
    record = copy.deepcopy(_existing(planning))
    record.update(kode_sub_kegiatan=record["kode_kegiatan"] + ".0999", nama_sub_kegiatan="Sub Kegiatan Uji Simpul")
    record.pop("updated_at")
    created = planning.post("/api/v1/sub-kegiatan", json=record, headers=H)
    assert created.status_code == 201 and created.headers["location"].endswith(".0999")
    assert planning.get(f"/api/v1/sub-kegiatan/{record['kode_sub_kegiatan']}", headers=H).status_code == 200
    again = planning.post("/api/v1/sub-kegiatan", json=record, headers=H)
    assert again.status_code == 409 and "PUT" in again.json()["detail"]


def test_invalid_bodies_get_field_errors_in_bahasa_indonesia(planning):
    record = _existing(planning)
    bad = {**record, "kode_sub_kegiatan": "1.01.01.02.01.0001", "pagu_indikatif": "lima juta"}
    del bad["nama_sub_kegiatan"]
    answer = planning.post("/api/v1/sub-kegiatan", json=bad, headers=H)
    assert answer.status_code == 422
    errors = {e["lokasi"]: e["pesan"] for e in answer.json()["kesalahan"]}
    assert errors["/nama_sub_kegiatan"] == "Isian wajib diisi."
    assert errors["/pagu_indikatif"].startswith("Jenis nilai salah")
    assert errors["/kode_sub_kegiatan"].startswith("Format tidak sesuai")
    malformed = planning.post("/api/v1/sub-kegiatan", content=b'{"kode": ', headers=H)
    assert malformed.status_code == 400 and "baris 1" in malformed.json()["detail"]
    mismatch = planning.put("/api/v1/sub-kegiatan/1.01.01.2.01.0002", json=record, headers=H)
    assert mismatch.status_code == 422 and mismatch.json()["kode"] == "id_mismatch"
    assert planning.put(f"/api/v1/sub-kegiatan/{record['kode_sub_kegiatan']}", json=record).status_code == 401


def test_webhook_registration_and_signed_delivery(planning, monkeypatch):
    sent = []

    async def fake_deliver(self, hook, event):
        body = json.dumps(event, ensure_ascii=False).encode()
        sent.append((hook, body, signature(hook["_secret"], body)))

    monkeypatch.setattr("examples.apps.webhooks.WebhookHub._deliver", fake_deliver)
    hook = planning.post("/api/v1/webhooks", json={"url": "http://127.0.0.1:9/inbox", "resources": ["sub-kegiatan"],
                                                   "secret": "rahasia-bersama"}, headers=H)
    assert hook.status_code == 201 and hook.json()["signed"] and "_secret" not in hook.json()
    bad = planning.post("/api/v1/webhooks", json={"url": "ftp://x", "resources": ["anggaran"]}, headers=H)
    assert bad.status_code == 422
    record = _existing(planning)
    planning.put(f"/api/v1/sub-kegiatan/{record['kode_sub_kegiatan']}", json=record, headers=H)
    assert len(sent) == 1 and json.loads(sent[0][1])["event"] == "sub-kegiatan.updated"
    listed = planning.get("/api/v1/webhooks", headers=H).json()
    assert listed["total"] == 1
    assert planning.delete(f"/api/v1/webhooks/{hook.json()['id']}", headers=H).status_code == 204


def test_budgeting_inbox_records_body_and_headers(fresh_client):
    budgeting = fresh_client("e-budgeting")
    answer = budgeting.post("/api/v1/inbox", content=b'{"event": "sub-kegiatan.updated"}',
                            headers={"Content-Type": "application/json", "X-Signature-256": "sha256=abc"})
    assert answer.status_code == 202 and answer.json()["diterima"]
    assert budgeting.get("/api/v1/inbox").status_code == 401
    inbox = budgeting.get("/api/v1/inbox", headers=auth("e-budgeting")).json()
    assert inbox["total"] == 1
    entry = inbox["data"][0]
    assert entry["json"] == {"event": "sub-kegiatan.updated"} and entry["headers"]["x-signature-256"] == "sha256=abc"
    assert budgeting.delete("/api/v1/inbox", headers=auth("e-budgeting")).status_code == 204
    assert budgeting.get("/api/v1/inbox", headers=auth("e-budgeting")).json()["total"] == 0
