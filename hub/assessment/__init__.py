"""Assessment of OPD applications against the five standards of the Smart City masterplan guide (D.7).

Public API::

    from hub.assessment import AssessmentTarget, ProbeLimits, assess
    run = await assess(AssessmentTarget(app_id="simpeg", name="SIMPEG", base_url="http://127.0.0.1:8103",
                                        area="kepegawaian"))
    run.maturity.level, run.score("reliable"), [r.check_id for r in run.failed]

* the check catalog is data (``catalog.yaml``, ``retired.yaml``, ``levels.yaml``): :func:`load_catalog`,
  :func:`catalog_markdown`;
* probes (network) gather observations, evaluators (pure) judge them: ``hub.assessment.probes``,
  ``hub.assessment.evaluators``;
* results: :class:`AssessmentRun` (JSON-serialisable), :func:`compare`, :func:`answer_manual`, :func:`rescore`;
* reports: ``hub.assessment.render`` (JSON, HTML, JUnit XML, XLSX).
"""

from hub.assessment.catalog import Catalog, CatalogError, Check, catalog_markdown, levels_markdown, load_catalog
from hub.assessment.models import (
    AssessmentRun,
    AssessmentTarget,
    CheckResult,
    Evidence,
    HttpExchange,
    ManualAnswer,
    ManualEvidence,
    MaturityLevel,
    ProbeLimits,
    RunComparison,
    StandardScore,
    Status,
    TargetAuth,
)
from hub.assessment.runner import answer_manual, assess, rescore
from hub.assessment.safety import HostPolicy, RefusedHost
from hub.assessment.scoring import compare

__all__ = [
    "AssessmentRun",
    "AssessmentTarget",
    "Catalog",
    "CatalogError",
    "Check",
    "CheckResult",
    "Evidence",
    "HostPolicy",
    "HttpExchange",
    "ManualAnswer",
    "ManualEvidence",
    "MaturityLevel",
    "ProbeLimits",
    "RefusedHost",
    "RunComparison",
    "StandardScore",
    "Status",
    "TargetAuth",
    "answer_manual",
    "assess",
    "catalog_markdown",
    "compare",
    "levels_markdown",
    "load_catalog",
    "rescore",
]
