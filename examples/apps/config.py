"""Quality profiles (``examples/data/profiles.yaml``) and the settings of one running example application.

Every knob can also come from the environment, so ``python -m examples.serve`` and the launcher agree:
``SIMPUL_EXAMPLES_SEED``, ``SIMPUL_EXAMPLES_RECORDS`` (``N`` for each application's main resource, or
``resource=N,resource=N``), ``SIMPUL_EXAMPLES_LATENCY``, ``SIMPUL_EXAMPLES_FAILURE_RATE``,
``SIMPUL_EXAMPLES_TAHUN`` and ``SIMPUL_EXAMPLES_TOKEN_<APP>`` (e.g. ``SIMPUL_EXAMPLES_TOKEN_E_PLANNING``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from functools import lru_cache
from typing import Literal

from examples.apps.refdata import load

PRIMARY = "*"  # key of ``records`` that means "the application's main resource"
DEFAULT_SEED = 3572
DEFAULT_TAHUN = 2026


@dataclass(frozen=True)
class Profile:
    name: str
    api: bool = True
    openapi: bool = True
    pagination: bool = True
    fields: Literal["canonical", "legacy"] = "canonical"
    errors: Literal["humane", "fragile"] = "humane"
    failure_rate: float = 0.0
    retry_after: int = 0
    latency: float = 0.0
    single_worker: bool = False
    wrong_codes: bool = False
    front_page: Literal["modern", "legacy"] = "modern"
    exempt: tuple[str, ...] = ("/health", "/")
    auth: Literal["token", "oauth2"] = "token"
    token_lifetime_s: int = 300


@lru_cache
def profiles() -> dict[str, Profile]:
    """Every profile, each being ``good`` with its own overrides."""
    table = load("profiles")
    base = dict(table["good"])
    known = {f.name for f in fields(Profile)}
    out: dict[str, Profile] = {}
    for name, overrides in table.items():
        merged = {**base, **(overrides or {})}
        unknown = set(merged) - known
        if unknown:
            raise ValueError(f"profiles.yaml: unknown key(s) {sorted(unknown)} in profile {name!r}")
        merged["exempt"] = tuple(merged.get("exempt", ()))
        out[name] = Profile(name=name, **merged)
    return out


def profile(name: str) -> Profile:
    try:
        return profiles()[name]
    except KeyError:
        raise ValueError(f"unknown profile {name!r}; choose one of: {', '.join(profiles())}") from None


def parse_records(text: str | None) -> dict[str, int]:
    """``"100000"`` → ``{"*": 100000}``; ``"pegawai=5000,skm=300"`` → per resource."""
    out: dict[str, int] = {}
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        key, _, value = part.rpartition("=")
        number = int(value)
        if not 0 <= number <= 1_000_000:
            raise ValueError(f"records must be between 0 and 1000000 (got {number})")
        out[key.strip() or PRIMARY] = number
    return out


def default_token(app: str) -> str:
    return f"demo-{app}-token"


def token_env(app: str) -> str:
    return "SIMPUL_EXAMPLES_TOKEN_" + app.upper().replace("-", "_")


@dataclass(frozen=True)
class AppConfig:
    """How one example application runs: its profile and the knobs that tests and benchmarks turn."""

    app: str
    profile: Profile
    token: str
    seed: int = DEFAULT_SEED
    tahun: int = DEFAULT_TAHUN
    records: dict[str, int] = field(default_factory=dict)
    webhook_timeout: float = 5.0

    def count(self, resource: str, primary: str, default: int) -> int:
        if resource in self.records:
            return self.records[resource]
        if resource == primary and PRIMARY in self.records:
            return self.records[PRIMARY]
        return default

    @classmethod
    def create(
        cls,
        app: str,
        profile_name: str = "good",
        *,
        token: str | None = None,
        seed: int | None = None,
        tahun: int | None = None,
        records: dict[str, int] | str | None = None,
        latency: float | None = None,
        failure_rate: float | None = None,
    ) -> AppConfig:
        """Settings from arguments, falling back to the environment, then to the defaults.

        ``latency`` and ``failure_rate`` replace the profile's values only where the profile has that behaviour
        (a ``good`` application never becomes slow because a test asked the ``slow`` ones to be quick).
        """
        env = os.environ
        prof = profile(profile_name)
        latency = latency if latency is not None else _env_float("SIMPUL_EXAMPLES_LATENCY")
        failure_rate = failure_rate if failure_rate is not None else _env_float("SIMPUL_EXAMPLES_FAILURE_RATE")
        if latency is not None and prof.latency > 0:
            prof = replace(prof, latency=max(0.0, latency))
        if failure_rate is not None and prof.failure_rate > 0:
            prof = replace(prof, failure_rate=min(1.0, max(0.0, failure_rate)))
        if isinstance(records, str) or records is None:
            records = parse_records(records if records is not None else env.get("SIMPUL_EXAMPLES_RECORDS"))
        return cls(
            app=app,
            profile=prof,
            token=token or env.get(token_env(app)) or default_token(app),
            seed=seed if seed is not None else int(env.get("SIMPUL_EXAMPLES_SEED", DEFAULT_SEED)),
            tahun=tahun if tahun is not None else int(env.get("SIMPUL_EXAMPLES_TAHUN", DEFAULT_TAHUN)),
            records=dict(records),
        )


def _env_float(name: str) -> float | None:
    value = os.environ.get(name)
    return float(value) if value not in (None, "") else None
