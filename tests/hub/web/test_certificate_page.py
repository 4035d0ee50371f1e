"""The web workspace: verify an uploaded certificate (/sertifikat); a schema page lists its versions and a
deprecated version; the validator shows the deprecation notice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hub.cli import app
from hub.settings import get_settings
from tests.hub.validation.schemaver_testkit import KEY, VALID_DOC
from tests.hub.validation.schemaver_testkit import tree as tree  # the fixture
from tests.hub.web.conftest import csrf_of


@pytest.fixture
def certificate(tree: Path, tmp_path: Path) -> Path:
    get_settings.cache_clear()
    data = tmp_path / "sampel.json"
    data.write_text(json.dumps(VALID_DOC), encoding="utf-8")
    cert = tmp_path / "sertifikat.json"
    result = CliRunner().invoke(app, ["validate", f"{KEY}:1", str(data), "--certificate", str(cert),
                                      "--vendor", "PT Contoh"])
    assert result.exit_code == 0, result.output
    return cert


def test_upload_a_certificate_and_see_the_verdict(web, sign_in, certificate: Path):
    sign_in(web, "viewer")
    page = web.get("/sertifikat")
    assert page.status_code == 200 and "/.well-known/simpul-certificate-key" in page.text
    ok = web.post("/sertifikat", data={"csrf_token": csrf_of(page.text)},
                  files={"file": ("sertifikat.json", certificate.read_bytes(), "application/json")})
    assert ok.status_code == 200
    assert "sah dan utuh" in ok.text and "PT Contoh" in ok.text
    assert "digantikan oleh uji/barang:1.1" in ok.text  # 1.1 supersedes the certified version
    altered = certificate.read_bytes().replace(b"PT Contoh", b"PT Contok")
    bad = web.post("/sertifikat", data={"csrf_token": csrf_of(page.text)},
                   files={"file": ("sertifikat.json", altered, "application/json")})
    assert bad.status_code == 200 and "DITOLAK" in bad.text and "PT Contok" not in bad.text
    empty = web.post("/sertifikat", data={"csrf_token": csrf_of(page.text)})
    assert empty.status_code == 422


def test_schema_page_lists_versions_and_the_validator_warns(web, sign_in, tree: Path):
    assert CliRunner().invoke(app, ["schemas", "deprecate", KEY, "1", "--sunset", "2027-06-30"]).exit_code == 0
    sign_in(web, "admin")
    detail = web.get(f"/skema/{KEY}:1").text
    assert "uji/barang:1.1" in detail and "2027-06-30" in detail
    page = web.get("/validator").text
    r = web.post("/validator", data={"csrf_token": csrf_of(page), "schema": f"{KEY}:1",
                                     "payload": json.dumps(VALID_DOC)})
    assert r.status_code == 200 and "usang" in r.text and "2027-06-30" in r.text
