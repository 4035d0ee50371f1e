"""The CPU wait of an application that runs on Simpul's own machine (loopback): how long its processes were
runnable but kept waiting for a CPU (Linux ``/proc/<pid>/task/*/schedstat``, field 2).

On a loopback target (the demo, a vendor's laptop, a CI job) the application shares the CPUs with Simpul and with
whatever else runs there. When that machine is saturated, a CPU-bound application answers slower although it did
not change: the figure measures the machine, not the application. Simpul's own event-loop lag (hub/assessment/lag.py)
shows only what happened to the hub; this module shows what happened to the application's process, so a sample the
machine slowed is not held against it. Nothing is read for a remote target, on a system without ``/proc``, or for a
process of another user (its ``/proc`` entries are not readable): the figures are then simply absent.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError):
            for line in (PROC / "net" / table).read_text().splitlines()[1:]:
                fields = line.split()
                if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(fields[9])
    return inodes


def listening_pids(port: int) -> list[int]:
    """The processes (of this user) that hold a socket listening on ``port``."""
    wanted = {f"socket:[{inode}]" for inode in _listening_inodes(port)}
    if not wanted:
        return []
    found: list[int] = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(PROC):
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError):
                for fd in os.scandir(f"{entry.path}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(fd.path) in wanted:
                            found.append(int(entry.name))
                            break
    return sorted(found)


class ProcessCpuWait:
    """Cumulative run-queue wait (ms) of the processes serving a loopback port; ``None`` when not measurable."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = [p for p in pids if p != os.getpid()]  # an in-process application is the hub's own lag

    @classmethod
    def for_port(cls, host: str, port: int | None) -> ProcessCpuWait | None:
        if port is None or host not in ("127.0.0.1", "localhost", "::1", "[::1]") or not PROC.is_dir():
            return None
        waiter = cls(listening_pids(port))
        return waiter if waiter.pids and waiter.wait_ms() is not None else None

    def wait_ms(self) -> float | None:
        total, seen = 0, False
        for pid in self.pids:
            with contextlib.suppress(OSError, ValueError, IndexError):
                for task in os.scandir(f"/proc/{pid}/task"):
                    with contextlib.suppress(OSError, ValueError, IndexError):
                        total += int(Path(task.path, "schedstat").read_text().split()[1])
                        seen = True
        return total / 1e6 if seen else None
