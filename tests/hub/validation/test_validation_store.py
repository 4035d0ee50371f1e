from __future__ import annotations

import json

import pytest

from hub.errors import NotFound
from hub.health import readiness_checks
from hub.logging import configure_logging
from hub.validation.store import SchemaStore, content_hash, get_store, reload_store
from tests.hub.validation.validation_testkit import write_schemas


@pytest.fixture
def store(tmp_path):
    return SchemaStore(write_schemas(tmp_path))


def test_a_schema_is_found_by_key_versioned_key_and_urn(store):
    by_key = store.get("uji/pegawai")
    assert store.get("uji/pegawai:1") is by_key
    assert store.get("urn:simpul:schema:uji/pegawai:1") is by_key
    assert by_key.urn == "urn:simpul:schema:uji/pegawai:1"
    assert by_key.title == {"id": "Pegawai uji", "en": "Test employee"}
    assert len(by_key.examples_valid) == 1 and len(by_key.examples_invalid) == 1


def test_the_key_without_version_is_the_latest_version(tmp_path):
    root = write_schemas(tmp_path)
    v1 = json.loads((root / "uji/pegawai/1.json").read_text())
    for version in ("2", "10"):
        (root / f"uji/pegawai/{version}.json").write_text(json.dumps(
            {**v1, "$id": f"urn:simpul:schema:uji/pegawai:{version}"}))
    store = SchemaStore(root)
    assert store.get("uji/pegawai").version == "10"
    assert store.get("uji/pegawai:2").version == "2"
    assert [e.version for e in store.entries(all_versions=True) if e.key == "uji/pegawai"] == ["1", "2", "10"]


def test_an_unknown_schema_names_close_matches(store):
    with pytest.raises(NotFound) as caught:
        store.get("uji/pegawaii")
    assert caught.value.extra["suggestions"][0] == "uji/pegawai"
    assert "uji/pegawai" in caught.value.message("id")
    assert "Did you mean" in caught.value.message("en")


def test_the_hash_is_sha256_of_canonical_json_and_ignores_formatting(store, tmp_path):
    entry = store.get("uji/pegawai")
    assert entry.hash == content_hash(json.loads(entry.path.read_text()))
    assert entry.hash.startswith("sha256:") and len(entry.hash) == 7 + 64
    entry.path.write_text(json.dumps(entry.schema, indent=8))
    assert SchemaStore(tmp_path).get("uji/pegawai").hash == entry.hash


def test_refs_to_another_schema_urn_resolve_and_keep_what_the_field_says(store):
    resolved = store.resolved(store.get("uji/pegawai"))
    nik = resolved["properties"]["nik"]
    assert nik["pattern"] == "^\\d{16}$"  # from common/definitions
    assert nik["x-personal-data"] is True  # said next to the $ref
    assert resolved["properties"]["tanggal_lahir"]["title"] == "Tanggal lahir"  # the field's title wins
    assert "$ref" not in json.dumps(resolved)


def test_problems_are_reported_not_raised(tmp_path):
    root = write_schemas(tmp_path)
    (root / "uji/rusak").mkdir(parents=True)
    (root / "uji/rusak/1.json").write_text("{ not json")
    (root / "uji/salah_id").mkdir(parents=True)
    (root / "uji/salah_id/1.json").write_text(json.dumps({"$id": "urn:x", "type": "object"}))
    (root / "uji/ref_hilang").mkdir(parents=True)
    (root / "uji/ref_hilang/1.json").write_text(json.dumps(
        {"$id": "urn:simpul:schema:uji/ref_hilang:1", "$ref": "urn:simpul:schema:tidak/ada:1"}))
    store = SchemaStore(root)
    text = " ".join(store.problems)
    assert "rusak" in text and "salah_id" in text and "ref_hilang" in text
    assert store.get("uji/pegawai")  # the good schemas are still served
    assert store.readiness().startswith("3 schema problem(s)")


def test_readiness_check_reports_the_schemas_folder(tmp_path, monkeypatch):
    configure_logging("WARNING", "console")  # an earlier CliRunner may have left structlog on a closed stream
    monkeypatch.setenv("SIMPUL_SCHEMAS_DIR", str(write_schemas(tmp_path / "ok")))
    from hub.settings import get_settings

    get_settings.cache_clear()
    assert readiness_checks()["schemas"] == "ok"
    monkeypatch.setenv("SIMPUL_SCHEMAS_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    assert "no schemas" in readiness_checks()["schemas"]
    reload_store()
    assert get_store().root == (tmp_path / "empty").resolve()
