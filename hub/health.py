"""Readiness checks: each subsystem registers a callable returning "ok" or a short reason."""

from __future__ import annotations

from collections.abc import Callable

_CHECKS: dict[str, Callable[[], str]] = {}


def register_readiness(name: str, check: Callable[[], str]) -> None:
    _CHECKS[name] = check


def readiness_checks() -> dict[str, str]:
    results: dict[str, str] = {}
    for name, check in _CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a failing check is a readiness answer, not a crash
            results[name] = f"error: {exc}"
    return results
