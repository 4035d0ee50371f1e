"""``simpul demo``: the whole job on the embedded SQLite default, start to finish.

Starts the five simulated OPD applications (with the quality profiles a real Pemda has: one clean, one flaky,
one spreadsheet-only, one fragile, one slow), imports the sample registry of Kota Blitar, pulls every resource
through the registered connectors (map → validate), assesses the applications against the five standards,
then takes the quarter's Monev: JDIH's supplier fixes its error handling (its profile goes from ``fragile`` to
``good``), JDIH is assessed again, and the worksheet "what works / what doesn't work / what should be improved"
compares the two snapshots. Last it builds the gap inventory, roadmap, yearly schedule and indicative costs, and
writes every report to the output folder. The processes it starts are stopped on every exit, Ctrl-C and SIGTERM
included.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hub.errors import SimpulError
from hub.settings import PROJECT_ROOT, get_settings

SAMPLE_REGISTRY = PROJECT_ROOT / "examples" / "registry" / "registry.yaml"

# The quality profile of each runnable application in the demo: the mix a Diskominfo really meets.
DEMO_PROFILES: dict[str, str] = {
    "e-planning": "good",
    "e-budgeting": "flaky",
    "simpeg": "legacy",
    "jdih": "fragile",
    "pelayanan": "slow",
}
# Registry connector configs name their secrets by environment variable; the demo fills them in.
TOKEN_ENV: dict[str, str] = {
    "e-planning": "SIMPUL_EPLANNING_TOKEN",
    "e-budgeting": "SIMPUL_EBUDGETING_TOKEN",
    "simpeg": "SIMPUL_SIMPEG_API_KEY",
    "jdih": "SIMPUL_JDIH_TOKEN",
    "pelayanan": "SIMPUL_PELAYANAN_TOKEN",
}

Step = Callable[[str, int, int], None]  # (label, done, total) progress callback

# The scripted improvement of the Monev step: the application, its profile before and after (examples/data/
# profiles.yaml: `fragile` answers bad input with a 500 and a Python traceback in English, `good` with a 4xx and a
# message in Bahasa Indonesia).
IMPROVEMENT = {"app": "jdih", "before": "fragile", "after": "good"}


@dataclass
class DemoResult:
    output_dir: Path
    registry: dict[str, Any] = field(default_factory=dict)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    reassessments: list[dict[str, Any]] = field(default_factory=list)
    inventory: dict[str, Any] = field(default_factory=dict)
    monev: dict[str, Any] | None = None
    files: list[Path] = field(default_factory=list)
    profiles: dict[str, str] = field(default_factory=lambda: dict(DEMO_PROFILES))  # as they are now
    notes: list[str] = field(default_factory=list)
    web: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "output_dir": str(self.output_dir),
            "registry": self.registry,
            "pulls": self.pulls,
            "assessments": self.assessments,
            "reassessments": self.reassessments,
            "inventory": self.inventory,
            "monev": self.monev,
            "files": [str(p) for p in self.files],
            "notes": self.notes,
            "web": {k: v for k, v in self.web.items() if k != "password"},
        }


def _write(result: DemoResult, path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    result.files.append(path)


def import_registry(result: DemoResult, lang: str) -> None:
    from hub.services.registry import RegistryService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    service = RegistryService(get_database(), Principal.cli(), lang)
    imported = service.import_file(SAMPLE_REGISTRY.read_bytes(), filename=SAMPLE_REGISTRY.name)
    result.registry = service.summary()
    result.registry["import"] = imported.report.counts
    out = result.output_dir / "registry"
    _write(result, out / "registry.xlsx", service.export("xlsx"))
    _write(result, out / "registry.yaml", service.export("yaml"))


async def pull_all(result: DemoResult, apps: list[str], progress: Step | None, lang: str = "id") -> None:
    from hub.services import connections

    jobs: list[tuple[str, str]] = []
    for app_id in apps:
        spec = connections.resolve(app_id)
        jobs.extend((app_id, resource) for resource in spec.resources)
    for done, (app_id, resource) in enumerate(jobs):
        if progress:
            progress(f"{app_id}/{resource}", done, len(jobs))
        spec = connections.resolve(app_id)
        stats = connections.PullStats(resource=resource)
        folder = result.output_dir / "data" / app_id
        folder.mkdir(parents=True, exist_ok=True)
        valid_path = folder / f"{resource}.ndjson"
        invalid: list[dict[str, Any]] = []
        error = None
        try:
            with valid_path.open("w", encoding="utf-8") as handle:
                async for item in connections.pull(spec, resource, stats=stats):
                    if item.validation is not None and item.validation.valid:
                        handle.write(json.dumps(item.record, ensure_ascii=False, default=str) + "\n")
                    elif len(invalid) < 50:
                        invalid.append({
                            "raw": item.raw,
                            "mapping_errors": [getattr(e, "message", str(e)) for e in item.mapping_errors],
                            "issues": [i.model_dump(mode="json") for i in (item.validation.issues if item.validation
                                                                            else [])],
                        })
        except Exception as exc:  # one application failing must not stop the demo; it is reported
            error = exc.message(lang) if isinstance(exc, SimpulError) else str(exc)
        result.files.append(valid_path)
        summary = {"app": app_id, **stats.as_dict(), "error": error, "file": str(valid_path)}
        _write(result, folder / f"{resource}.report.json",
               json.dumps({**summary, "invalid_samples": invalid}, ensure_ascii=False, indent=2, default=str))
        result.pulls.append(summary)
    await connections.shutdown()
    if progress:
        progress("", len(jobs), len(jobs))


def set_tokens(tokens: dict[str, str]) -> dict[str, str | None]:
    """Put the example applications' tokens where the registry's ``{env: ...}`` references look; returns the
    previous values so they can be restored."""
    previous: dict[str, str | None] = {}
    for app_id, var in TOKEN_ENV.items():
        if app_id in tokens:
            previous[var] = os.environ.get(var)
            os.environ[var] = tokens[app_id]
    return previous


def restore_env(previous: dict[str, str | None]) -> None:
    for var, value in previous.items():
        if value is None:
            os.environ.pop(var, None)
        else:
            os.environ[var] = value


def output_dir(path: Path | None = None) -> Path:
    folder = (path or get_settings().output_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def run_pulls(result: DemoResult, apps: list[str], progress: Step | None = None, lang: str = "id") -> None:
    asyncio.run(pull_all(result, apps, progress, lang))


ABBREVIATIONS = {"reliable": "REL", "interoperable": "INT", "scalable": "SCA", "user_friendly": "USR",
                 "integrateable": "ITG"}


def _text(value: Any, lang: str) -> str:
    if hasattr(value, "model_dump"):
        value = value.model_dump()
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("id") or "")
    return str(value or "")


async def _assess(apps: list[str], lang: str, progress: Step | None) -> list[Any]:
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    service = AssessmentService(get_database(), Principal.cli(), lang)

    def step(app_id: str, done: int, total: int, check_id: str) -> None:
        if progress:
            progress(f"{app_id} {check_id}", done, total)

    return await service.assess_applications(apps, trigger="demo", progress=step)


def run_assessments(result: DemoResult, apps: list[str], lang: str, progress: Step | None = None,
                    key: str = "assessments") -> None:
    """Assess the runnable applications and write each run's report (HTML, JSON, JUnit, XLSX); the summary rows go
    to ``result.<key>`` (``assessments``, or ``reassessments`` in the Monev step)."""
    from hub.assessment.models import AssessmentRun
    from hub.assessment.render import render

    records = asyncio.run(_assess(apps, lang, progress))
    folder = result.output_dir / "assessment"
    for record in records:
        run = AssessmentRun.model_validate(record.result)
        for fmt, ext in (("html", "html"), ("json", "json"), ("junit", "junit.xml"), ("xlsx", "xlsx")):
            _write(result, folder / f"{record.app_id}.{ext}", render(run, fmt, lang))
        getattr(result, key).append({
            "app": record.app_id,
            "run_id": record.run_id,
            "profile": result.profiles.get(record.app_id, ""),
            "level": f"{run.maturity.level} {_text(run.maturity.name, lang)}",
            "scores": {ABBREVIATIONS[s.standard]: ("-" if s.score is None else f"{s.score:.0f}") for s in run.scores},
            "failed": len(run.failed),
            "failed_checks": [r.check_id for r in run.failed],
        })


def snapshot(lang: str) -> dict[str, Any]:
    """The latest stored run of every application (``app_id -> AssessmentRun``)."""
    from hub.services.assessments import AssessmentService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    return AssessmentService(get_database(), Principal.cli(), lang).snapshot()


def improve_and_reassess(result: DemoResult, urls: Any, lang: str, progress: Step | None = None) -> dict[str, Any]:
    """The Monev step: keep the first snapshot, apply the scripted improvement (restart the application with its
    fixed profile), assess it again; the reports of its first run are kept beside the new ones as ``*.sebelum.*``.
    Returns the first snapshot."""
    before = snapshot(lang)
    app = IMPROVEMENT["app"]
    folder = result.output_dir / "assessment"
    for path in sorted(folder.glob(f"{app}.*")):
        kept = path.with_name(f"{app}.sebelum.{path.name.split('.', 1)[1]}")
        path.rename(kept)
        result.files = [kept if f == path else f for f in result.files]
    urls.restart(app, IMPROVEMENT["after"])
    result.profiles[app] = IMPROVEMENT["after"]
    run_assessments(result, [app], lang, progress, key="reassessments")
    return before


def build_reports(result: DemoResult, lang: str, kode_pemda: str = "35.72",
                  runs_before: dict[str, Any] | None = None) -> None:
    """The gap inventory, gap analysis, roadmap, yearly schedule with indicative costs and the DOCX chapter from
    the registry and the stored runs; with ``runs_before``, the Monev worksheet too (inside the reports and alone,
    in every format)."""
    from hub.i18n import t
    from hub.inventory.render import render_inventory, render_monev
    from hub.inventory.service import build_inventory, load_inputs
    from hub.services.registry import RegistryService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    inputs = load_inputs(RegistryService(get_database(), Principal.cli(), lang), kode_pemda)
    runs = snapshot(lang)
    inventory = build_inventory(inputs.pemda, inputs.opds, inputs.apps, runs, lang, runs_before=runs_before)
    if inventory.monev is not None:
        inventory.monev.label_a = t("demo.monev.label_before", lang)
        inventory.monev.label_b = t("demo.monev.label_after", lang, app=IMPROVEMENT["app"].upper())
    folder = result.output_dir / "inventory"
    names = {"md": "inventaris.md", "html": "inventaris.html", "xlsx": "inventaris.xlsx",
             "docx": "rencana-aplikasi.docx", "json": "inventaris.json"}
    link = "../assessment/{app_id}.html"  # the evidence points at the assessment reports next door
    for fmt, name in names.items():
        _write(result, folder / name, render_inventory(inventory, fmt, lang, run_link=link))
    from hub.inventory import pdf

    if pdf.available():  # the chapter as a planner would print it, contents with page numbers
        _write(result, folder / "rencana-aplikasi.pdf", render_inventory(inventory, "pdf", lang, run_link=link))
    else:
        result.notes.append(t("demo.no_pdf", lang))
    plan = inventory.plan
    result.inventory = {
        "applications": inventory.totals.registered,
        "gaps": inventory.totals.gaps,
        "quick_wins": inventory.totals.quick_wins,
        "programs": len(inventory.roadmap.items),
        "years": f"{plan.years[0]}–{plan.years[-1]}" if plan else "",
        "indicative_cost": plan.total if plan else 0,
    }
    ws = inventory.monev
    if ws is not None:
        app_names = {a.app_id: a.name for a in inventory.applications}
        files = []
        for fmt in ("md", "html", "xlsx", "docx", "json"):
            path = result.output_dir / "monev" / f"kertas-kerja-monev.{fmt}"
            _write(result, path, render_monev(ws, fmt, lang, names=app_names))
            files.append(str(path))
        app = IMPROVEMENT["app"]
        result.monev = {
            "label_before": ws.label_a, "label_after": ws.label_b,
            "improved": {"app": app, "profile": f"{IMPROVEMENT['before']} → {IMPROVEMENT['after']}"},
            "works": len(ws.works), "doesnt_work": len(ws.doesnt_work), "improve": len(ws.improve),
            "score_moves": [m.model_dump(mode="json") for m in ws.score_moves if m.app_id == app],
            "checks_fixed": [c.check_id for c in ws.check_changes if c.app_id == app and c.after == "pass"],
            "files": files,
        }


DEMO_USER = "demo"


def web_account(result: DemoResult, lang: str) -> tuple[str, str]:
    """The sign-in account of the web workspace for the demo: ``demo`` (role admin), created on the first run; a
    later run gives it a new password. Both are written to the notes the demo prints."""
    from hub.i18n import t
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database
    from hub.services.users import UserService, parse_user

    service = UserService(get_database(), Principal.cli(), lang)
    if any(u.username == DEMO_USER for u in service.list()):
        _user, password = service.reset_password(DEMO_USER)
    else:
        _user, password = service.create(parse_user({"username": DEMO_USER, "display_name": "Admin Demo Diskominfo",
                                                     "role": "admin"}, lang))
    settings = get_settings()
    result.web = {"url": f"http://{settings.host}:{settings.port}/", "username": DEMO_USER, "password": password}
    result.notes.append(t("web.demo.account", lang, url=result.web["url"], username=DEMO_USER, password=password))
    return DEMO_USER, password
