"""Run ONE example application with uvicorn: ``python -m examples.serve e-planning --profile good --port 8101``.

The launcher starts one such process per application. ``--parent-pid`` makes the process stop by itself when
that parent disappears (even after a SIGKILL), so no example server is ever left behind.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
import time


def _watch_parent(parent: int) -> None:
    """Stop this server (SIGTERM to itself) as soon as the parent process is gone."""
    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(3)
                os._exit(0)  # uvicorn did not stop in time
            time.sleep(0.3)

    threading.Thread(target=watch, name="parent-watchdog", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    from examples.apps import APPS, normalize_app
    from examples.apps.config import AppConfig, profiles

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("app", help=f"one of: {', '.join(APPS)}")
    parser.add_argument("--profile", default="good", choices=sorted(profiles()))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default: 8100 + the application's number")
    parser.add_argument("--token", default=None)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--tahun", type=int, default=None)
    parser.add_argument("--records", default=None, help="N (main resource) or resource=N[,resource=N]")
    parser.add_argument("--latency", type=float, default=None, help="seconds (profiles with latency only)")
    parser.add_argument("--failure-rate", type=float, default=None, help="0..1 (profiles with failures only)")
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)

    import uvicorn

    from examples.apps.server import build_app

    key = normalize_app(args.app)
    config = AppConfig.create(key, args.profile, token=args.token, seed=args.seed, tahun=args.tahun,
                              records=args.records, latency=args.latency, failure_rate=args.failure_rate)
    if args.parent_pid:
        _watch_parent(args.parent_pid)
    port = args.port if args.port is not None else 8100 + APPS[key].port_offset
    uvicorn.run(build_app(config), host=args.host, port=port, log_level=args.log_level, access_log=False)


if __name__ == "__main__":
    main()
