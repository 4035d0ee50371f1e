"""Real kabupaten/kota Simpuls for the federation tests and the bench: each one is ``create_app()`` over its own
SQLite registry (a small handmade registry and stored assessment runs), served by uvicorn on a loopback port in a
thread, with an API key of role ``federation``."""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import uvicorn

from hub.assessment.models import (
    STANDARDS,
    AssessmentRun,
    AssessmentTarget,
    MaturityLevel,
    ProbeLimits,
    StandardScore,
    Text,
)
from registry.db import Database, upgrade

T = Text(id="uji", en="test")
OPDS = [("5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD")]


@dataclass
class KotaSpec:
    kode: str
    name: str
    level: str
    # app_id -> (area, score of every standard or None = never assessed, SPBE level)
    apps: dict[str, tuple[str, float | None, int]]


# The three members of the tests, and the numbers a province reads from them.
KOTA = [
    KotaSpec("35.72", "Kota Blitar", "kota", {"e-planning": ("perencanaan", 80.0, 3),
                                               "e-budgeting": ("keuangan", 50.0, 2),
                                               "simpeg": ("kepegawaian", None, 0)}),
    KotaSpec("35.73", "Kota Malang", "kota", {"e-planning": ("perencanaan", 90.0, 4),
                                               "sipd-malang": ("keuangan", 90.0, 4)}),
    KotaSpec("35.05", "Kabupaten Blitar", "kabupaten", {"e-office": ("perencanaan", 20.0, 1)}),
]


def run_of(app_id: str, score: float, level: int, when: datetime) -> dict[str, Any]:
    run = AssessmentRun(
        run_id=hashlib.sha256(f"{app_id}-{when.isoformat()}".encode()).hexdigest()[:32], started_at=when,
        finished_at=when,
        target=AssessmentTarget(app_id=app_id, name=app_id, base_url=f"https://{app_id}.example"),
        catalog_version="2025.1+test", limits=ProbeLimits(), results=[],
        scores=[StandardScore(standard=s, name=T, score=score) for s in STANDARDS],
        maturity=MaturityLevel(level=level, name=T, overall_score=score, explanation=T))
    return run.model_dump(mode="json")


def fill(db: Database, spec: KotaSpec) -> None:
    from registry.assessments import save_run
    from registry.io import import_batch, read

    apps = [{"id": app_id, "name": app_id.upper(), "status": "production", "kode_pemda": spec.kode,
             "kode_opd": OPDS[i % 2][0], "area": area, "kind": "khusus",
             "contact": {"name": "Petugas Uji", "position": "Pranata Komputer", "email": "petugas@kota.example"},
             "supplier": {"developer": "in_house", "source_code_held": True}, "hosting": {"type": "diskominfo_dc"}}
            for i, (app_id, (area, _score, _level)) in enumerate(spec.apps.items())]
    batch = {"simpul_registry": 1, "pemda": [{"kode": spec.kode, "name": spec.name, "level": spec.level}],
             "opd": [{"kode_pemda": spec.kode, "kode": k, "name": n, "short_name": s} for k, n, s in OPDS],
             "applications": apps}
    import json

    with db.session() as s:
        report = import_batch(s, read(json.dumps(batch).encode(), "yaml"), "test")
        if not report.valid:
            raise RuntimeError(str(report.errors))
        when = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
        for app_id, (_area, score, level) in spec.apps.items():
            if score is None:
                continue
            save_run(s, run_of(app_id, 30.0, 1, when - timedelta(days=30)), trigger="cli", actor="test")  # older
            save_run(s, run_of(app_id, score, level, when), trigger="cli", actor="test")


def make_key(db: Database, role: str = "federation") -> str:
    from hub.services.registry_access import Principal
    from hub.services.registry_keys import ApiKeyIn, KeyService

    return KeyService(db, Principal.cli()).create(ApiKeyIn(name=f"Simpul Provinsi ({role})", role=role)).token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Kota:
    spec: KotaSpec
    db: Database
    url: str
    token: str
    server: uvicorn.Server | None = None
    thread: threading.Thread | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def stop(self) -> None:
        if self.server is not None and self.thread is not None:
            self.server.should_exit = True
            self.thread.join(timeout=15)
            self.server = self.thread = None


def serve(db: Database) -> tuple[uvicorn.Server, threading.Thread, str]:
    from hub.api.app import create_app
    from hub.services.registry_db import get_database

    app = create_app()
    app.dependency_overrides[get_database] = lambda: db
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(400):
        if server.started:
            break
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("a kota Simpul did not start")
    return server, thread, f"http://127.0.0.1:{port}"


@contextmanager
def kota_sites(folder: Path, specs: list[KotaSpec] = KOTA) -> Iterator[list[Kota]]:
    sites = []
    try:
        for spec in specs:
            url = f"sqlite:///{folder / ('kota-' + spec.kode.replace('.', '') + '.db')}"
            upgrade(url)
            db = Database(url)
            fill(db, spec)
            server, thread, base = serve(db)
            sites.append(Kota(spec, db, base, make_key(db), server, thread))
        yield sites
    finally:
        for site in sites:
            site.stop()
            site.db.dispose()
