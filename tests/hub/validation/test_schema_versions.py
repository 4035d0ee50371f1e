"""Versions vendors can rely on: the versions list, deprecation warnings, the diff with what it affects, the
changelog; through the service, the CLI and the API (fixture schema tree, see schemaver_testkit)."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from hub.api.app import create_app
from hub.cli import app
from hub.services import schema_versions
from hub.settings import get_settings
from hub.validation.validator import validate_document
from tests.hub.validation.schemaver_testkit import KEY, VALID_DOC

runner = CliRunner()


def test_versions_list_semver_latest_and_superseded(tree):
    items = schema_versions.list_versions(KEY)
    assert [(i.version, i.semver, i.latest, i.superseded_by) for i in items] == [
        ("1", "1.0.0", False, "1.1"), ("1.1", "1.1.0", True, None)]
    result = runner.invoke(app, ["--lang", "en", "schemas", "versions", KEY])
    assert result.exit_code == 0
    assert "superseded by 1.1" in result.output and "latest" in result.output


def test_a_deprecated_version_warns_with_sunset_and_successor(tree, tmp_path: Path):
    assert validate_document(f"{KEY}:1", VALID_DOC).deprecation is None
    result = runner.invoke(app, ["schemas", "deprecate", KEY, "1", "--sunset", "2027-06-30"])
    assert result.exit_code == 0, result.output
    assert "2027-06-30" in (tree / "versions.yaml").read_text(encoding="utf-8")
    report = validate_document(f"{KEY}:1", VALID_DOC)
    assert report.valid and report.deprecation is not None
    assert (str(report.deprecation.sunset), report.deprecation.successor) == ("2027-06-30", "1.1")
    assert "uji/barang:1.1" in report.deprecation.message.en
    assert validate_document(KEY, VALID_DOC).deprecation is None  # the latest version is not deprecated

    data = tmp_path / "barang.json"
    data.write_text(json.dumps(VALID_DOC), encoding="utf-8")
    text = runner.invoke(app, ["--lang", "en", "validate", f"{KEY}:1", str(data)])
    assert text.exit_code == 0
    assert "deprecated" in text.output and "2027-06-30" in text.output and "uji/barang:1.1" in text.output
    as_json = runner.invoke(app, ["validate", f"{KEY}:1", str(data), "--format", "json"])
    assert json.loads(as_json.stdout)["deprecation"]["sunset"] == "2027-06-30"
    assert "2027-06-30" in as_json.stderr  # and a warning a person sees
    assert "2027-06-30" in runner.invoke(app, ["schemas", "versions", KEY]).output


def test_deprecate_refuses_a_bad_date_or_an_unknown_version(tree):
    bad_date = runner.invoke(app, ["--lang", "en", "schemas", "deprecate", KEY, "1", "--sunset", "30-06-2027"])
    assert bad_date.exit_code == 2 and "YYYY-MM-DD" in bad_date.output
    unknown = runner.invoke(app, ["schemas", "deprecate", KEY, "7", "--sunset", "2027-06-30"])
    assert unknown.exit_code == 2 and "uji/barang:1" in unknown.output
    older = runner.invoke(app, ["schemas", "deprecate", KEY, "1.1", "--sunset", "2027-06-30", "--successor", "1"])
    assert older.exit_code == 2
    assert not (tree / "versions.yaml").exists()


def test_diff_cli_lists_changes_with_their_class(tree):
    result = runner.invoke(app, ["--lang", "en", "schemas", "diff", KEY, "1", "1.1"])
    assert result.exit_code == 1  # breaking changes present
    assert "breaking" in result.output and "non-breaking" in result.output
    assert "codes removed from the list: kg" in result.output and "new optional field warna" in result.output
    assert "semver.org" in result.output  # a breaking change in a minor step is pointed out
    data = json.loads(runner.invoke(app, ["schemas", "diff", KEY, "1", "1.1", "--json"]).stdout)
    assert (data["from"], data["to"], data["breaking"], data["non_breaking"]) == ("1", "1.1", 1, 1)
    same = runner.invoke(app, ["schemas", "diff", KEY, "1.1", "1.1"])
    assert same.exit_code == 0
    assert data["affected"]["checked"] is False  # no database yet: said so, and none created by asking
    assert not Path(get_settings().database_url.removeprefix("sqlite:///")).exists()


def test_diff_names_the_mappings_and_subscriptions_it_affects(tree, registry_loaded):
    from hub.exchange import subscriptions
    from registry.tables import ApplicationRow

    resources = {
        "barang": {"path": "/barang", "mapping": {"schema": KEY, "fields": {"kode": "id", "satuan": "unit"}}},
        "katalog": {"path": "/katalog", "mapping": {"schema": KEY, "fields": {"kode": "id", "nama": "judul"}}},
        "lain": {"path": "/lain", "schema": "kepegawaian/pegawai"},
    }
    with registry_loaded.session() as s:
        s.execute(update(ApplicationRow).where(ApplicationRow.id == "simpeg").values(
            connector_config={"base_url": "http://127.0.0.1:9/api", "resources": resources}))
        s.commit()
    sub = subscriptions.create(subscriptions.SubscriptionIn(name="Gudang BPKAD", schema=KEY, mode="pull"),
                               "test", db=registry_loaded)
    result = schema_versions.schema_diff(KEY, "1", "1.1", db=registry_loaded)
    found = result.affected or {}
    assert found["checked"] is True
    assert [(m["app"], m["resource"]) for m in found["mappings"]] == [("simpeg", "barang")]  # writes satuan
    assert [s["id"] for s in found["subscriptions"]] == [sub.id]
    cli = runner.invoke(app, ["--lang", "en", "schemas", "diff", KEY, "1", "1.1"])
    assert "Affected mapping: simpeg / barang" in cli.output and sub.id in cli.output


def test_changelog_from_consecutive_versions(tree, tmp_path: Path):
    text = runner.invoke(app, ["--lang", "en", "schemas", "changelog"])
    assert text.exit_code == 0
    assert "## uji/barang 1 → 1.1" in text.output and "### Breaking changes" in text.output
    assert "codes removed from the list: kg" in text.output
    out = tmp_path / "docs"
    written = runner.invoke(app, ["schemas", "changelog", "--write", "--out", str(out)])
    assert written.exit_code == 0
    assert "Perubahan memutus" in (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "Breaking changes" in (out / "CHANGELOG.en.md").read_text(encoding="utf-8")


def test_api_versions_diff_deprecate_and_sunset_header(tree, registry_api, registry_key):
    client: TestClient = registry_api
    versions = client.get(f"/v1/schemas/{KEY}/versions").json()
    assert [v["version"] for v in versions] == ["1", "1.1"]
    diff = client.get(f"/v1/schemas/{KEY}/diff", params={"from": "1", "to": "1.1"})
    assert diff.status_code == 200, diff.text
    body = diff.json()
    assert (body["from"], body["to"], body["breaking"]) == ("1", "1.1", 1)
    assert {c["kind"] for c in body["changes"]} == {"enum_removed", "field_added"}
    assert body["affected"] is None  # subscription names are not public
    params = {"from": "1", "to": "1.1", "affected": "true"}
    assert client.get(f"/v1/schemas/{KEY}/diff", params=params).status_code == 401
    assert client.get(f"/v1/schemas/{KEY}/diff", params=params, headers=registry_key("viewer")).status_code == 403
    managed = client.get(f"/v1/schemas/{KEY}/diff", params=params, headers=registry_key("admin")).json()
    assert managed["affected"] == {"checked": True, "mappings": [], "subscriptions": []}
    assert client.get(f"/v1/schemas/{KEY}/diff", params={"from": "1", "to": "9"}).status_code == 404
    assert client.post(f"/v1/schemas/{KEY}/deprecate", json={"version": "1", "sunset": "2027-06-30"}
                       ).status_code == 401
    done = client.post(f"/v1/schemas/{KEY}/deprecate", json={"version": "1", "sunset": "2027-06-30"},
                       headers=registry_key("admin"))
    assert done.status_code == 200, done.text
    checked = client.post(f"/v1/schemas/{KEY}:1/validate", json=VALID_DOC)
    assert checked.status_code == 200
    assert checked.headers["Sunset"] == "Wed, 30 Jun 2027 23:59:59 GMT"
    assert checked.headers["Deprecation"] == "true"
    assert checked.json()["deprecation"]["successor"] == "1.1"
    assert "Sunset" not in client.post(f"/v1/schemas/{KEY}/validate", json=VALID_DOC).headers


def test_create_app_still_serves_the_schema_itself(tree):
    client = TestClient(create_app())
    shown = client.get(f"/v1/schemas/{KEY}:1.1")
    assert shown.status_code == 200 and shown.json()["version"] == "1.1"


def test_the_shipped_changelog_is_up_to_date():
    """docs/schemas/CHANGELOG(.en).md is generated: after adding a version, run `simpul schemas changelog --write`."""
    from hub.settings import PROJECT_ROOT

    for lang, name in (("id", "CHANGELOG.md"), ("en", "CHANGELOG.en.md")):
        shipped = (PROJECT_ROOT / "docs" / "schemas" / name).read_text(encoding="utf-8")
        assert shipped == schema_versions.changelog(lang), f"run `simpul schemas changelog --write` ({name})"


def test_every_shipped_schema_version_is_a_semantic_version():
    from hub.validation.store import get_store
    from hub.validation.versions import semver_of

    for entry in get_store().entries(all_versions=True):
        assert str(semver_of(entry)).startswith(entry.version.split(".")[0] + "."), entry.versioned_key
