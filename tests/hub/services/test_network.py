"""Where Simpul may connect, as the operator sets it: SIMPUL_PROBE_ALLOW, the registry header, the CLI and API."""

from __future__ import annotations

import pytest
import structlog
import yaml
from typer.testing import CliRunner

from connectors import netpolicy
from hub.cli import app
from hub.errors import BadRequest
from hub.services import network
from hub.services.registry import RegistryService
from hub.services.registry_access import Principal
from hub.settings import get_settings

runner = CliRunner()
HEADER = b"""simpul_registry: 1
probe_allow: ["*.kotablitar.go.id", 10.20.0.0/16]
pemda:
  - {kode: "35.72", name: Kota Blitar, level: kota}
"""


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


def run(*args: str, **env: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env={"COLUMNS": "200", **env})


def admin(db):  # type: ignore[no-untyped-def]
    return RegistryService(db, Principal.cli(), "en")


@pytest.mark.parametrize("raw", ["simpeg.kotablitar.go.id, *.kotablitar.go.id 10.20.0.0/16",
                                 '["simpeg.kotablitar.go.id", "*.kotablitar.go.id", "10.20.0.0/16"]'])
def test_the_setting_takes_commas_spaces_or_a_json_list(monkeypatch, raw):
    monkeypatch.setenv("SIMPUL_PROBE_ALLOW", raw)
    network.install()
    policy = netpolicy.default_policy()
    assert policy.allow.entries == ("simpeg.kotablitar.go.id", "*.kotablitar.go.id", "10.20.0.0/16")
    assert policy.permits_without_dns("https://sipd.kotablitar.go.id/api")


def test_a_bad_entry_names_itself_and_its_setting(monkeypatch):
    monkeypatch.setenv("SIMPUL_PROBE_ALLOW", "https://simpeg.kotablitar.go.id")
    with pytest.raises(BadRequest) as err:
        network.install()
    assert "https://simpeg.kotablitar.go.id" in err.value.message("en")
    assert "SIMPUL_PROBE_ALLOW" in err.value.message("id")
    monkeypatch.delenv("SIMPUL_PROBE_ALLOW")
    get_settings.cache_clear()
    r = run("network", "policy", SIMPUL_PROBE_ALLOW="10.0.0.0/33")
    assert r.exit_code == 2 and "10.0.0.0/33" in r.output and "Traceback" not in r.output


def test_the_registry_header_sets_probe_allow_and_it_applies_at_once(registry_db):
    service = admin(registry_db)
    report = service.import_file(HEADER, filename="registry.yaml").report
    assert report.counts["probe_allow"]["created"] == 1
    assert netpolicy.default_policy().permits_without_dns("https://simpeg.kotablitar.go.id/")
    assert service.import_file(HEADER, filename="registry.yaml").report.counts["probe_allow"]["unchanged"] == 1
    exported = yaml.safe_load(service.export("yaml"))
    assert exported["probe_allow"] == ["*.kotablitar.go.id", "10.20.0.0/16"]
    # an import without the header leaves it; an empty list clears it
    service.import_file(b"simpul_registry: 1\npemda: []\n", filename="r.yaml")
    assert network.registry_entries(registry_db) == ["*.kotablitar.go.id", "10.20.0.0/16"]
    service.import_file(b"simpul_registry: 1\nprobe_allow: []\n", filename="r.yaml")
    assert network.registry_entries(registry_db) == []
    assert not netpolicy.default_policy().permits_without_dns("https://simpeg.kotablitar.go.id/")


def test_a_change_of_probe_allow_is_kept_in_the_history(registry_db):
    from registry.history import history

    admin(registry_db).import_file(HEADER, filename="registry.yaml")
    with registry_db.session() as s:
        changes = history(s, "setting", "probe_allow")
    assert changes and changes[0].actor.startswith("cli")
    assert changes[0].changes[0]["new"] == ["*.kotablitar.go.id", "10.20.0.0/16"]


@pytest.mark.parametrize(("header", "code"), [
    (b"probe_allow: [http://10.0.0.1/]\n", "registry_probe_allow_entry"),
    (b"probe_allow: [169.254.169.254]\n", "registry_probe_allow_entry"),
    (b"probe_allow: {a: 1}\n", "registry_probe_allow_shape"),
])
def test_a_bad_header_is_rejected_with_the_entry_named(registry_db, header, code):
    from hub.errors import RequestInvalid

    with pytest.raises(RequestInvalid) as err:
        admin(registry_db).import_file(b"simpul_registry: 1\n" + header, filename="r.yaml")
    errors = err.value.extra["errors"]
    assert [e["code"] for e in errors] == [code] and errors[0]["field"] == "probe_allow"
    assert network.registry_entries(registry_db) == []


def test_an_opd_key_cannot_widen_the_network(registry_db, registry_api, registry_key):
    admin(registry_db).import_file(HEADER.replace(b"probe_allow", b"# probe_allow"), filename="r.yaml")
    admin(registry_db).import_file(b"""opd:
  - {kode_pemda: "35.72", kode: 5.01.5.05.0.00.01.0000, name: Bappeda}
""", filename="r.yaml")
    bappeda = registry_key("opd", "Bappeda", "35.72", "5.01.5.05.0.00.01.0000")
    r = registry_api.post("/v1/registry/import", headers={**bappeda, "content-type": "application/yaml"},
                          content=b"probe_allow: ['*.go.id']\napplications: []\n")
    assert r.status_code == 422
    assert "registry_probe_allow_forbidden" in [e["code"] for e in r.json()["errors"]]
    assert network.registry_entries(registry_db) == []


def test_only_an_admin_sees_the_policy_and_the_header_in_exports(registry_db, registry_api, registry_key):
    admin(registry_db).import_file(HEADER, filename="registry.yaml")
    boss, auditor = registry_key("admin"), registry_key("auditor")
    r = registry_api.get("/v1/network/policy", headers=boss)
    assert r.status_code == 200
    body = r.json()
    assert body["loopback"] is True and "metadata" in body["always_refused"]
    assert {"entry": "*.kotablitar.go.id", "source": "registry:probe_allow"} in body["entries"]
    assert registry_api.get("/v1/network/policy", headers=auditor).status_code == 403
    exported = registry_api.get("/v1/registry/export?format=yaml", headers=auditor)
    assert exported.status_code == 200 and b"probe_allow" not in exported.content


def test_the_cli_shows_the_policy_and_checks_urls_without_connecting(registry_db):
    r = run("--lang", "en", "network", "policy", "--check", "http://127.0.0.1:8101/api",
            "--check", "http://169.254.169.254/latest/meta-data/", "--check", "https://sipd.kemendagri.example/",
            SIMPUL_PROBE_ALLOW="*.kotablitar.go.id")
    assert r.exit_code == 1, r.output
    assert "*.kotablitar.go.id" in r.output and "SIMPUL_PROBE_ALLOW" in r.output
    assert "127.0.0.1:8101/api: allowed" in r.output
    assert "169.254.169.254/latest/meta-data/: refused" in r.output and "metadata" in r.output
    assert "sipd.kemendagri.example/: refused" in r.output
    ok = run("network", "policy", "--check", "http://localhost:8000/", "--format", "json")
    assert ok.exit_code == 0 and '"allowed": true' in ok.output
