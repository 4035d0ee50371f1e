"""Registry at national scale: import a synthetic registry (30,000 applications across 550 Pemdas) into SQLite and
PostgreSQL, then measure list/filter latency (p50/p95/p99) through the registry service.

    .venv/bin/python bench/registry.py                       # SQLite; PostgreSQL too if SIMPUL_TEST_POSTGRES_URL
    .venv/bin/python bench/registry.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/registry.py --apps 3000 --pemda 55 --queries 50     # quick look

Import goes through the real importer (CSV, what OPDs send): parse, validate every row, check references, write
rows and their change history in one transaction. A readable table is printed; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]  # this file is named like the package
sys.path.insert(0, str(HERE.parent))

from hub.services.registry import RegistryService  # noqa: E402
from hub.services.registry_access import Principal  # noqa: E402
from registry.db import Database  # noqa: E402
from registry.io import import_batch, read  # noqa: E402
from registry.io.formats import columns_of  # noqa: E402
from registry.repository import ApplicationFilter  # noqa: E402
from registry.testing import PostgresSchema  # noqa: E402
from registry.vocab import vocab  # noqa: E402

AREAS = vocab("area").codes
STATUSES = ["production"] * 6 + ["development", "planned", "retired"]
HOSTING = ["diskominfo_dc", "diskominfo_dc", "opd_server", "cloud", "vendor_hosted", "national"]
OPD_CODES = ["1.01.0.00.0.00.01.0000", "1.02.0.00.0.00.01.0000", "1.03.0.00.0.00.01.0000",
             "2.12.0.00.0.00.01.0000", "2.16.2.20.2.21.01.0000", "2.18.0.00.0.00.01.0000",
             "4.01.0.00.0.00.01.0000", "4.01.0.00.0.00.01.0003", "5.01.5.05.0.00.01.0000",
             "5.02.0.00.0.00.01.0000", "5.02.0.00.0.00.02.0000", "5.03.5.04.0.00.01.0000",
             "6.01.0.00.0.00.01.0000", "2.11.0.00.0.00.01.0000", "1.06.0.00.0.00.01.0000",
             "2.07.0.00.0.00.01.0000", "3.27.0.00.0.00.01.0000", "2.09.0.00.0.00.01.0000",
             "1.04.2.10.0.00.01.0000", "3.30.3.31.0.00.01.0000"]
WORDS = ["sistem", "informasi", "layanan", "perizinan", "kepegawaian", "anggaran", "perencanaan", "monitoring",
         "aset", "pajak", "arsip", "surat", "kesehatan", "pendidikan", "sosial", "data", "portal", "pengaduan"]


def synthetic(n_apps: int, n_pemda: int, seed: int = 7) -> dict[str, bytes]:
    """CSV files (pemda, opd, applications) of a national-scale registry."""
    rng = random.Random(seed)
    pemda_rows, opd_rows, app_rows = [], [], []
    provinces = [f"{p:02d}" for p in range(11, 95)][:38]
    codes: list[tuple[str, str, str]] = [(p, f"Provinsi {p}", "provinsi") for p in provinces]
    i = 0
    while len(codes) < n_pemda:
        prov = provinces[i % len(provinces)]
        number = 1 + (i // len(provinces))
        kota = number > 25
        codes.append((f"{prov}.{(70 + number - 25) if kota else number:02d}",
                      f"{'Kota' if kota else 'Kabupaten'} {prov}-{number}", "kota" if kota else "kabupaten"))
        i += 1
    codes = codes[:n_pemda]
    for kode, name, level in codes:
        pemda_rows.append([kode, name, level])
        for c in OPD_CODES:
            opd_rows.append([kode, c, f"OPD {c} {name}", ""])
    cols = columns_of("applications")
    for n in range(n_apps):
        kode = codes[n % len(codes)][0]
        area = rng.choice(AREAS)
        words = rng.sample(WORDS, 3)
        row = dict.fromkeys(cols, "")
        row.update({
            "id": f"app-{kode.replace('.', '-')}-{n}", "name": f"SI {words[0].title()} {words[1]} {n}",
            "description": f"Aplikasi {' '.join(words)} untuk {area}", "status": rng.choice(STATUSES),
            "kode_pemda": kode, "kode_opd": rng.choice(OPD_CODES), "area": area,
            "kind": "umum" if rng.random() < 0.25 else "khusus", "software_category": "special",
            "hosting.type": rng.choice(HOSTING), "hosting.base_urls": f"https://app{n}.example.go.id",
            "supplier.vendor": f"PT Vendor {rng.randint(1, 400)}",
            "supplier.source_code_held": rng.choice(["ya", "tidak", ""]),
            "sla.availability_pct": str(rng.choice([95, 98, 99, 99.5])), "users_count": str(rng.randint(5, 20000)),
            "tags": "; ".join(rng.sample(WORDS, 2)),
            "smart_city_dimensions": "governance",
        })
        if rng.random() < 0.3:
            row["integration.connector.type"] = "rest_json"
            row["integration.connector.config"] = json.dumps({"base_url": f"https://app{n}.example.go.id/api"})
        app_rows.append([row[c] for c in cols])
    return {"pemda": _csv(columns_of("pemda"), pemda_rows), "opd": _csv(columns_of("opd"), opd_rows),
            "applications": _csv(cols, app_rows)}


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(url: str, files: dict[str, bytes], n_queries: int, seed: int = 11) -> dict[str, Any]:
    db = Database(url)
    db.ensure_schema()
    timings: dict[str, float] = {}
    started = time.perf_counter()
    for entity in ("pemda", "opd", "applications"):
        t0 = time.perf_counter()
        batch = read(files[entity], "csv", f"{entity}.csv")
        with db.session() as s:
            report = import_batch(s, batch, "bench")
        if not report.valid:
            raise SystemExit(f"bench data invalid: {report.errors[:3]}")
        timings[f"import_{entity}_s"] = time.perf_counter() - t0
    timings["import_total_s"] = time.perf_counter() - started
    t0 = time.perf_counter()
    with db.session() as s:
        again = import_batch(s, read(files["applications"], "csv", "applications.csv"), "bench", dry_run=True)
    timings["reimport_dry_run_s"] = time.perf_counter() - t0
    assert again.counts["applications"]["unchanged"] > 0

    service = RegistryService(db, Principal(actor="bench", role="admin", name="bench"), require_if_match=False)
    rng = random.Random(seed)
    pemdas = sorted({row.split(",")[0] for row in files["pemda"].decode().splitlines()[1:]})
    queries: dict[str, Any] = {
        "list_first_page": lambda: service.list_applications(limit=50),
        "filter_pemda": lambda: service.list_applications(ApplicationFilter(kode_pemda=rng.choice(pemdas)), limit=50),
        "filter_area_status": lambda: service.list_applications(
            ApplicationFilter(area=[rng.choice(AREAS)], status=["production"]), limit=50),
        "filter_pemda_opd_kind": lambda: service.list_applications(ApplicationFilter(
            kode_pemda=rng.choice(pemdas), kode_opd=rng.choice(OPD_CODES), kind=["khusus"]), limit=50),
        "free_text": lambda: service.list_applications(ApplicationFilter(q=rng.choice(WORDS)), limit=50),
        "hosting_no_connector": lambda: service.list_applications(
            ApplicationFilter(hosting=["vendor_hosted"], connector="none"), limit=50),
        "get_one": lambda: service.get_application(f"app-{pemdas[0].replace('.', '-')}-0"),
    }
    # deep pages: follow cursors through the whole list sorted by -updated_at
    latencies: dict[str, list[float]] = {name: [] for name in [*queries, "next_page_cursor"]}
    for name, query in queries.items():
        query()  # warm-up
        for _ in range(n_queries):
            t0 = time.perf_counter()
            query()
            latencies[name].append((time.perf_counter() - t0) * 1000)
    cursor = None
    for _ in range(n_queries):
        t0 = time.perf_counter()
        page = service.list_applications(sort="-updated_at", limit=50, cursor=cursor)
        latencies["next_page_cursor"].append((time.perf_counter() - t0) * 1000)
        cursor = page.next_cursor
    total = service.count_applications()
    db.dispose()
    return {"applications": total, **{k: round(v, 2) for k, v in timings.items()},
            "rows_per_s": round(total / timings["import_applications_s"]),
            "latency_ms": {name: {"p50": round(pct(v, 0.5), 2), "p95": round(pct(v, 0.95), 2),
                                  "p99": round(pct(v, 0.99), 2)} for name, v in latencies.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--apps", type=int, default=30_000)
    parser.add_argument("--pemda", type=int, default=550)
    parser.add_argument("--queries", type=int, default=100, help="Repetitions of each query")
    parser.add_argument("--postgres", default=os.environ.get("SIMPUL_TEST_POSTGRES_URL"),
                        help="PostgreSQL URL (default: SIMPUL_TEST_POSTGRES_URL); a temporary schema is used")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()

    t0 = time.perf_counter()
    files = synthetic(args.apps, args.pemda)
    results: dict[str, Any] = {"bench": "registry", "apps": args.apps, "pemda": args.pemda,
                               "opd": args.pemda * len(OPD_CODES), "queries_each": args.queries,
                               "generate_s": round(time.perf_counter() - t0, 2),
                               "python": platform.python_version(), "cpus": os.cpu_count(), "backends": {}}
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            results["backends"]["sqlite"] = run(f"sqlite:///{tmp}/bench.db", files, args.queries)
    if args.postgres:
        schema = PostgresSchema(args.postgres)
        try:
            results["backends"]["postgresql"] = run(schema.url, files, args.queries)
        finally:
            schema.drop()

    print(f"Registry bench: {args.apps} applications, {args.pemda} Pemda, {results['opd']} OPD; "
          f"{args.queries} runs per query (Python {results['python']}, {results['cpus']} CPU)")
    for backend, r in results["backends"].items():
        print(f"\n[{backend}] import: pemda {r['import_pemda_s']} s, opd {r['import_opd_s']} s, applications "
              f"{r['import_applications_s']} s ({r['rows_per_s']} rows/s); total {r['import_total_s']} s; "
              f"dry-run re-import {r['reimport_dry_run_s']} s")
        print(f"  {'query (limit 50)':<24}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
        for name, lat in r["latency_ms"].items():
            print(f"  {name:<24}{lat['p50']:>10}{lat['p95']:>10}{lat['p99']:>10}")
    print(json.dumps(results, separators=(",", ":")))


if __name__ == "__main__":
    main()
