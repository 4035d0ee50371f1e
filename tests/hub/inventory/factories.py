"""Small handmade registry models and assessment runs for the inventory tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hub.assessment.models import (
    STANDARDS,
    AssessmentRun,
    AssessmentTarget,
    CheckResult,
    MaturityLevel,
    ProbeLimits,
    StandardScore,
    Status,
    Text,
)
from registry.models import ApplicationIn, OpdIn, PemdaIn

AS_OF = date(2025, 7, 1)
PEMDA = PemdaIn(kode="35.72", name="Kota Uji", level="kota")
OPD_CODES = {
    "bappeda": ("5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
    "bpkad": ("5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
    "bkpsdm": ("5.03.5.04.0.00.01.0000", "Badan Kepegawaian dan Pengembangan SDM", "BKPSDM"),
    "dinkes": ("1.02.0.00.0.00.01.0000", "Dinas Kesehatan", "Dinkes"),
    "kominfo": ("2.16.2.20.2.21.01.0000", "Dinas Komunikasi dan Informatika", "Diskominfo"),
    "hukum": ("4.01.0.00.0.00.01.0003", "Bagian Hukum Sekretariat Daerah", "Bagian Hukum"),
}
OPDS = [OpdIn(kode_pemda="35.72", kode=k, name=n, short_name=s) for k, n, s in OPD_CODES.values()]
T = Text(id="uji", en="test")


def opd(key: str) -> str:
    return OPD_CODES[key][0]


def app(app_id: str, *, area: str = "perencanaan", owner: str = "bappeda", status: str = "production",
        kind: str = "khusus", **fields: Any) -> ApplicationIn:
    """A tidy application (contact, source code held, data-center hosting, a connector) unless overridden."""
    data: dict[str, Any] = {
        "id": app_id, "name": app_id.upper(), "status": status, "kode_pemda": "35.72", "kode_opd": opd(owner),
        "area": area, "kind": kind, "contact": {"name": "Petugas Uji", "position": "Pranata Komputer"},
        "supplier": {"developer": "in_house", "source_code_held": True},
        "hosting": {"type": "diskominfo_dc"},
        "integration": {"connector": {"type": "rest_json", "config": {"base_url": "http://127.0.0.1:9"}}},
    }
    data.update(fields)
    return ApplicationIn.model_validate(data)


def run(app_id: str, scores: dict[str, float | None] | None = None, *, checks: dict[str, str] | None = None,
        level: int = 3, run_id: str | None = None, refused: bool = False) -> AssessmentRun:
    """A run with the given standard scores (missing standards score 80) and check statuses."""
    values = dict.fromkeys(STANDARDS, 80.0)
    values.update(scores or {})
    results = [CheckResult(check_id=cid, standard=_standard(cid), title=Text(id=f"judul {cid}", en=f"title {cid}"),
                           status=Status(status), weight=2, automated=True)
               for cid, status in (checks or {}).items()]
    measured = [v for v in values.values() if v is not None]
    overall = round(sum(measured) / len(measured), 1) if measured else None
    now = datetime(2025, 6, 30, 10, 0, tzinfo=UTC)
    return AssessmentRun(
        run_id=run_id or f"run-{app_id}", started_at=now, finished_at=now,
        target=AssessmentTarget(app_id=app_id, name=app_id, base_url=f"https://{app_id}.example.go.id"),
        catalog_version="2025.1+test", limits=ProbeLimits(), results=results,
        scores=[StandardScore(standard=s, name=T, score=values[s]) for s in STANDARDS],
        maturity=MaturityLevel(level=level, name=T, overall_score=overall, explanation=T),
        refused=T if refused else None)


def _standard(check_id: str) -> str:
    prefix = check_id[:3]
    return {"REL": "reliable", "INT": "interoperable", "SCA": "scalable", "USR": "user_friendly",
            "ITG": "integrateable"}[prefix]


def example_inventory():  # type: ignore[no-untyped-def]
    """The sample registry of Kota Blitar (examples/registry) with a few runs and a Monev between two of them:
    every table of every report has rows."""
    from pathlib import Path

    from hub.inventory import build_inventory
    from registry.io import read

    path = Path(__file__).resolve().parents[3] / "examples" / "registry" / "registry.yaml"
    batch = read(path.read_bytes(), "yaml")
    pemda = PemdaIn.model_validate(batch.of("pemda")[0].data)
    opds = [OpdIn.model_validate(r.data) for r in batch.of("opd")]
    apps = [ApplicationIn.model_validate(r.data) for r in batch.of("applications")]
    before = {"jdih": run("jdih", {"reliable": 58.3, "user_friendly": 62.5}, checks={"REL-003": "fail"},
                          run_id="jdih-1", level=2),
              "simpeg": run("simpeg", {"interoperable": 55.6, "integrateable": 30}, checks={"ITG-001": "fail"},
                            run_id="simpeg-1", level=2)}
    after = {"jdih": run("jdih", {"reliable": 100}, checks={"REL-003": "pass"}, run_id="jdih-2", level=4),
             "simpeg": before["simpeg"],
             "e-planning": run("e-planning", dict.fromkeys(STANDARDS, 100), run_id="e-planning-1", level=5)}
    return build_inventory(pemda, opds, apps, after, as_of=AS_OF, runs_before=before)
