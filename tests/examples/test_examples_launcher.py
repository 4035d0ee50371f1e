"""End to end: the launcher starts real servers, they talk to each other, and nothing is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from examples.apps.webhooks import signature
from examples.launcher import resolve_ports, resolve_profiles, start_examples
from tests.examples.examples_testkit import ROOT


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for its reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def children(pid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def wait_gone(pids: list[int], seconds: float = 15.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = [p for p in pids if alive(p)]
        if not left:
            return []
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def test_profiles_and_ports_from_the_command_line():
    assert resolve_profiles(["simpeg=legacy", "jdih=flaky"]) == {
        "e-planning": "good", "e-budgeting": "good", "simpeg": "legacy", "jdih": "flaky", "pelayanan": "good"}
    assert resolve_profiles([], "slow", ["eplanning"]) == {"e-planning": "slow"}
    with pytest.raises(ValueError, match="APP=PROFILE"):
        resolve_profiles(["simpeg"])
    assert resolve_ports(["e-planning", "pelayanan"], None, "127.0.0.1") == {"e-planning": 8101, "pelayanan": 8105}
    assert resolve_ports(["simpeg"], 9000, "127.0.0.1") == {"simpeg": 9003}
    assert resolve_ports(["simpeg"], 0, "127.0.0.1")["simpeg"] > 1024


@pytest.mark.slow
def test_all_five_start_answer_and_stop():
    with start_examples(ports=0) as urls:
        assert set(urls) == {"e-planning", "e-budgeting", "simpeg", "jdih", "pelayanan"}
        for app, url in urls.items():
            assert httpx.get(f"{url}/health").json()["aplikasi"] == app
            resource = {"e-planning": "program", "e-budgeting": "pendapatan", "simpeg": "pegawai",
                        "jdih": "produk-hukum", "pelayanan": "layanan"}[app]
            assert httpx.get(f"{url}/api/v1/{resource}").status_code == 401
            token = {"Authorization": f"Bearer {urls.tokens[app]}"}
            assert httpx.get(f"{url}/api/v1/{resource}?size=1", headers=token).json()["total"] > 0
        pids = list(urls.pids.values())
    assert wait_gone(pids, 5) == []


@pytest.mark.slow
def test_a_change_in_e_planning_reaches_the_e_budgeting_inbox_signed():
    profiles = {"e-planning": "good", "e-budgeting": "legacy"}
    with start_examples(profiles, ports=0) as urls:
        assert httpx.get(urls["e-budgeting"] + "/api/v1/inbox").status_code == 404  # legacy: no API at all
    with start_examples({"e-planning": "good", "e-budgeting": "good"}, ports=0) as urls:
        plan = {"Authorization": f"Bearer {urls.tokens['e-planning']}"}
        budget = {"Authorization": f"Bearer {urls.tokens['e-budgeting']}"}
        hook = {"url": urls["e-budgeting"] + "/api/v1/inbox", "resources": ["sub-kegiatan"],
                "secret": "rahasia-bersama"}
        assert httpx.post(urls["e-planning"] + "/api/v1/webhooks", json=hook, headers=plan).status_code == 201
        record = httpx.get(urls["e-planning"] + "/api/v1/sub-kegiatan?size=1", headers=plan).json()["data"][0]
        record["pagu_indikatif"] += 1_000_000
        put = httpx.put(f"{urls['e-planning']}/api/v1/sub-kegiatan/{record['kode_sub_kegiatan']}", json=record,
                        headers=plan)
        assert put.status_code == 200
        deadline, inbox = time.monotonic() + 10, []
        while not inbox and time.monotonic() < deadline:
            inbox = httpx.get(urls["e-budgeting"] + "/api/v1/inbox", headers=budget).json()["data"]
            time.sleep(0.1)
        assert inbox, "the webhook never arrived"
        entry = inbox[0]
        assert entry["json"]["data"]["pagu_indikatif"] == record["pagu_indikatif"]
        assert entry["headers"]["x-signature-256"] == signature("rahasia-bersama", entry["body"].encode())


SCRIPT = """
import json, sys
from examples.launcher import run_until_stopped, sigterm_as_interrupt, start_examples
try:
    with sigterm_as_interrupt(), start_examples({"jdih": "good", "simpeg": "slow"}, ports=0, latency=0.01) as urls:
        print(json.dumps(urls.pids), flush=True)
        run_until_stopped(urls)
except KeyboardInterrupt:
    pass
print("stopped", flush=True)
"""


def _start_script() -> tuple[subprocess.Popen[str], list[int]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=ROOT)
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return proc, list(json.loads(line).values())


@pytest.mark.slow
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_no_server_outlives_a_stopped_launcher(signum):
    proc, pids = _start_script()
    assert all(alive(p) for p in pids)
    proc.send_signal(signum)
    out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0 and "stopped" in out
    assert wait_gone(pids) == []


@pytest.mark.slow
def test_no_server_outlives_a_killed_launcher():
    proc, pids = _start_script()
    proc.kill()  # no chance to clean up: the servers notice their parent is gone
    proc.wait()
    assert wait_gone(pids) == []


@pytest.mark.slow
def test_simpul_examples_serve_until_ctrl_c():
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "simpul"), "examples", "serve", "--app", "jdih",
                             "--port-base", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "Ctrl-C" in line:
            break
    text = "".join(lines)
    assert "jdih" in text and "demo-jdih-token" in text and "http://127.0.0.1:" in text
    servers = children(proc.pid)
    assert servers
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "dihentikan" in out
    assert wait_gone(servers) == []
