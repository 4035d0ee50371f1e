"""The sample registry never makes Simpul touch a network its user did not choose.

Every socket connect and every name lookup of the process is recorded (tests/connectors/netkit.py); a connect to
a non-loopback address is refused by the recorder before anything is sent, and recorded. The example
applications are not started: their loopback ports simply refuse.
"""

from __future__ import annotations

import asyncio
import socket

import pytest
import structlog
from typer.testing import CliRunner

from hub.cli import app
from tests.connectors.netkit import ConnectRecorder

runner = CliRunner()


@pytest.fixture(autouse=True)
def _release_cli_logging():  # type: ignore[no-untyped-def]
    yield
    structlog.reset_defaults()


@pytest.fixture
def quick(monkeypatch):  # type: ignore[no-untyped-def]
    from hub.demo import TOKEN_ENV
    from hub.settings import get_settings

    for var in TOKEN_ENV.values():  # the five simulated applications get probed, not skipped for a missing token
        monkeypatch.setenv(var, "test-token-not-used")
    monkeypatch.setenv("SIMPUL_ASSESS_AVAILABILITY_PROBES", "1")
    monkeypatch.setenv("SIMPUL_ASSESS_TOTAL_TIMEOUT_S", "30")
    get_settings.cache_clear()


def test_the_recorder_catches_a_connect_outside_loopback_without_sending_it(monkeypatch):
    recorder = ConnectRecorder()
    with recorder.active(monkeypatch), pytest.raises(ConnectionRefusedError):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    assert recorder.outside == ["192.0.2.1:80"]


def test_assess_all_on_the_sample_registry_connects_only_to_loopback(registry_loaded, quick, monkeypatch):
    recorder = ConnectRecorder()
    with recorder.active(monkeypatch):
        result = runner.invoke(app, ["--lang", "en", "assess", "--all"], env={"COLUMNS": "200"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert recorder.outside == [], recorder.outside
    assert recorder.outside_lookups == [], recorder.outside_lookups
    # it did try the five simulated applications, on loopback only
    assert {c.rsplit(":", 1)[1] for c in recorder.connects if c.startswith("127.0.0.1:")} >= {
        "8101", "8102", "8103", "8104", "8105"}


def test_the_demo_pull_and_assess_path_connects_only_to_loopback(registry_loaded, quick, monkeypatch, tmp_path):
    from hub import demo
    from hub.errors import SimpulError
    from hub.services import connections, network
    from hub.services.registry_db import get_database
    from registry import repository as repo

    with get_database().session() as s:
        apps = [a.id for a in repo.list_applications(s, repo.ApplicationFilter(), limit=500).items]
        with_connector = [a.id for a in repo.list_applications(s, repo.ApplicationFilter(), limit=500).items
                          if a.integration.connector is not None]
    from connectors.http import HttpClient

    async def no_wait(self, seconds: float) -> None:  # the connectors' retries back off without waiting
        self.waits.append(seconds)

    monkeypatch.setattr(HttpClient, "_record_sleep", no_wait)
    network.install()
    recorder = ConnectRecorder()
    result = demo.DemoResult(output_dir=tmp_path)
    with recorder.active(monkeypatch):
        asyncio.run(demo.pull_all(result, with_connector, None))
        asyncio.run(demo._assess(apps, "en", None))
        spec = connections.spec_from_dict({"connector": {"type": "rest_json", "config": {
            "base_url": "https://pajak.blitarkota.example/api"}}, "resources": {"wp": {"path": "/wajib-pajak"}}})
        with pytest.raises(SimpulError) as refused:  # a connector towards a sample's reserved name
            asyncio.run(connections.discover(spec))
    assert len(result.pulls) >= 5 and all(p["error"] for p in result.pulls)  # nothing answered, nothing leaked
    assert {c.rsplit(":", 1)[1] for c in recorder.connects if c.startswith("127.0.0.1:")} >= {
        "8101", "8102", "8103", "8104", "8105"}
    assert recorder.outside == [], recorder.outside
    assert recorder.outside_lookups == [], recorder.outside_lookups
    assert "SIMPUL_PROBE_ALLOW" in refused.value.message("en")
