"""``simpul conformance``: vendors run the catalog against an unregistered application."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from hub.cli import app
from tests.hub.assessment.apps import LoopbackServer, build_app

runner = CliRunner()
FAST = ["--probes", "3"]


@pytest.fixture(scope="module")
def good():
    with LoopbackServer(build_app()) as server:
        yield server.url


@pytest.fixture(scope="module")
def fragile():
    with LoopbackServer(build_app(fragile=True)) as server:
        yield server.url


def test_a_good_application_exits_0_with_a_summary(good):
    result = runner.invoke(app, ["conformance", good, "--area", "kepegawaian", *FAST])
    assert result.exit_code == 0, result.output
    # the scores reach level 5, but level 3 waits for the manual SLA and data-protection answers
    assert "Tingkat kematangan: 2 (Interaksi) — sementara" in result.stdout
    assert "mencapai level 5 (Optimalisasi)" in result.stdout
    assert "REL Andal" in result.stdout and "Tidak ada pemeriksaan yang gagal." in result.stdout


def test_failures_exit_1_and_are_listed_in_the_chosen_language(fragile):
    result = runner.invoke(app, ["--lang", "en", "conformance", fragile, "--area", "kepegawaian", *FAST])
    assert result.exit_code == 1
    assert "Failed checks" in result.stdout and "REL-003" in result.stdout
    assert "server error" in result.stdout
    indo = runner.invoke(app, ["conformance", fragile, "--area", "kepegawaian", *FAST])
    assert indo.exit_code == 1 and "galat server" in indo.stdout


def test_json_report_on_stdout_without_the_token(good):
    result = runner.invoke(app, ["conformance", good, "--area", "kepegawaian", "--format", "json",
                                 "--token", "RAHASIA-vendor-42", "--header", "X-Api-Key: kunci-xyz-9", *FAST])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["target"]["base_url"] == good and len(report["results"]) > 30
    everything = result.stdout + result.stderr
    assert "RAHASIA-vendor-42" not in everything and "kunci-xyz-9" not in everything


def test_junit_and_xlsx_files(good, tmp_path):
    junit = tmp_path / "hasil.xml"
    result = runner.invoke(app, ["conformance", good, "--area", "kepegawaian", "--format", "junit", "-o",
                                 str(junit), *FAST])
    assert result.exit_code == 0 and str(junit) in result.stdout.replace("\n", "")
    assert ET.parse(junit).getroot().tag == "testsuites"
    xlsx = tmp_path / "hasil.xlsx"
    assert runner.invoke(app, ["conformance", good, "--area", "kepegawaian", "--format", "xlsx", "-o", str(xlsx),
                               *FAST]).exit_code == 0
    assert xlsx.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(("args", "text"), [
    (["http://127.0.0.1:9", "--area", "pertanian"], "pertanian"),
    (["http://127.0.0.1:9", "--area", "kepegawaian", "--format", "pdf"], "pdf"),
    (["http://127.0.0.1:9", "--area", "kepegawaian", "--format", "xlsx"], "--output"),
    (["http://127.0.0.1:9", "--area", "kepegawaian", "--header", "tanpa-titik-dua"], "tanpa-titik-dua"),
    (["ftp://127.0.0.1", "--area", "kepegawaian"], "http"),
    (["http://127.0.0.1:9", "--area", "kepegawaian", "--spec", "/tidak/ada.yaml"], "ada.yaml"),
    (["http://169.254.169.254/", "--area", "kepegawaian"], "169.254.169.254"),
])
def test_usage_errors_exit_2_with_one_readable_line(args, text):
    result = runner.invoke(app, ["conformance", *args])
    assert result.exit_code == 2, result.output
    assert text in result.output and "Traceback" not in result.output


def test_credentials_in_the_address_are_refused_without_echoing_them():
    result = runner.invoke(app, ["conformance", "http://budi:RahasiaKu@127.0.0.1:9", "--area", "kepegawaian"])
    assert result.exit_code == 2 and "--token" in result.output and "RahasiaKu" not in result.output
    query = runner.invoke(app, ["conformance", "http://127.0.0.1:9/?token=abc123", "--area", "kepegawaian"])
    assert query.exit_code == 2 and "abc123" not in query.output


def test_missing_area_is_a_usage_error():
    assert runner.invoke(app, ["conformance", "http://127.0.0.1:9"]).exit_code == 2


def test_an_oauth2_application_from_a_spec_is_measured_over_loopback(tmp_path, monkeypatch):
    from examples.apps.config import AppConfig
    from examples.apps.server import build_app as build_example

    secret = "vendor-oauth2-secret-5150"
    example = build_example(AppConfig.create("e-planning", "oauth2", token=secret))
    monkeypatch.setenv("EPLANNING_CLIENT_SECRET", secret)
    with LoopbackServer(example) as server:
        spec = tmp_path / "spec.yaml"
        spec.write_text(f"""connector:
  type: rest_json
  config:
    base_url: {server.url}/api/v1
    record_path: data
    auth: {{type: oauth2_client_credentials, token_url: {server.url}/oauth/token, client_id: e-planning,
            client_secret: {{env: EPLANNING_CLIENT_SECRET}}, scopes: [read]}}
resources:
  program: {{path: /program, schema: perencanaan/program}}
""", "utf-8")
        result = runner.invoke(app, ["--lang", "en", "conformance", server.url, "--area", "perencanaan",
                                     "--spec", str(spec), "--format", "json", *FAST])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    by_id = {r["check_id"]: r for r in report["results"]}
    assert by_id["ITG-002"]["status"] == "pass" and by_id["REL-001"]["status"] == "pass"
    assert example.state.example.issuer.issued >= 1
    assert secret not in result.stdout + result.stderr


def test_a_non_loopback_address_is_refused_naming_the_setting_and_never_contacted(monkeypatch):
    from tests.connectors.netkit import ConnectRecorder

    recorder = ConnectRecorder()
    with recorder.active(monkeypatch):
        result = runner.invoke(app, ["--lang", "en", "conformance", "https://simpeg.kotablitar.example",
                                     "--area", "kepegawaian", *FAST])
    assert result.exit_code == 2
    assert "SIMPUL_PROBE_ALLOW" in result.output and "--allow-host" in result.output
    assert recorder.connects == [] and recorder.outside_lookups == []
