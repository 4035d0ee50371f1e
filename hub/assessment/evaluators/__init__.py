"""Evaluators: small pure functions ``(observation, check) -> Verdict``, registered by name.

An evaluator never does I/O; the probe that gathered the observation did. That is what lets the catalog's
good/bad examples run in tests without a network. Thresholds and params come from the check (catalog data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hub.assessment.catalog import Check
from hub.assessment.lag import TimingRule
from hub.assessment.models import Status

Observation = Mapping[str, Any]


@dataclass
class Verdict:
    status: Status
    params: dict[str, Any] = field(default_factory=dict)  # fill the check's message placeholders
    measured: dict[str, Any] = field(default_factory=dict)  # shown in reports, kept in the run
    reason: str | None = None  # i18n key (assessment.reason.*) for not_applicable and error
    reason_params: dict[str, Any] = field(default_factory=dict)
    focus: list[str] = field(default_factory=list)  # evidence labels to show first


Evaluator = Callable[[Observation, Check], Verdict]
EVALUATORS: dict[str, Evaluator] = {}


def evaluator(name: str) -> Callable[[Evaluator], Evaluator]:
    def register(func: Evaluator) -> Evaluator:
        if name in EVALUATORS:
            raise RuntimeError(f"evaluator {name!r} registered twice")
        EVALUATORS[name] = func
        return func

    return register


def evaluate(check: Check, observation: Observation) -> Verdict:
    if check.evaluator not in EVALUATORS:
        raise KeyError(f"{check.id}: no evaluator named {check.evaluator!r}")
    return EVALUATORS[check.evaluator](observation, check)


def by_ratio(ratio: float, minimum: float, warn: float | None) -> Status:
    """pass at or above ``minimum``, warning at or above ``warn``, else fail."""
    if ratio >= minimum - 1e-9:
        return Status.PASS
    if warn is not None and ratio >= warn - 1e-9:
        return Status.WARNING
    return Status.FAIL


def bi(id_text: str, en_text: str) -> dict[str, str]:
    """A message parameter in both languages (the runner picks the one of each message text)."""
    return {"id": id_text, "en": en_text}


def bilist(items: list[dict[str, str]], limit: int = 3) -> dict[str, str]:
    """A list of bilingual fragments joined per language."""
    return {lang: listing([i[lang] for i in items], limit) for lang in ("id", "en")}


def pct(value: float) -> float:
    return round(value * 100, 1)


def listing(items: list[Any], limit: int = 5) -> str:
    shown = [str(i) for i in items[:limit]]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f" (+{more})" if more > 0 else "") if shown else "-"


def not_applicable(reason: str, **params: Any) -> Verdict:
    return Verdict(Status.NOT_APPLICABLE, reason=reason, reason_params=params)


def error(reason: str, **params: Any) -> Verdict:
    return Verdict(Status.ERROR, reason=reason, reason_params=params)


# -- timing checks: the hub's own event-loop lag (hub/assessment/lag.py) ------------------------------------------
def hub_lag(obs: Observation, rule: TimingRule) -> dict[str, Any]:
    """The hub's own lag during the probe, as shown with every timing check (raw figures, nothing subtracted)."""
    stats = dict(obs.get("hub_lag") or {})
    return {"lag_p95_ms": stats.get("lag_p95_ms", 0.0), "lag_max_ms": stats.get("lag_max_ms", 0.0),
            "lag_limit_ms": rule.lag_limit_ms, "lag_ticks": stats.get("ticks", 0), "hub_cpu_pct": stats.get("cpu_pct")}


def inconclusive(rule: TimingRule, measured: dict[str, Any], disturbed: int, total: int,
                 app_wait_pct: float | None = None) -> Verdict:
    """The hub (or the machine it shares with a loopback application), not the application, was the slow one: no
    verdict; the reason says so, with the figures, and how to re-run."""
    params = {"lag_p95_ms": measured.get("lag_p95_ms", 0.0), "lag_max_ms": measured.get("lag_max_ms", 0.0),
              "lag_limit_ms": rule.lag_limit_ms, "disturbed": disturbed, "total": total}
    if rule.machine_busy(app_wait_pct):
        return Verdict(Status.INCONCLUSIVE, measured=measured, reason="assessment.reason.machine_busy",
                       reason_params={**params, "app_wait_pct": app_wait_pct, "max_pct": rule.app_wait_max_pct})
    return Verdict(Status.INCONCLUSIVE, measured=measured, reason="assessment.reason.hub_busy", reason_params=params)


def hub_was_busy(rule: TimingRule, measured: dict[str, Any]) -> bool:
    return float(measured.get("lag_p95_ms") or 0.0) > rule.lag_limit_ms


def explained(status: Status, judge: Callable[[float], Status], value_ms: float, rule: TimingRule,
              measured: dict[str, Any], app_wait_pct: float | None) -> bool:
    """A slow result the hub's lag (its p95, when above the limit) or a saturated loopback machine (the share of
    time the application waited for a CPU, when above the limit) explains: without that part, the verdict would
    differ. Used only to decide ``inconclusive``; the figures shown stay the raw ones."""
    adjusted = value_ms
    if hub_was_busy(rule, measured):
        adjusted -= float(measured.get("lag_p95_ms") or 0.0)
    if rule.machine_busy(app_wait_pct):
        adjusted *= 1 - float(app_wait_pct or 0.0) / 100
    return adjusted != value_ms and judge(max(adjusted, 0.0)) is not status


from hub.assessment.evaluators import (  # noqa: E402  (registration by import)
    friendly,
    integrateable,
    interoperable,
    reliable,
    scalable,
)

__all__ = ["EVALUATORS", "Verdict", "evaluate", "evaluator", "friendly", "integrateable", "interoperable",
           "reliable", "scalable"]
