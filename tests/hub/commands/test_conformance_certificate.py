"""``simpul conformance --certificate``: a signed certificate for a run without failures, none otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.settings import get_settings
from tests.hub.assessment.apps import LoopbackServer, build_app

runner = CliRunner()
FAST = ["--probes", "3"]


@pytest.fixture(autouse=True)
def _key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIMPUL_CERTIFICATE_KEY_FILE", str(tmp_path / "certificate.key"))
    get_settings.cache_clear()


def test_a_good_application_gets_a_certificate_that_verifies(tmp_path: Path):
    cert = tmp_path / "sertifikat.json"
    with LoopbackServer(build_app()) as server:
        result = runner.invoke(app, ["conformance", server.url, "--area", "kepegawaian", *FAST,
                                     "--certificate", str(cert), "--vendor", "PT Contoh"])
    assert result.exit_code == 0, result.output
    doc = json.loads(cert.read_text(encoding="utf-8"))["certificate"]
    assert doc["kind"] == "conformance" and doc["subject"]["vendor"] == "PT Contoh"
    assert doc["subject"]["url"] == server.url
    assert "kepegawaian/pegawai" in [s["key"] for s in doc["schemas"]]
    assert len(doc["checks"]["passed"]) > 10 and doc["checks"]["summary"]["area"] == "kepegawaian"
    evidence = json.loads((tmp_path / doc["evidence"]["file"]).read_text(encoding="utf-8"))
    assert evidence["target"]["base_url"] == server.url
    verified = runner.invoke(app, ["certificate", "verify", str(cert), "--json"])
    assert verified.exit_code == 0 and json.loads(verified.stdout)["evidence"] == "matches"


def test_a_failing_application_gets_none(tmp_path: Path):
    cert = tmp_path / "sertifikat.json"
    with LoopbackServer(build_app(fragile=True)) as server:
        result = runner.invoke(app, ["--lang", "en", "conformance", server.url, "--area", "kepegawaian", *FAST,
                                     "--certificate", str(cert)])
    assert result.exit_code == 1
    assert "No certificate" in result.output and not cert.exists()
