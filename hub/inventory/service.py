"""The gap inventory of one Pemda, and the Monev worksheet.

    inv = build_inventory(pemda, opds, apps, runs, lang="id")          # runs: {app_id: latest AssessmentRun}
    data = render_inventory(inv, "xlsx")                                # md | html | xlsx | docx | json
    sheet = monev(runs_before, runs_after)

:func:`build_inventory` and :func:`monev` are pure: they read registry models and assessment runs and return
pydantic models. :func:`load_inputs` reads the registry through :class:`~hub.services.registry.RegistryService`
(so roles and the masking of personal data apply); stored assessment runs are wired by the caller.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from hub.assessment.models import AssessmentRun
from hub.inventory.config import (
    GapCatalog,
    PriorityWeights,
    ReadinessConfig,
    load_gaps,
    load_readiness,
    resolve_weights,
)
from hub.inventory.context import Context
from hub.inventory.costs import CostTable, load_costs
from hub.inventory.coverage import area_coverage, readiness_lines
from hub.inventory.gaps import detect
from hub.inventory.models import Inventory, MonevWorksheet, NotMeasured, PemdaRef
from hub.inventory.monev import monev as _monev
from hub.inventory.roadmap import build_roadmap
from hub.inventory.schedule import build_plan
from hub.inventory.summary import heatmap, opd_summary, totals
from registry.models import Application, ApplicationIn, Opd, OpdIn, Pemda, PemdaIn

__all__ = ["InventoryInputs", "build_inventory", "load_inputs", "monev"]


def build_inventory(pemda: PemdaIn | None, opds: Sequence[OpdIn], apps: Sequence[ApplicationIn],
                    runs: Mapping[str, AssessmentRun] | None = None, lang: str = "id",
                    weights: PriorityWeights | Mapping[str, Any] | str | Path | None = None, *,
                    as_of: date | None = None, runs_before: Mapping[str, AssessmentRun] | None = None,
                    readiness: ReadinessConfig | None = None, gap_catalog: GapCatalog | None = None,
                    costs: CostTable | str | Path | None = None) -> Inventory:
    """Coverage, readiness, gaps, roadmap, per-OPD summary and heatmap of one Pemda.

    ``pemda`` None = every application given (no Pemda filter). ``runs`` maps app_id to its latest run; an
    application without one is "not assessed". ``weights``: a :class:`PriorityWeights`, a dict or YAML path shaped
    like ``weights.yaml``, or None for the shipped defaults. ``runs_before`` adds the Monev worksheet (before →
    ``runs``). ``lang`` is the default language of the renderers; every text is kept in both languages.
    ``costs``: the cost table of the yearly plan (a :class:`CostTable`, the path of a YAML file merged over the
    shipped ``costs.yaml``, or None: the shipped table with ``SIMPUL_COSTS_FILE`` merged over it).
    """
    rules = readiness or load_readiness()
    catalog = gap_catalog or load_gaps()
    w = resolve_weights(weights)  # type: ignore[arg-type]
    day = as_of or datetime.now(UTC).date()
    all_runs = dict(runs or {})
    unmeasured = {k: v for k, v in all_runs.items() if not v.measured}
    runs = {k: v for k, v in (runs or {}).items() if v.measured}  # only measured runs count (issue 10.3)
    ctx = Context.build(pemda, opds, apps, runs, rules)
    coverage = area_coverage(ctx)
    gaps, params = detect(ctx, catalog, w, day)
    roadmap = build_roadmap(gaps, params, catalog, w, day)
    plan = build_plan(roadmap, w, day, costs if isinstance(costs, CostTable) else load_costs(costs))
    worksheet = None
    if runs_before is not None:  # only this Pemda's applications
        mine = ctx.by_id.keys()
        worksheet = _monev({k: v for k, v in runs_before.items() if k in mine},
                           {k: v for k, v in all_runs.items() if k in mine}, thresholds=rules.standard_min)
    return Inventory(
        generated_at=datetime.now(UTC), as_of=day, lang="en" if lang == "en" else "id",
        pemda=PemdaRef(kode=pemda.kode, name=pemda.name, level=pemda.level) if pemda else None,
        rules_version=f"readiness {rules.version}, gaps {catalog.version}",
        thresholds=dict(rules.standard_min),
        totals=totals(ctx, gaps, roadmap).model_copy(update={"not_measured": [
            NotMeasured(app_id=k, reason=v.maturity.not_measured_reason) for k, v in sorted(unmeasured.items())
            if k in ctx.by_id]}),
        readiness=readiness_lines(ctx, coverage), coverage=coverage, applications=list(ctx.lines.values()),
        gaps=gaps, roadmap=roadmap, opd_summary=opd_summary(ctx, gaps), heatmap=heatmap(ctx), plan=plan,
        monev=worksheet)


def monev(runs_a: Mapping[str, AssessmentRun], runs_b: Mapping[str, AssessmentRun], *, label_a: str = "A",
          label_b: str = "B", thresholds: Mapping[str, float] | None = None, min_delta: float = 1.0,
          ) -> MonevWorksheet:
    """What works / what doesn't work / what should be improved between two snapshots of runs."""
    return _monev(runs_a, runs_b, label_a=label_a, label_b=label_b, thresholds=thresholds, min_delta=min_delta)


class InventoryInputs(NamedTuple):
    pemda: Pemda
    opds: list[Opd]
    apps: list[Application]


def load_inputs(service: Any, kode_pemda: str) -> InventoryInputs:
    """The Pemda, its OPDs and its applications from a :class:`hub.services.registry.RegistryService`
    (the service checks ``registry:read`` and hides contact e-mail/phone from those who may not see them)."""
    pemda = service.get_pemda(kode_pemda)
    opds = _all(lambda cursor: service.list_opd(kode_pemda=kode_pemda, limit=500, cursor=cursor))
    from hub.services.registry import ApplicationFilter

    apps = _all(lambda cursor: service.list_applications(ApplicationFilter(kode_pemda=kode_pemda), sort="id",
                                                         limit=500, cursor=cursor))
    return InventoryInputs(pemda=pemda, opds=opds, apps=apps)


def _all(fetch: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = fetch(cursor)
        items.extend(page.items)
        if not page.next_cursor:
            return items
        cursor = page.next_cursor
