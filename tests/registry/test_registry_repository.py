"""Repository behaviour on both databases: CRUD, concurrency, history, filters, cursor pages."""

from __future__ import annotations

import pytest

from registry import repository as repo
from registry.convert import input_of
from registry.db import Database
from registry.errors import AlreadyExists, InUse, InvalidReference, NotFoundError, StaleVersion
from registry.models import ApplicationIn, OpdIn, PemdaIn

OPD = "5.01.5.05.0.00.01.0000"


def _app(i: int, **kw) -> ApplicationIn:
    data = {"id": f"app-{i:03d}", "name": f"Aplikasi {i % 7}", "status": "production", "kode_pemda": "35.72",
            "kode_opd": OPD, "area": "perencanaan", "kind": "khusus"}
    return ApplicationIn(**{**data, **kw})


@pytest.fixture
def seeded(registry_db: Database) -> Database:
    with registry_db.session() as s:
        repo.create_pemda(s, PemdaIn(kode="35.72", name="Kota Blitar", level="kota"), "t")
        repo.create_opd(s, OpdIn(kode_pemda="35.72", kode=OPD, name="Bappeda", short_name="Bappeda"), "t")
    return registry_db


def test_create_read_update_delete_with_history(seeded: Database):
    with seeded.session() as s:
        app = repo.create_application(s, _app(1, tags=["rkpd"]), "key:bappeda#1")
        assert (app.revision, app.created_by, app.opd_name) == (1, "key:bappeda#1", "Bappeda")
    with seeded.session() as s:
        data = input_of(repo.get_application(s, "app-001")).model_copy(update={"status": "retired"})
        app = repo.update_application(s, "app-001", data, "key:diskominfo#2", expected_version=1)
        assert (app.revision, app.status, app.updated_by) == (2, "retired", "key:diskominfo#2")
        same = repo.update_application(s, "app-001", data, "key:diskominfo#2")
        assert same.revision == 2  # no change, no write
    with seeded.session() as s:
        hist = repo.history(s, "application", "app-001")
        assert [h.action for h in hist] == ["update", "create"]
        assert hist[0].actor == "key:diskominfo#2"
        assert hist[0].changes == [{"field": "status", "old": "production", "new": "retired"}]
        repo.delete_application(s, "app-001", "key:diskominfo#2", expected_version=2)
    with seeded.session() as s:
        with pytest.raises(NotFoundError):
            repo.get_application(s, "app-001")
        assert repo.history(s, "application", "app-001")[0].action == "delete"


def test_stale_write_is_refused(seeded: Database):
    with seeded.session() as s:
        repo.create_application(s, _app(1), "t")
    with seeded.session() as s:
        data = input_of(repo.get_application(s, "app-001")).model_copy(update={"name": "Baru"})
        repo.update_application(s, "app-001", data, "a", expected_version=1)
    with seeded.session() as s, pytest.raises(StaleVersion) as info:
        repo.update_application(s, "app-001", data.model_copy(update={"name": "Lain"}), "b", expected_version=1)
    assert (info.value.expected, info.value.actual) == (1, 2)


def test_references_duplicates_and_dependents(seeded: Database):
    with seeded.session() as s:
        with pytest.raises(InvalidReference) as info:
            repo.create_application(s, _app(1, kode_opd="9.99.0.00.0.00.01.0000"), "t")
        assert info.value.errors[0].field == "kode_opd"
        repo.create_application(s, _app(1), "t")
        with pytest.raises(AlreadyExists):
            repo.create_application(s, _app(1), "t")
        with pytest.raises(InUse):
            repo.delete_opd(s, "35.72", OPD, "t")
        with pytest.raises(InUse):
            repo.delete_pemda(s, "35.72", "t")


def test_personal_data_is_masked_in_the_history(seeded: Database):
    with seeded.session() as s:
        repo.create_application(s, _app(1, contact={"name": "Rina", "email": "rina.w@blitarkota.go.id",
                                                     "phone": "0342 801234"}), "t")
        changes = {c["field"]: c["new"] for c in repo.history(s, "application", "app-001")[0].changes}
    assert changes["contact.email"] == "r***@blitarkota.go.id"
    assert changes["contact.phone"] == "***234"


@pytest.mark.parametrize("sort", ["name", "-name", "id", "-id", "updated_at", "-updated_at"])
def test_cursor_pages_cover_everything_once(seeded: Database, sort: str):
    with seeded.session() as s:
        repo.save_applications(s, [_app(i) for i in range(53)], "t")
    seen, cursor = [], None
    with seeded.session() as s:
        while True:
            page = repo.list_applications(s, sort=sort, limit=10, cursor=cursor)
            seen.extend(a.id for a in page.items)
            cursor = page.next_cursor
            if not cursor:
                break
    assert sorted(seen) == [f"app-{i:03d}" for i in range(53)]
    assert len(seen) == len(set(seen))


def test_filters(seeded: Database):
    with seeded.session() as s:
        repo.create_opd(s, OpdIn(kode_pemda="35.72", kode="5.02.0.00.0.00.01.0000", name="BPKAD"), "t")
        repo.save_applications(s, [
            _app(1, area="keuangan", other_areas=["perencanaan"], kind="umum", tags=["nasional"],
                 kode_opd="5.02.0.00.0.00.01.0000", hosting={"type": "national"}),
            _app(2, status="retired", description="Surat 100% elektronik", supplier={"source_code_held": False}),
            _app(3, integration={"connector": {"type": "rest_json"}}, name="SIMPEG_x",
                 supplier={"source_code_held": True}),
        ], "t")

    def ids(**kw) -> list[str]:
        with seeded.session() as s:
            return sorted(a.id for a in repo.list_applications(s, repo.ApplicationFilter(**kw)).items)

    assert ids(area=["perencanaan"]) == ["app-001", "app-002", "app-003"]  # main or other area
    assert ids(area=["keuangan"]) == ["app-001"]
    assert ids(kode_opd="5.02.0.00.0.00.01.0000") == ["app-001"]
    assert ids(status=["retired"]) == ["app-002"]
    assert ids(kind=["umum"], hosting=["national"]) == ["app-001"]
    assert ids(connector="none") == ["app-001", "app-002"]
    assert ids(connector="rest_json") == ids(connector="any") == ["app-003"]
    assert ids(tag="NASIONAL") == ["app-001"]
    assert ids(q="100%") == ["app-002"]
    assert ids(q="simpeg_") == ["app-003"]
    assert ids(q="_") == ["app-003"]  # LIKE wildcards are literal
    assert ids(source_code_held=False) == ["app-002"]
    with seeded.session() as s:
        assert repo.count_applications(s, repo.ApplicationFilter(area=["perencanaan"])) == 3
        summary = repo.summary(s)
    assert summary["total"] == 3
    assert summary["by_area"]["legislasi"] == 0


def test_import_upsert_counts_and_no_op_reimport(seeded: Database):
    apps = [_app(i) for i in range(5)]
    with seeded.session() as s:
        assert repo.save_applications(s, apps, "t") == {"created": 5, "updated": 0, "unchanged": 0}
    with seeded.session() as s:
        changed = [*apps[:4], apps[4].model_copy(update={"name": "Baru"})]
        assert repo.save_applications(s, changed, "t") == {"created": 0, "updated": 1, "unchanged": 4}
        assert repo.get_application(s, "app-004").revision == 2
