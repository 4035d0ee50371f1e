"""Start the example applications as uvicorn servers, one subprocess each, and stop them all cleanly.

Python::

    from examples.launcher import start_examples
    with start_examples({"e-planning": "good", "simpeg": "legacy"}, ports=0) as urls:
        urls["e-planning"]          # "http://127.0.0.1:41234"
        urls.tokens["e-planning"]   # "demo-e-planning-token"

Command line: ``python -m examples.launcher --profile simpeg=legacy --all-profile good`` (or ``simpul examples
serve``). Default ports: e-planning 8101, e-budgeting 8102, simpeg 8103, jdih 8104, pelayanan 8105 (``--port-base``
moves them; port 0 picks free ports). Every server is stopped on exit, Ctrl-C or SIGTERM; each server also stops by
itself if this process dies (see ``examples/serve.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

from examples.apps import APPS, normalize_app
from examples.apps.config import AppConfig, profile

DEFAULT_PORT_BASE = 8100
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ExampleUrls(dict[str, str]):
    """``{app: base_url}`` of the running applications, with their ``tokens``, ``profiles`` and ``pids``.

    ``restart(app, profile)`` stops one application and starts it again on the same address with the same token
    and another quality profile (the demo "fixes" an application this way between two assessments).
    """

    def __init__(self) -> None:
        super().__init__()
        self.tokens: dict[str, str] = {}
        self.profiles: dict[str, str] = {}
        self.pids: dict[str, int] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._restart: Any = None

    def restart(self, app: str, profile_name: str, timeout: float = 30.0) -> None:
        if self._restart is None:
            raise RuntimeError("restart() only works inside start_examples()")
        self._restart(normalize_app(app), profile_name, timeout)


@dataclass
class _Server:
    app: str
    profile: str
    url: str
    token: str
    process: subprocess.Popen[bytes]
    log: IO[bytes]

    def log_tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")[-2000:]


def resolve_profiles(pairs: Iterable[str] = (), all_profile: str | None = None,
                     apps: Iterable[str] | None = None) -> dict[str, str]:
    """``["simpeg=legacy"]`` + ``all_profile`` → ``{app: profile}`` for ``apps`` (default: all five)."""
    base = all_profile or "good"
    profile(base)
    chosen = [normalize_app(a) for a in apps] if apps else list(APPS)
    result = dict.fromkeys(chosen, base)
    for pair in pairs:
        app, sep, name = pair.partition("=")
        if not sep:
            raise ValueError(f"--profile wants APP=PROFILE, e.g. simpeg=legacy (got {pair!r})")
        profile(name.strip())
        result[normalize_app(app)] = name.strip()
    return result


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def resolve_ports(apps: Iterable[str], ports: int | dict[str, int] | None, host: str) -> dict[str, int]:
    """``None``: default ports; an int: port base (0 = free ports); a dict: per application (0 = free)."""
    out = {}
    for app in apps:
        if isinstance(ports, dict):
            wanted = ports.get(app, DEFAULT_PORT_BASE + APPS[app].port_offset)
        elif ports == 0:
            wanted = 0
        else:
            wanted = (DEFAULT_PORT_BASE if ports is None else ports) + APPS[app].port_offset
        out[app] = wanted or free_port(host)
    return out


def _command(app: str, prof: str, host: str, port: int, token: str, knobs: dict[str, Any]) -> list[str]:
    cmd = [sys.executable, "-m", "examples.serve", app, "--profile", prof, "--host", host, "--port", str(port),
           "--token", token, "--parent-pid", str(os.getpid())]
    for name, value in knobs.items():
        if value is not None:
            cmd += [f"--{name.replace('_', '-')}", str(value)]
    return cmd


def _wait_ready(servers: list[_Server], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = list(servers)
    with httpx.Client(timeout=5.0, trust_env=False) as client:
        while pending:
            for server in list(pending):
                if server.process.poll() is not None:
                    raise RuntimeError(f"example application {server.app} stopped while starting "
                                       f"(exit {server.process.returncode}):\n{server.log_tail()}")
                with contextlib.suppress(httpx.HTTPError, ValueError):
                    answer = client.get(server.url + "/health")
                    if answer.status_code == 200 and answer.json().get("aplikasi") == server.app:
                        pending.remove(server)
            if pending and time.monotonic() > deadline:
                names = ", ".join(s.app for s in pending)
                raise RuntimeError(f"example application(s) {names} did not answer /health within {timeout:.0f} s")
            if pending:
                time.sleep(0.1)


def _stop(servers: list[_Server], grace: float = 5.0) -> None:
    for server in servers:
        if server.process.poll() is None:
            server.process.terminate()
    deadline = time.monotonic() + grace
    for server in servers:
        try:
            server.process.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


@contextlib.contextmanager
def start_examples(
    profiles: dict[str, str] | None = None,
    ports: int | dict[str, int] | None = None,
    *,
    host: str = "127.0.0.1",
    tokens: dict[str, str] | None = None,
    seed: int | None = None,
    records: str | int | None = None,
    latency: float | None = None,
    failure_rate: float | None = None,
    timeout: float = 30.0,
) -> Iterator[ExampleUrls]:
    """Start the applications named in ``profiles`` (``{app: profile}``; default: all five, ``good``), wait until
    each answers ``/health``, yield ``{app: base_url}`` and stop them all on exit.

    ``ports``: None = default ports (8101–8105), an int = port base, 0 = free ports, or ``{app: port}``.
    ``records``: ``N`` for each application's main resource or ``"resource=N,..."``; ``latency`` and
    ``failure_rate`` tune the ``slow`` and ``flaky`` profiles.
    """
    chosen = {normalize_app(a): p for a, p in (profiles or dict.fromkeys(APPS, "good")).items()}
    for name in chosen.values():
        profile(name)
    port_of = resolve_ports(chosen, ports, host)
    knobs = {"seed": seed, "records": records, "latency": latency, "failure_rate": failure_rate}
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT),
                                                                      os.environ.get("PYTHONPATH")]))}
    servers: list[_Server] = []
    urls = ExampleUrls()
    with contextlib.ExitStack() as stack:
        stack.callback(_stop, servers)

        def spawn(app: str, prof: str, token: str) -> _Server:
            log = stack.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(
                _command(app, prof, host, port_of[app], token, knobs), stdout=subprocess.DEVNULL, stderr=log,
                stdin=subprocess.DEVNULL, env=env, start_new_session=True)
            server = _Server(app, prof, f"http://{host}:{port_of[app]}", token, process, log)
            urls[app], urls.tokens[app], urls.profiles[app], urls.pids[app] = server.url, token, prof, process.pid
            urls.processes[app] = process
            return server

        def restart(app: str, prof: str, wait: float) -> None:
            profile(prof)
            old = next(s for s in servers if s.app == app)
            _stop([old])
            servers.remove(old)
            servers.append(spawn(app, prof, old.token))
            _wait_ready(servers[-1:], wait)

        for app, prof in chosen.items():
            servers.append(spawn(app, prof, (tokens or {}).get(app) or AppConfig.create(app, prof).token))
        urls._restart = restart
        _wait_ready(servers, timeout)
        yield urls


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt meanwhile, so ``with start_examples(...)`` cleans up on either.

    Enter it BEFORE ``start_examples`` (a SIGTERM during start-up is then handled too) and catch
    ``KeyboardInterrupt`` around both: the signal may arrive anywhere in the block, not only in
    :func:`run_until_stopped`.
    """
    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_until_stopped(urls: ExampleUrls) -> None:
    """Block until Ctrl-C (or SIGTERM inside :func:`sigterm_as_interrupt`) or until an application dies."""
    with contextlib.suppress(KeyboardInterrupt):
        while True:
            time.sleep(0.5)
            for app, process in urls.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"example application {app} stopped unexpectedly (exit {process.returncode})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m examples.launcher", description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", action="append", default=[], metavar="APP=PROFILE")
    parser.add_argument("--all-profile", default=None, metavar="PROFILE")
    parser.add_argument("--app", action="append", default=None, help="start only these applications")
    parser.add_argument("--port-base", type=int, default=None, help=f"ports are base + 1..5 (default "
                                                                     f"{DEFAULT_PORT_BASE}; 0 = free ports)")
    parser.add_argument("--records", default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--latency", type=float, default=None)
    parser.add_argument("--failure-rate", type=float, default=None)
    args = parser.parse_args(argv)
    try:
        chosen = resolve_profiles(args.profile, args.all_profile, args.app)
        with sigterm_as_interrupt(), start_examples(chosen, args.port_base, records=args.records, seed=args.seed,
                                                    latency=args.latency, failure_rate=args.failure_rate) as urls:
            for app, url in urls.items():
                print(f"{app:<12} {urls.profiles[app]:<14} {url:<28} token: {urls.tokens[app]}", flush=True)
            print("Ctrl-C untuk berhenti / to stop", flush=True)
            run_until_stopped(urls)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM outside the wait (e.g. during start-up): a normal stop
        pass
    except (ValueError, RuntimeError) as err:
        print(f"examples: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
