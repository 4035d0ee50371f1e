"""Gap inventory at national scale: build the inventory of every Pemda of a synthetic registry (30,000 applications
across 550 Pemdas, with synthetic assessment runs for a share of them) and report time and peak memory per Pemda and
in total, then the time to render the largest Pemda in every format.

    .venv/bin/python bench/inventory.py                          # 30,000 apps, 550 Pemdas, 30 % assessed
    .venv/bin/python bench/inventory.py --apps 3000 --pemda 55   # quick look

The inventory is pure (registry models + runs in, pydantic models out), so this measures exactly the work a
``simpul inventory`` call does after reading the registry. Pass 1 times every build; pass 2 repeats them under
tracemalloc to find each build's peak allocation (tracemalloc slows Python, so pass 2 is not timed). The generated
inputs are frozen out of the garbage collector's view (``gc.freeze``) as a real call holds one Pemda, not the
nation. A readable table is printed; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import sys
import time
import tracemalloc
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # this file is named like the package
sys.path.insert(0, str(HERE.parent))

from hub.assessment import load_catalog  # noqa: E402
from hub.assessment.models import (  # noqa: E402
    AssessmentRun,
    AssessmentTarget,
    CheckResult,
    ProbeLimits,
    Status,
)
from hub.assessment.scoring import maturity, standard_scores  # noqa: E402
from hub.inventory import build_inventory, render_inventory  # noqa: E402
from registry.models import ApplicationIn, OpdIn, PemdaIn  # noqa: E402
from registry.vocab import vocab  # noqa: E402

AREAS = vocab("area").codes
SPBE = {t.code: [int(n) for n in t.extra.get("spbe", [])] for t in vocab("area").terms}
NATIONAL = [(t.code, t.extra["area"], t.extra.get("spbe", [])) for t in vocab("national_app").terms]
STATUSES = ["production"] * 7 + ["development", "planned", "retired"]
HOSTING = ["diskominfo_dc"] * 3 + ["opd_server", "cloud", "vendor_hosted", None]
OPDS = [("1.01.0.00.0.00.01.0000", "Dinas Pendidikan", "Dispendik"),
        ("1.02.0.00.0.00.01.0000", "Dinas Kesehatan", "Dinkes"),
        ("2.12.0.00.0.00.01.0000", "Dinas Kependudukan dan Pencatatan Sipil", "Dispendukcapil"),
        ("2.16.2.20.2.21.01.0000", "Dinas Komunikasi dan Informatika", "Diskominfo"),
        ("2.18.0.00.0.00.01.0000", "Dinas Penanaman Modal dan PTSP", "DPMPTSP"),
        ("4.01.0.00.0.00.01.0000", "Sekretariat Daerah", "Setda"),
        ("4.01.0.00.0.00.01.0003", "Bagian Hukum Sekretariat Daerah", "Bagian Hukum"),
        ("5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan Daerah", "Bappeda"),
        ("5.02.0.00.0.00.01.0000", "Badan Pengelolaan Keuangan dan Aset Daerah", "BPKAD"),
        ("5.02.0.00.0.00.02.0000", "Badan Pendapatan Daerah", "Bapenda"),
        ("5.03.5.04.0.00.01.0000", "Badan Kepegawaian dan Pengembangan SDM", "BKPSDM"),
        ("6.01.0.00.0.00.01.0000", "Inspektorat Daerah", "Inspektorat"),
        ("2.11.0.00.0.00.01.0000", "Dinas Lingkungan Hidup", "DLH"),
        ("1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum", "DPU"),
        ("2.07.0.00.0.00.01.0000", "Dinas Perdagangan", "Disdag")]
STATUS_MIX = [Status.PASS] * 6 + [Status.WARNING] * 2 + [Status.FAIL] * 2 + [Status.ERROR, Status.NOT_APPLICABLE]
AS_OF = date(2025, 7, 1)


def pemda_codes(n: int) -> list[PemdaIn]:
    provinces = [f"{p:02d}" for p in range(11, 95)][:38]
    out = [PemdaIn(kode=p, name=f"Provinsi {p}", level="provinsi") for p in provinces]
    i = 0
    while len(out) < n:
        prov, number = provinces[i % len(provinces)], 1 + i // len(provinces)
        kota = number > 25
        out.append(PemdaIn(kode=f"{prov}.{(70 + number - 25) if kota else number:02d}",
                           name=f"{'Kota' if kota else 'Kabupaten'} {prov}-{number}",
                           level="kota" if kota else "kabupaten"))
        i += 1
    return out[:n]


def synthetic_app(rng: random.Random, n: int, kode: str) -> ApplicationIn:
    area = rng.choice(AREAS)
    umum = rng.random() < 0.2 and area != "lainnya"
    national = rng.choice([c for c, a, _ in NATIONAL if a == area] or [None]) if umum else None
    indicators = rng.sample(SPBE[area], k=min(len(SPBE[area]), rng.choice([0, 1, 1, 2])))
    data: dict[str, Any] = {
        "id": f"app-{kode.replace('.', '-')}-{n}", "name": f"Sistem Informasi {n}", "status": rng.choice(STATUSES),
        "kode_pemda": kode, "kode_opd": rng.choice(OPDS)[0], "area": area, "spbe_indicators": indicators,
        "kind": "umum" if umum else "khusus", "national_app": national,
        "supplier": {"developer": rng.choice(["vendor", "vendor", "in_house"]),
                     "source_code_held": rng.choice([True, False, None])},
        "hosting": {"type": "national" if umum else rng.choice(HOSTING)},
    }
    if rng.random() < 0.85:
        data["contact"] = {"name": "Petugas", "position": "Pranata Komputer"}
    roll = rng.random()
    if roll < 0.35:
        data["integration"] = {"connector": {"type": "rest_json", "config": {"base_url": "https://x.example.go.id"}}}
    elif roll < 0.5:
        data["integration"] = {"consumes": ["kepegawaian/pegawai"]}
    return ApplicationIn.model_validate(data)


def result_pool() -> dict[tuple[str, Status], CheckResult]:
    """One CheckResult per (check, status): runs share them, as the content of a result is all that matters."""
    cat = load_catalog()
    return {(c.id, s): CheckResult(check_id=c.id, standard=c.standard, title=c.title, status=s, weight=c.weight,
                                   automated=c.automated) for c in cat.checks for s in STATUS_MIX}


def synthetic_run(rng: random.Random, app: ApplicationIn, pool: dict[tuple[str, Status], CheckResult],
                  limits: ProbeLimits) -> AssessmentRun:
    cat = load_catalog()
    results = [pool[(c.id, rng.choice(STATUS_MIX))] for c in cat.checks]
    scores = standard_scores(results, cat)
    now = datetime(2025, 6, 30, tzinfo=UTC)
    target = AssessmentTarget.model_construct(app_id=app.id, name=app.name, base_url="https://x.example.go.id")
    return AssessmentRun.model_construct(run_id=f"run-{app.id}", started_at=now, finished_at=now, target=target,
                                         catalog_version=cat.label, limits=limits, results=results, scores=scores,
                                         maturity=maturity(results, scores, cat), requests_made=0, refused=None)


def generate(n_apps: int, n_pemda: int, share: float, seed: int) -> tuple[list[Any], dict[str, Any]]:
    rng = random.Random(seed)
    pemdas = pemda_codes(n_pemda)
    opds = {p.kode: [OpdIn(kode_pemda=p.kode, kode=k, name=f"{name} {p.name}", short_name=short)
                     for k, name, short in OPDS] for p in pemdas}
    apps: dict[str, list[ApplicationIn]] = {p.kode: [] for p in pemdas}
    for n in range(n_apps):
        kode = pemdas[min(int(rng.paretovariate(1.2)) - 1, n_pemda - 1) if rng.random() < 0.1
                      else rng.randrange(n_pemda)].kode
        apps[kode].append(synthetic_app(rng, n, kode))
    pool, limits = result_pool(), ProbeLimits()
    runs: dict[str, dict[str, AssessmentRun]] = {p.kode: {} for p in pemdas}
    for kode, items in apps.items():
        for app in items:
            if app.status in ("production", "retired") and rng.random() < share:
                runs[kode][app.id] = synthetic_run(rng, app, pool, limits)
    return [(p, opds[p.kode], apps[p.kode], runs[p.kode]) for p in pemdas], {"pool": len(pool)}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--apps", type=int, default=30_000)
    ap.add_argument("--pemda", type=int, default=550)
    ap.add_argument("--assessed", type=float, default=0.3, help="share of production/retired apps with a run")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    t0 = time.perf_counter()
    data, _ = generate(args.apps, args.pemda, args.assessed, args.seed)
    gen_s = time.perf_counter() - t0
    n_runs = sum(len(r) for *_, r in data)
    build_inventory(*data[0][:3], data[0][3], as_of=AS_OF)  # warm caches (YAML rules, catalog, vocabularies)

    # The whole synthetic nation stays in memory; a real call holds one Pemda. Freeze it so the collector does not
    # rescan 30,000 applications and their runs during every build (that would time the benchmark, not the build).
    gc.collect()
    gc.freeze()
    times, gaps, programs = [], 0, 0
    started = time.perf_counter()
    for pemda, opds, apps, runs in data:
        t = time.perf_counter()
        inv = build_inventory(pemda, opds, apps, runs, as_of=AS_OF)
        times.append(time.perf_counter() - t)
        gaps += inv.totals.gaps
        programs += len(inv.roadmap.items)
    total_s = time.perf_counter() - started
    rss_after_builds = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    peaks = []
    tracemalloc.start()
    for pemda, opds, apps, runs in data:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        inv = build_inventory(pemda, opds, apps, runs, as_of=AS_OF)
        peaks.append((tracemalloc.get_traced_memory()[1] - base) / 2**20)
        del inv
    tracemalloc.stop()

    largest = max(data, key=lambda d: len(d[2]))
    inv = build_inventory(*largest[:3], largest[3], as_of=AS_OF)
    renders: dict[str, dict[str, float]] = {}
    for fmt in ("json", "md", "html", "xlsx", "docx"):
        t = time.perf_counter()
        out = render_inventory(inv, fmt)
        renders[fmt] = {"ms": round((time.perf_counter() - t) * 1000, 1), "kb": round(len(out) / 1024, 1)}

    sizes = [len(d[2]) for d in data]
    per = {"p50": pct(times, 0.5) * 1000, "p95": pct(times, 0.95) * 1000, "max": max(times) * 1000}
    peak = {"p50": pct(peaks, 0.5), "p95": pct(peaks, 0.95), "max": max(peaks)}
    print(f"Synthetic registry: {args.apps:,} applications, {args.pemda} Pemdas ({min(sizes)}–{max(sizes)} apps each, "
          f"median {int(pct(sizes, 0.5))}), {n_runs:,} assessment runs; generated in {gen_s:.1f} s\n")
    print(f"{'':34}{'p50':>10}{'p95':>10}{'max':>10}")
    print(f"{'build per Pemda (ms)':34}{per['p50']:>10.1f}{per['p95']:>10.1f}{per['max']:>10.1f}")
    print(f"{'peak allocation per build (MiB)':34}{peak['p50']:>10.2f}{peak['p95']:>10.2f}{peak['max']:>10.2f}")
    print(f"\nAll {args.pemda} Pemdas: {total_s:.2f} s ({args.apps / total_s:,.0f} applications/s), {gaps:,} gaps, "
          f"{programs:,} roadmap programs; process max RSS {rss_after_builds:.0f} MiB (inputs + runs included)")
    print(f"\nRender the largest Pemda ({len(largest[2])} apps, {len(largest[3])} runs, {inv.totals.gaps} gaps):")
    for fmt, r in renders.items():
        print(f"  {fmt:6}{r['ms']:>9.1f} ms {r['kb']:>9.1f} KiB")
    print(json.dumps({
        "apps": args.apps, "pemda": args.pemda, "runs": n_runs, "assessed_share": args.assessed,
        "total_s": round(total_s, 2), "apps_per_s": round(args.apps / total_s),
        "per_pemda_ms_p50": round(per["p50"], 1), "per_pemda_ms_p95": round(per["p95"], 1),
        "per_pemda_ms_max": round(per["max"], 1), "peak_mib_p50": round(peak["p50"], 2),
        "peak_mib_p95": round(peak["p95"], 2), "peak_mib_max": round(peak["max"], 2),
        "max_rss_mib": round(rss_after_builds), "gaps": gaps, "programs": programs,
        "largest_pemda_apps": len(largest[2]), "render_ms": {k: v["ms"] for k, v in renders.items()},
        "render_kib": {k: v["kb"] for k, v in renders.items()}, "generate_s": round(gen_s, 1),
        "python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine()}))


if __name__ == "__main__":
    main()
