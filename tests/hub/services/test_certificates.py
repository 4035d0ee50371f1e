"""Conformance certificates (ADR 0009): issued only for an all-valid sample set, verified offline; any one-byte
change, a wrong key or tampered evidence is rejected; a deprecated or superseded version is named."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hub.api.app import create_app
from hub.cli import app
from hub.services import certificates
from hub.settings import get_settings
from hub.validation.store import get_store
from tests.hub.validation.schemaver_testkit import KEY, VALID_DOC

runner = CliRunner()


@pytest.fixture
def issued(tree, tmp_path: Path) -> Path:
    data = tmp_path / "sampel.json"
    data.write_text(json.dumps([VALID_DOC, {**VALID_DOC, "kode": "0002"}]), encoding="utf-8")
    cert = tmp_path / "out" / "sertifikat.json"
    result = runner.invoke(app, ["validate", f"{KEY}:1.1", str(data), "--certificate", str(cert),
                                 "--app", "e-gudang", "--vendor", "PT Contoh Gudang"])
    assert result.exit_code == 0, result.output
    return cert


def test_round_trip_valid_sample_set(issued: Path):
    key_file = Path(get_settings().certificate_key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    doc = json.loads(issued.read_text(encoding="utf-8"))["certificate"]
    assert doc["subject"] == {"app": "e-gudang", "vendor": "PT Contoh Gudang"}
    assert [(s["key"], s["version"], s["semver"]) for s in doc["schemas"]] == [(KEY, "1.1", "1.1.0")]
    assert doc["checks"]["passed"][0] == f"schema:{KEY}:1.1" and doc["checks"]["summary"]["documents"] == 2
    assert doc["issued_at"] < doc["expires_at"]
    evidence = issued.parent / doc["evidence"]["file"]
    assert json.loads(evidence.read_text(encoding="utf-8"))["summary"]["valid"] == 2
    result = runner.invoke(app, ["--lang", "en", "certificate", "verify", str(issued)])
    assert result.exit_code == 0, result.output
    assert "authentic and unaltered" in result.output and "evidence matches" in result.output
    verdict = json.loads(runner.invoke(app, ["certificate", "verify", str(issued), "--json"]).stdout)
    assert (verdict["valid"], verdict["evidence"], verdict["notices"]) == (True, "matches", [])


def test_every_one_byte_change_is_rejected(issued: Path):
    data = issued.read_bytes()
    public = certificates.hub_public_key()
    assert certificates.verify(data, public).valid
    for i in range(len(data)):
        changed = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
        assert not certificates.verify(changed, public).valid, (i, data[i:i + 1])
    flipped = data.replace(b'"valid": 2', b'"valid": 3')
    assert certificates.verify(flipped, public).reason == "signature"
    cli = runner.invoke(app, ["certificate", "verify", str(_write(issued, flipped))])
    assert cli.exit_code == 1 and "DITOLAK" in cli.output


def _write(near: Path, data: bytes) -> Path:
    path = near.parent / "ubah.json"
    path.write_bytes(data)
    return path


def test_a_wrong_key_is_rejected(issued: Path, tmp_path: Path):
    other = tmp_path / "lain.pem"
    other.write_bytes(Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    result = runner.invoke(app, ["--lang", "en", "certificate", "verify", str(issued), "--key", str(other)])
    assert result.exit_code == 1 and "not by the key given" in result.output
    hub_pem = tmp_path / "hub.pem"
    assert runner.invoke(app, ["certificate", "key", "--out", str(hub_pem)]).exit_code == 0
    assert runner.invoke(app, ["certificate", "verify", str(issued), "--key", str(hub_pem)]).exit_code == 0


def test_tampered_evidence_is_rejected(issued: Path):
    doc = json.loads(issued.read_text(encoding="utf-8"))["certificate"]
    evidence = issued.parent / doc["evidence"]["file"]
    evidence.write_text(evidence.read_text(encoding="utf-8").replace('"valid": 2', '"valid": 1'), encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "certificate", "verify", str(issued)])
    assert result.exit_code == 1 and "evidence report does not match" in result.output


def test_a_certificate_for_a_deprecated_superseded_version_says_so(tree, tmp_path: Path):
    data = tmp_path / "sampel.json"
    data.write_text(json.dumps(VALID_DOC), encoding="utf-8")
    cert = tmp_path / "lama.json"
    assert runner.invoke(app, ["validate", f"{KEY}:1", str(data), "--certificate", str(cert)]).exit_code == 0
    assert runner.invoke(app, ["schemas", "deprecate", KEY, "1", "--sunset", "2027-06-30"]).exit_code == 0
    result = runner.invoke(app, ["--lang", "en", "certificate", "verify", str(cert)])
    assert result.exit_code == 0  # still authentic
    assert "deprecated" in result.output and "2027-06-30" in result.output
    assert "superseded by uji/barang:1.1" in result.output
    kinds = [n["kind"] for n in json.loads(runner.invoke(app, ["certificate", "verify", str(cert), "--json"]
                                                         ).stdout)["notices"]]
    assert kinds == ["deprecated", "superseded"]


def test_no_certificate_unless_every_document_is_valid(tree, tmp_path: Path):
    data = tmp_path / "sampel.json"
    data.write_text(json.dumps([VALID_DOC, {"kode": "12"}]), encoding="utf-8")
    cert = tmp_path / "sertifikat.json"
    result = runner.invoke(app, ["--lang", "en", "validate", KEY, str(data), "--certificate", str(cert)])
    assert result.exit_code == 1 and "No certificate: 1 of 2" in result.output
    assert not cert.exists()


def test_an_expired_certificate_is_authentic_but_not_valid(tree):
    entry = get_store().get(KEY)
    cert = certificates.issue("validation", {"app": "x"}, [entry], {"passed": []}, b"{}", "e.json", valid_days=-1)
    result = certificates.verify(certificates.render(cert), certificates.hub_public_key())
    assert (result.valid, result.status) == (False, "expired")


def test_verify_without_a_hub_key_asks_for_one(tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    cert = tmp_path / "c.json"
    cert.write_bytes(certificates.render(certificates.issue("validation", {}, [], {"passed": []}, b"", "e.json")))
    monkeypatch.setenv("SIMPUL_CERTIFICATE_KEY_FILE", str(tmp_path / "tidak-ada.key"))
    get_settings.cache_clear()
    result = runner.invoke(app, ["--lang", "en", "certificate", "verify", str(cert)])
    assert result.exit_code == 2 and "--key" in result.output
    assert not (tmp_path / "tidak-ada.key").exists()  # verifying never creates a key


def test_api_well_known_key_and_verify(issued: Path):
    client = TestClient(create_app())
    pem = client.get("/.well-known/simpul-certificate-key")
    assert pem.status_code == 200 and pem.text == certificates.public_key_pem()
    assert pem.headers["Key-Id"].startswith("ed25519:")
    ok = client.post("/v1/certificates/verify", content=issued.read_bytes(),
                     headers={"Content-Type": "application/json"})
    assert ok.status_code == 200 and ok.json()["valid"] is True
    reformatted = json.dumps(json.loads(issued.read_bytes())).encode()
    bad = client.post("/v1/certificates/verify", content=reformatted, headers={"Content-Type": "application/json"})
    assert bad.status_code == 200 and (bad.json()["valid"], bad.json()["reason"]) == (False, "altered")


def test_odd_json_is_not_a_certificate(tree):
    public = certificates.hub_public_key() if Path(get_settings().certificate_key_file).exists() else \
        certificates.private_key().public_key()
    odd = [[], {"certificate": 1, "signature": {}},
           {"certificate": {"format": "simpul-certificate/1", "issuer": [], "evidence": {}, "schemas": [1]},
            "signature": {"algorithm": "Ed25519", "key_id": "x", "value": "AA=="}}]
    for value in odd:
        result = certificates.verify(certificates.render(value) if isinstance(value, dict) else b"[]", public)
        assert (result.valid, result.reason) == (False, "format"), value
    assert certificates.verify(b"\xff", public).reason == "not_json"
