"""``simpul demo``: the whole job on the embedded SQLite default, start to finish.

Starts the five simulated OPD applications (with the quality profiles a real Pemda has: one clean, one flaky,
one spreadsheet-only, one fragile, one slow), imports the sample registry of Kota Blitar, pulls every resource
through the registered connectors (map → validate), assesses the applications against the five standards,
builds the gap inventory and roadmap, and writes every report to the output folder. The processes it starts are
stopped on every exit, Ctrl-C and SIGTERM included.
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


@dataclass
class DemoResult:
    output_dir: Path
    registry: dict[str, Any] = field(default_factory=dict)
    pulls: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    inventory: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    web: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "output_dir": str(self.output_dir),
            "registry": self.registry,
            "pulls": self.pulls,
            "assessments": self.assessments,
            "inventory": self.inventory,
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


def run_assessments(result: DemoResult, apps: list[str], lang: str, progress: Step | None = None) -> None:
    """Assess the runnable applications and write each run's report (HTML, JSON, JUnit, XLSX)."""
    from hub.assessment.models import AssessmentRun
    from hub.assessment.render import render

    records = asyncio.run(_assess(apps, lang, progress))
    folder = result.output_dir / "assessment"
    for record in records:
        run = AssessmentRun.model_validate(record.result)
        for fmt, ext in (("html", "html"), ("json", "json"), ("junit", "junit.xml"), ("xlsx", "xlsx")):
            _write(result, folder / f"{record.app_id}.{ext}", render(run, fmt, lang))
        result.assessments.append({
            "app": record.app_id,
            "run_id": record.run_id,
            "profile": DEMO_PROFILES.get(record.app_id, ""),
            "level": f"{run.maturity.level} {_text(run.maturity.name, lang)}",
            "scores": {ABBREVIATIONS[s.standard]: ("-" if s.score is None else f"{s.score:.0f}") for s in run.scores},
            "failed": len(run.failed),
            "failed_checks": [r.check_id for r in run.failed],
        })


def build_reports(result: DemoResult, lang: str, kode_pemda: str = "35.72") -> None:
    """The gap inventory, gap analysis, roadmap and the DOCX chapter from the registry and the stored runs."""
    from hub.assessment.models import AssessmentRun
    from hub.inventory.render import render_inventory
    from hub.inventory.service import build_inventory, load_inputs
    from hub.services.assessments import AssessmentService
    from hub.services.registry import RegistryService
    from hub.services.registry_access import Principal
    from hub.services.registry_db import get_database

    db, principal = get_database(), Principal.cli()
    inputs = load_inputs(RegistryService(db, principal, lang), kode_pemda)
    assessments = AssessmentService(db, principal, lang)
    runs = {app_id: AssessmentRun.model_validate(assessments.get_run(record.run_id).result)
            for app_id, record in assessments.latest_runs().items()}
    inventory = build_inventory(inputs.pemda, inputs.opds, inputs.apps, runs, lang)
    folder = result.output_dir / "inventory"
    names = {"md": "inventaris.md", "html": "inventaris.html", "xlsx": "inventaris.xlsx",
             "docx": "rencana-aplikasi.docx", "json": "inventaris.json"}
    for fmt, name in names.items():
        _write(result, folder / name, render_inventory(inventory, fmt, lang))
    result.inventory = {
        "applications": inventory.totals.registered,
        "gaps": inventory.totals.gaps,
        "quick_wins": inventory.totals.quick_wins,
        "programs": len(inventory.roadmap.items),
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
