"""From findings to gaps: run each kind's detector, fill the kind's templates (Tabel II.11 columns, KPI) in both
languages, apply the factor overrides of the weights, and name who is responsible."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from hub.assessment.models import Text
from hub.i18n import t
from hub.inventory.config import GapCatalog, GapKind, PriorityWeights, cite
from hub.inventory.context import Context, area_label, area_terms
from hub.inventory.detectors import DETECTORS, Finding
from hub.inventory.models import Gap, Kpi, OpdRef


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _as_text(value: Any, lang: str) -> str:
    if isinstance(value, Text):
        return value.get(lang)
    if isinstance(value, list | tuple):
        return ", ".join(_as_text(v, lang) for v in value)
    return str(value)


Localized = tuple[dict[str, str], dict[str, str]]


def localize(params: dict[str, Any]) -> Localized:
    """The parameters as text, once per language (a Text parameter gives each language its own value)."""
    return (_Safe({k: _as_text(v, "id") for k, v in params.items()}),
            _Safe({k: _as_text(v, "en") for k, v in params.items()}))


def fill(template: Text, params: dict[str, Any] | Localized) -> Text:
    """Fill the ``{placeholders}`` of both languages from raw or :func:`localize`-d parameters."""
    ids, ens = params if isinstance(params, tuple) else localize(params)
    return Text(id=template.id.format_map(ids), en=template.en.format_map(ens))


def effective(kind: GapKind, weights: PriorityWeights) -> GapKind:
    """The kind with the per-kind overrides of ``weights.factors`` applied."""
    override = weights.factors.get(kind.id)
    if override is None:
        return kind
    return kind.model_copy(update={k: v for k, v in override.model_dump().items() if v is not None})


def deadline_year(horizon: str, weights: PriorityWeights, as_of: date) -> int:
    return as_of.year + weights.horizons.get(horizon, 1)  # type: ignore[call-overload]


def when_text(horizon: str, weights: PriorityWeights, as_of: date) -> Text:
    years = weights.horizons.get(horizon, 1)  # type: ignore[call-overload]
    return _when(horizon, years, deadline_year(horizon, weights, as_of))


@lru_cache(maxsize=64)
def _when(horizon: str, years: int, year: int) -> Text:
    def text(lang: str) -> str:
        return f"{t(f'inventory.horizon.{horizon}', lang, years=years)} — {t('inventory.kpi.by', lang, year=year)}"
    return Text(id=text("id"), en=text("en"))


def responsible(ctx: Context, kind: GapKind, finding: Finding) -> OpdRef:
    if kind.responsible == "owner" and finding.app_ids:
        return ctx.owner(finding.app_ids[0])
    if kind.responsible == "area_lead":
        return ctx.area_lead(finding.area)
    return ctx.coordinator()


def base_params(ctx: Context, finding: Finding, who: OpdRef) -> dict[str, Any]:
    apps = [ctx.by_id[i] for i in finding.app_ids if i in ctx.by_id]
    owners = list(dict.fromkeys(ctx.lines[a.id].opd for a in apps))
    label = area_label(finding.area)
    item = area_terms().get(finding.area or "", (None, label))[0]
    return {
        "app": [a.name for a in apps] or "-",
        "apps": [a.name for a in apps] or "-",
        "ids": list(finding.app_ids) or "-",
        "n": len(finding.app_ids),
        "area": Text(id=label.id.lower(), en=label.en.lower()),
        "item": item if item is not None else "-",
        "opd": ", ".join(owners) or "-",
        "who": who.label,
        "status": ", ".join(a.status for a in apps) or "-",
        "reason": "",
        "national": "-", "standards": "-", "checks": "-", "hosting": "-", "vendor": "-",
    }


def detect(ctx: Context, catalog: GapCatalog, weights: PriorityWeights,
           as_of: date) -> tuple[list[Gap], dict[str, dict[str, Any]]]:
    """Every gap found, in kind then subject order, and the template parameters of each (for the roadmap)."""
    gaps: list[Gap] = []
    params_of: dict[str, dict[str, Any]] = {}
    for raw_kind in catalog.kinds:
        kind = effective(raw_kind, weights)
        fn = DETECTORS.get(kind.detector)
        if fn is None:
            raise KeyError(f"{kind.id}: unknown detector {kind.detector!r}; known: {sorted(DETECTORS)}")
        for finding in sorted(fn(ctx, kind.params), key=lambda f: f.subject):
            who = responsible(ctx, kind, finding)
            params = {**base_params(ctx, finding, who), **finding.params}
            gap_id = f"{kind.id}/{finding.subject}"
            params_of[gap_id] = params
            loc = localize(params)
            owners = list(dict.fromkeys(ctx.by_id[i].kode_opd for i in finding.app_ids if i in ctx.by_id))
            gaps.append(Gap(
                id=gap_id, kind=kind.id, detector=kind.detector, title=kind.title,
                description=fill(kind.description, loc), area=finding.area, app_ids=finding.app_ids,
                kode_opd=owners, responsible=who, to_be=fill(kind.to_be, loc), as_is=fill(kind.as_is, loc),
                action=fill(kind.action, loc),
                kpi=Kpi(what=fill(kind.kpi_what, loc), when=when_text(kind.horizon, weights, as_of),
                        who=Text(id=who.label, en=who.label)),
                impact=kind.impact, urgency=kind.urgency, effort=kind.effort, horizon=kind.horizon,
                source=cite(kind.sources), evidence=finding.evidence))
    return gaps, params_of
