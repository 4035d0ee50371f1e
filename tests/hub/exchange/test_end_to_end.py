"""With the example applications: a change made in e-planning reaches a subscribed e-budgeting by signed webhook,
and the same record is readable through the canonical API with its provenance."""

from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from examples.launcher import start_examples
from hub.exchange import audit, delivery, scopes, subscriptions
from hub.exchange.signing import verify_signature
from hub.exchange.subscriptions import SubscriptionIn
from hub.exchange.sync import sync_app
from registry.keys import list_keys

from .support import eplanning_spec

pytestmark = pytest.mark.slow


async def test_change_in_eplanning_reaches_ebudgeting_and_the_canonical_api(exdb, tmp_path, monkeypatch,
                                                                             registry_api, registry_key):
    with start_examples({"e-planning": "good", "e-budgeting": "good"}, ports=0) as urls:
        monkeypatch.setenv("EPLAN_TOKEN", urls.tokens["e-planning"])
        spec = str(eplanning_spec(tmp_path, urls["e-planning"]))
        [first] = await sync_app(spec, db=exdb)
        assert first.status == "ok" and first.counts.new > 100 and first.counts.invalid == 0

        inbox = urls["e-budgeting"] + "/api/v1/inbox"
        sub = subscriptions.create(SubscriptionIn(name="e-budgeting BPKAD", schema="perencanaan/sub_kegiatan",
                                                  url=inbox, consumer_app="e-budgeting"), "test", db=exdb)
        plan = {"Authorization": f"Bearer {urls.tokens['e-planning']}"}
        async with httpx.AsyncClient(headers=plan) as http:
            item = (await http.get(urls["e-planning"] + "/api/v1/sub-kegiatan", params={"size": 1})).json()["data"][0]
            changed = {k: v for k, v in item.items() if k not in ("updated_at", "nama_opd")}
            changed["pagu_indikatif"] = item["pagu_indikatif"] + 5_000_000
            put = await http.put(f"{urls['e-planning']}/api/v1/sub-kegiatan/{item['kode_sub_kegiatan']}",
                                 json=changed)
            assert put.status_code in (200, 201), put.text

        [second] = await sync_app(spec, db=exdb)
        assert second.counts.changed == 1 and second.counts.enqueued == 1
        assert await delivery.drain(exdb) == 1

        budget = {"Authorization": f"Bearer {urls.tokens['e-budgeting']}"}
        received = httpx.get(inbox, headers=budget).json()["data"]
        assert len(received) == 1
        message = received[0]
        headers = {k.lower(): v for k, v in message["headers"].items()}
        assert verify_signature(sub.secret, message["body"].encode("utf-8"), headers["x-simpul-signature"])
        assert headers["idempotency-key"] == headers["x-simpul-delivery"]
        envelope = message["json"]
        assert envelope["event"] == "record.updated" and envelope["version"] == 2
        assert envelope["data"]["pagu_indikatif"] == item["pagu_indikatif"] + 5_000_000

    key = envelope["record_key"]
    consumer = registry_key("vendor", name="e-budgeting")
    path = f"/v1/data/perencanaan/sub_kegiatan/records/{quote(key, safe='')}"
    assert registry_api.get(path, headers=consumer).status_code == 403  # no data scope yet
    with exdb.session() as s:
        key_id = max(k.id for k in list_keys(s))
    scopes.grant(str(key_id), "data:read:perencanaan/sub_kegiatan", "test", db=exdb)
    r = registry_api.get(path, headers=consumer)
    assert r.status_code == 200, r.text
    record = r.json()
    assert record["data"]["pagu_indikatif"] == envelope["data"]["pagu_indikatif"]
    assert record["provenance"]["source_app"] == "e-planning"
    assert record["provenance"]["content_hash"] == envelope["provenance"]["content_hash"]
    assert [v["version"] for v in record["versions"]] == [2, 1]
    assert audit.verify(exdb).ok
