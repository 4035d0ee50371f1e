"""Gap inventory of the Smart e-Gov applications of a Pemda, for the masterplan team (Buku II, IV.c).

Public API::

    from hub.inventory import build_inventory, monev, render_inventory, render_monev
    inv = build_inventory(pemda, opds, apps, runs, lang="id")     # runs: {app_id: latest AssessmentRun}
    inv.readiness        # Tabel II.3 items 8 and 14-20, interpreted baik/sedang/buruk (Tabel II.1) with the rule
    inv.gaps             # each with Tabel II.11 columns (to be / as is / strategy, program and action) and evidence
    inv.roadmap.items    # programs by horizon (1/5/10 years), priority = impact × urgency ÷ effort, quick wins
    inv.plan             # the roadmap per year and quarter with an INDICATIVE cost per program (costs.yaml)
    render_inventory(inv, "docx")                                  # md | html | xlsx | docx | pdf | json
    render_monev(monev(runs_before, runs_after), "xlsx")           # what works / doesn't / should be improved

The rules are data: ``readiness.yaml``, ``gaps.yaml`` (detectors registered by name in ``detectors.py``),
``weights.yaml`` (priority, quick wins, schedule), ``costs.yaml`` (unit costs; a Pemda's own file merges over it:
``SIMPUL_COSTS_FILE``) and ``sources.yaml`` (the works they cite).
"""

from hub.inventory.config import (
    GapCatalog,
    GapKind,
    InventoryConfigError,
    PriorityWeights,
    ReadinessConfig,
    load_gaps,
    load_readiness,
    load_weights,
)
from hub.inventory.detectors import DETECTORS, detector
from hub.inventory.models import Gap, Inventory, MonevWorksheet, Roadmap, RoadmapItem
from hub.inventory.render import FORMATS, MEDIA_TYPES, render_inventory, render_monev
from hub.inventory.service import InventoryInputs, build_inventory, load_inputs, monev

__all__ = [
    "DETECTORS",
    "FORMATS",
    "MEDIA_TYPES",
    "Gap",
    "GapCatalog",
    "GapKind",
    "Inventory",
    "InventoryConfigError",
    "InventoryInputs",
    "MonevWorksheet",
    "PriorityWeights",
    "ReadinessConfig",
    "Roadmap",
    "RoadmapItem",
    "build_inventory",
    "detector",
    "load_gaps",
    "load_inputs",
    "load_readiness",
    "load_weights",
    "monev",
    "render_inventory",
    "render_monev",
]
