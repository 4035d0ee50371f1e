"""``simpul worker --concurrency N``: N worker processes watched by this one.

Each child is ``simpul worker --concurrency 1`` with the same options (a process of its own: one Python process
uses one core). A child that dies (SIGKILL, out of memory, a crash) is started again after a short pause, growing
up to 30 s when it keeps dying; its running jobs are taken up by the other workers once its heartbeat is stale.
SIGTERM / SIGINT to the supervisor stops the children gracefully (they finish or hand back their jobs).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

from hub.logging import get_logger

log = get_logger("hub.queue.supervisor")


def child_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "hub.cli", "worker", "--concurrency", "1", *args]


class Supervisor:
    def __init__(self, processes: int, args: Sequence[str], *, poll_s: float = 0.5) -> None:
        self.processes, self.args, self.poll_s = processes, list(args), poll_s
        self.children: dict[int, subprocess.Popen[bytes]] = {}
        self.deaths: dict[int, int] = {}
        self.stopping = False

    def _spawn(self, slot: int) -> None:
        env = {**os.environ, "SIMPUL_WORKER_SLOT": str(slot)}
        self.children[slot] = subprocess.Popen(child_command(self.args), env=env)  # noqa: S603 (our own CLI)
        log.info("worker_started", slot=slot, pid=self.children[slot].pid)

    def request_stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> int:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        for slot in range(self.processes):
            self._spawn(slot)
        restart_at: dict[int, float] = {}
        while not self.stopping:
            time.sleep(self.poll_s)
            for slot, child in list(self.children.items()):
                code = child.poll()
                if code is None or slot in restart_at:
                    continue
                self.deaths[slot] = self.deaths.get(slot, 0) + 1
                delay = min(30.0, 0.5 * 2 ** min(self.deaths[slot] - 1, 6))
                log.warning("worker_died", slot=slot, pid=child.pid, code=code, restart_in_s=delay)
                restart_at[slot] = time.monotonic() + delay
            for slot, when in list(restart_at.items()):
                if time.monotonic() >= when and not self.stopping:
                    del restart_at[slot]
                    self._spawn(slot)
        return self.stop()

    def stop(self, timeout_s: float = 60.0) -> int:
        for child in self.children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for child in self.children.values():
            try:
                child.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        return 0
