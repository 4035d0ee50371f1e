"""A provincial Simpul over three real kabupaten/kota Simpuls (each its own API process on loopback with its own
registry): members, pull, the comparison across Pemdas, the province inventory, a member that is down, a key
without ``federation:read``, and the network policy on members' addresses."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from hub.errors import Conflict, Forbidden, RequestInvalid
from hub.services.federation import FederationService, KeyRef, MemberIn
from hub.services.registry_access import Principal
from registry.db import Database

from .kit import KOTA, Kota, kota_sites, make_key


def service(db: Database, lang: str = "id") -> FederationService:
    return FederationService(db, Principal.cli(), lang)


def join(db: Database, kotas: list[Kota], monkeypatch: pytest.MonkeyPatch) -> FederationService:
    svc = service(db)
    for kota in kotas:
        env = f"SIMPUL_FED_{kota.spec.kode.replace('.', '')}_KEY"
        monkeypatch.setenv(env, kota.token)
        svc.add(MemberIn(name=kota.spec.name, kode_pemda=kota.spec.kode, base_url=kota.url, key=KeyRef(env=env)))
    return svc


def test_the_kota_api_lets_a_federation_key_read_only_what_a_pull_needs(kotas: list[Kota]) -> None:
    kota = kotas[0]
    headers = {"Authorization": f"Bearer {kota.token}"}
    with httpx.Client(base_url=kota.url, headers=headers) as client:
        apps = client.get("/v1/applications", params={"pemda": "35.72"}).json()["items"]
        assert sorted(a["id"] for a in apps) == ["e-budgeting", "e-planning", "simpeg"]
        assert all(a["contact"]["email"] is None for a in apps)  # personal contact data stays at the kota
        runs = client.get("/v1/assessments/runs").json()["items"]
        assert client.get(f"/v1/assessments/runs/{runs[0]['run_id']}").status_code == 200
        # everything else stays closed to it
        for path in ("/v1/inventory?pemda=35.72", f"/v1/assessments/runs/{runs[0]['run_id']}/report",
                     "/v1/keys", "/v1/applications/e-planning/history"):
            answer = client.get(path)
            assert answer.status_code == 403, path
        assert client.post("/v1/applications", json={}).status_code in (403, 422)


def test_pull_three_kota_and_compare(registry_db: Database, kotas: list[Kota],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    svc = join(registry_db, kotas, monkeypatch)
    assert [m.status for m in svc.list()] == ["never", "never", "never"]
    results = asyncio.run(svc.pull())
    assert [(r.kode_pemda, r.ok, r.applications, r.runs) for r in results] == [
        ("35.05", True, 1, 1), ("35.72", True, 3, 2), ("35.73", True, 2, 2)]
    assert all(r.fetched_runs == r.runs for r in results)
    again = asyncio.run(svc.pull(["35.72"]))  # nothing new at the kota: no run detail fetched again
    assert (again[0].ok, again[0].runs, again[0].fetched_runs) == (True, 2, 0)

    comp = svc.comparison()
    rows = {r.kode_pemda: r for r in comp.rows}
    blitar, malang, kab = rows["35.72"], rows["35.73"], rows["35.05"]
    assert (blitar.applications, blitar.measured, blitar.interoperable) == (3, 2, 1)
    assert blitar.levels == {"1": 0, "2": 1, "3": 1, "4": 0, "5": 0}  # the latest run counts, not the older one
    assert blitar.standards["interoperable"].meets == 1 and blitar.standards["interoperable"].mean == 65.0
    assert blitar.standards["reliable"].meets == 1  # 80 ≥ 60, 50 < 60
    assert (malang.applications, malang.measured, malang.interoperable) == (2, 2, 2)
    assert malang.levels["4"] == 2 and malang.standards["integrateable"].mean == 90.0
    assert (kab.applications, kab.measured, kab.levels["1"], kab.standards["reliable"].meets) == (1, 1, 1, 0)
    assert all(r.status == "ok" and r.age == "data baru saja ditarik" for r in comp.rows)
    total = comp.total
    assert (total.applications, total.measured, total.interoperable) == (6, 5, 3)
    assert total.levels == {"1": 1, "2": 1, "3": 1, "4": 2, "5": 0}

    # open gaps per Pemda are those of the kota's own inventory, read from the kota itself
    for kota in kotas:
        admin = make_key(kota.db, "admin")
        own = httpx.get(f"{kota.url}/v1/inventory", params={"pemda": kota.spec.kode},
                        headers={"Authorization": f"Bearer {admin}"}).json()
        assert rows[kota.spec.kode].open_gaps == own["totals"]["gaps"] > 0


def test_province_inventory_is_the_union_with_origins(registry_db: Database, kotas: list[Kota],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from registry.io import import_batch, read

    svc = join(registry_db, kotas, monkeypatch)
    asyncio.run(svc.pull())
    with registry_db.session() as s:  # the province's own registry names the provinsi
        import_batch(s, read(b'{"simpul_registry": 1, "pemda": [{"kode": "35", "name": "Provinsi Jawa Timur", '
                             b'"level": "provinsi"}]}', "yaml"), "test")
    inv = svc.inventory("35")
    assert inv.pemda is not None and inv.pemda.name == "Provinsi Jawa Timur"
    ids = sorted(a.app_id for a in inv.applications)
    assert ids == ["35.05/e-office", "35.72/e-budgeting", "35.72/e-planning", "35.72/simpeg",
                   "35.73/e-planning", "35.73/sipd-malang"]  # two kota's e-planning stay two applications
    assert {a.opd for a in inv.applications if a.app_id.startswith("35.73/")} <= {"Bappeda (Kota Malang)",
                                                                                   "BPKAD (Kota Malang)"}
    assert inv.totals.registered == 6 and inv.totals.assessed == 5


def test_a_member_that_is_down_shows_its_last_copy_with_its_age(registry_db: Database, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with kota_sites(tmp_path, [KOTA[2]]) as (kab,):
        svc = join(registry_db, [kab], monkeypatch)
        first = asyncio.run(svc.pull())[0]
        assert first.ok
        kab.stop()
        down = asyncio.run(svc.pull())[0]
    assert not down.ok and down.error is not None and down.error["code"] == "unreachable"
    assert (down.applications, down.runs) == (1, 1)  # the last copy is kept, not dropped
    later = first.fetched_at + timedelta(days=3, hours=2)  # type: ignore[operator]
    row = service(registry_db).comparison(now=later).rows[0]
    assert (row.status, row.applications, row.measured) == ("failed", 1, 1)
    assert row.age == "data dari 3 hari lalu"
    assert row.error is not None and "tidak terjangkau" in row.error
    member = service(registry_db, "en").list(now=later)[0]
    assert (member.status, member.age) == ("failed", "data from 3 days ago")


def test_a_key_without_federation_read_is_a_clear_403(registry_db: Database, kotas: list[Kota],
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    kota = kotas[1]
    vendor = make_key(kota.db, "vendor")
    answer = httpx.get(f"{kota.url}/v1/applications", headers={"Authorization": f"Bearer {vendor}"})
    assert answer.status_code == 403 and "federation:read" in answer.json()["detail"]
    monkeypatch.setenv("SIMPUL_FED_VENDOR_KEY", vendor)
    svc = service(registry_db, "en")
    svc.add(MemberIn(name=kota.spec.name, kode_pemda=kota.spec.kode, base_url=kota.url,
                     key=KeyRef(env="SIMPUL_FED_VENDOR_KEY")))
    result = asyncio.run(svc.pull())[0]
    assert not result.ok and result.error is not None
    assert (result.error["code"], result.error["http_status"]) == ("forbidden", 403)
    assert "lacks the federation:read scope" in result.error["en"]
    assert "simpul keys create --role federation" in result.error["id"]
    assert svc.list()[0].status == "failed"


def test_missing_key_variable_and_revoked_key(registry_db: Database, kotas: list[Kota],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    svc = service(registry_db, "en")
    svc.add(MemberIn(name="Kota Malang", kode_pemda="35.73", base_url=kotas[1].url,
                     key=KeyRef(env="SIMPUL_FED_UNSET_KEY")))
    monkeypatch.delenv("SIMPUL_FED_UNSET_KEY", raising=False)
    result = asyncio.run(svc.pull())[0]
    assert result.error is not None and result.error["code"] == "no_key"
    assert "SIMPUL_FED_UNSET_KEY" in result.error["en"]
    monkeypatch.setenv("SIMPUL_FED_UNSET_KEY", "smpl_not-a-key-of-this-kota")
    result = asyncio.run(svc.pull())[0]
    assert result.error is not None and (result.error["code"], result.error["http_status"]) == ("unauthenticated",
                                                                                                 401)


def test_members_addresses_go_through_the_network_policy(registry_db: Database,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    svc = service(registry_db, "en")
    with pytest.raises(RequestInvalid):
        svc.add(MemberIn(name="Kota Kediri", kode_pemda="35.71", base_url="ftp://simpul.kedirikota.example",
                         key=KeyRef(env="SIMPUL_FED_3571_KEY")))
    with pytest.raises(RequestInvalid):
        svc.add(MemberIn(name="Kota Kediri", kode_pemda="35.71", base_url="https://simpul.kedirikota.example",
                         key=KeyRef(env="lower-case")))
    svc.add(MemberIn(name="Kota Kediri", kode_pemda="35.71", base_url="https://simpul.kedirikota.example",
                     key=KeyRef(env="SIMPUL_FED_3571_KEY")))
    with pytest.raises(Conflict):
        svc.add(MemberIn(name="Kota Kediri", kode_pemda="35.71", base_url="https://x.example",
                         key=KeyRef(env="SIMPUL_FED_3571_KEY")))
    monkeypatch.setenv("SIMPUL_FED_3571_KEY", "smpl_whatever")
    result = asyncio.run(svc.pull())[0]  # not loopback, not allowed: refused before any DNS query
    assert result.error is not None and result.error["code"] == "refused"
    assert "SIMPUL_PROBE_ALLOW" in result.error["en"]
    assert svc.list()[0].age == "never pulled"


def test_only_admins_manage_members(registry_db: Database) -> None:
    viewer = FederationService(registry_db, Principal(actor="key:v#1", role="viewer", name="v"))
    assert viewer.list() == []
    with pytest.raises(Forbidden):
        viewer.add(MemberIn(name="Kota Batu", kode_pemda="35.79", base_url="http://127.0.0.1:9",
                            key=KeyRef(env="SIMPUL_FED_3579_KEY")))
    with pytest.raises(Forbidden):
        asyncio.run(viewer.pull())


async def test_a_federation_pull_schedule_pulls_every_member_when_due(registry_db: Database, kotas: list[Kota],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from hub.queue.backend import Queue
    from hub.services import schedules
    from hub.services.schedules import ScheduleIn, ScheduleService
    from registry.tables_queue import ScheduleRow

    join(registry_db, kotas[:2], monkeypatch)
    plans = ScheduleService(registry_db, Principal.cli())
    with pytest.raises(RequestInvalid):
        plans.create(ScheduleIn(kind="federation-pull", scope="app", target="e-planning", cron="0 1 * * *"))
    with pytest.raises(Forbidden):
        ScheduleService(registry_db, Principal(actor="a", role="auditor", name="a")).create(
            ScheduleIn(kind="federation-pull", scope="all", cron="0 1 * * *"))
    made = plans.create(ScheduleIn(kind="federation-pull", scope="all", cron="0 1 * * *", note="Tiap malam"))
    with registry_db.session() as s:
        s.get(ScheduleRow, made.id).next_run_at = time.time() - 60
    queue = Queue(registry_db)
    try:
        fired = await schedules.fire_due(registry_db, queue)
    finally:
        await queue.close()
    assert [(f["kind"], f["pulled"], f["failed"]) for f in fired] == [("federation-pull", 2, 0)]
    assert plans.get(made.id).last_result["pulled"] == 2
    assert [m.status for m in service(registry_db).list()] == ["ok", "ok"]


class RecordingTransport(httpx.AsyncBaseTransport):
    """Loopback HTTP that remembers every request (what the pull asked the kota for)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def test_runs_latest_gives_one_run_per_application_and_the_pull_asks_only_for_those(
        kotas: list[Kota], monkeypatch: pytest.MonkeyPatch) -> None:
    from hub.federation.client import MemberClient

    kota = next(k for k in kotas if k.spec.kode == "35.72")  # e-planning and e-budgeting have two runs each
    with httpx.Client(base_url=kota.url, headers={"Authorization": f"Bearer {kota.token}"}) as client:
        every = client.get("/v1/assessments/runs").json()["items"]
        latest = client.get("/v1/assessments/runs", params={"latest": "true"}).json()["items"]
        first = client.get("/v1/assessments/runs", params={"latest": "true", "limit": 1})
        rest = client.get("/v1/assessments/runs", params={"latest": "true", "limit": 1,
                                                          "cursor": first.json()["next_cursor"]}).json()
    newest: dict[str, str] = {}
    for summary in every:  # newest first
        newest.setdefault(summary["app_id"], summary["run_id"])
    assert len(every) == 4
    assert {r["app_id"]: r["run_id"] for r in latest} == newest and len(latest) == 2
    assert "latest=true" in first.headers["Link"]  # the next page keeps the filter
    assert [*first.json()["items"], *rest["items"]] == latest and rest["next_cursor"] is None

    monkeypatch.setenv("SIMPUL_FED_TEST_KEY", kota.token)
    transport = RecordingTransport()
    copy = asyncio.run(MemberClient(kota.spec.name, kota.spec.kode, kota.url, "SIMPUL_FED_TEST_KEY",
                                    transport=transport).pull())
    assert {a: r.run_id for a, r in copy.runs.items()} == newest
    asked = [r.url for r in transport.requests if r.url.path == "/v1/assessments/runs"]
    assert asked and all(u.params.get("latest") == "true" for u in asked)
