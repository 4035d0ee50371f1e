"""Fixtures of the connector tests: an HTTP client that never really sleeps, and secrets in the environment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from connectors.http import HttpClient, HttpSettings

FAST = {"backoff_initial_s": 0, "backoff_max_s": 0, "retry_after_cap_s": 60, "max_attempts": 4}


class Sleeps(list):
    """Records every wait the HTTP layer asks for, without waiting."""

    async def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_http(sleeps: Sleeps) -> Callable[..., HttpClient]:
    def make(app: str = "app-test", **settings: Any) -> HttpClient:
        return HttpClient(app, HttpSettings(**{**FAST, **settings}), sleep=sleeps)

    return make


@pytest.fixture
def secrets_env(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    values = {"SIMPEG_TOKEN": "tok-simpeg-7f3a9c", "EPLAN_KEY": "key-eplan-51d2", "SSO_SECRET": "sso-secret-88e1",
              "DB_PASSWORD": "db-pass-4411"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values
