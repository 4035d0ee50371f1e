"""A provincial Simpul pulling N kabupaten/kota Simpuls: seconds per pull, first (everything new) and again
(nothing changed: no run detail fetched again).

    .venv/bin/python bench/federation.py [--members 1,2,4] [--apps 40]

Each member is a real Simpul API (``create_app`` over its own SQLite registry with ``--apps`` applications, each
with two stored runs), served by uvicorn on a loopback port in a thread of this process; the province pulls them
through the network policy with a ``federation`` key, up to four members at once. Everything shares one Python
process (members and province compete for the GIL) and this 2-core machine. Prints a table, then as the last line
one JSON object with the figures. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

AREAS = ("perencanaan", "keuangan", "kepegawaian", "pelayanan_publik")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", default="1,2,4")
    parser.add_argument("--apps", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    counts = [int(n) for n in args.members.split(",")]
    folder = Path(tempfile.mkdtemp(prefix="simpul-bench-fed-"))
    os.environ["SIMPUL_DATABASE_URL"] = f"sqlite:///{folder / 'provinsi.db'}"
    os.environ["SIMPUL_OUTPUT_DIR"] = str(folder / "out")
    os.environ.setdefault("SIMPUL_LOG_LEVEL", "WARNING")

    from hub.services.federation import FederationService, KeyRef, MemberIn
    from hub.services.registry_access import Principal
    from registry.db import Database, upgrade
    from tests.hub.federation.kit import KotaSpec, kota_sites

    specs = [KotaSpec(f"35.{71 + i:02d}", f"Kota Uji {i + 1}", "kota",
                      {f"app-{j:03d}": (AREAS[j % len(AREAS)], 50.0 + j % 50, 1 + j % 5) for j in range(args.apps)})
             for i in range(max(counts))]
    results = []
    with kota_sites(folder, specs) as sites:
        for n in counts:
            url = f"sqlite:///{folder / f'provinsi-{n}.db'}"
            upgrade(url)
            db = Database(url)
            service = FederationService(db, Principal.cli())
            for site in sites[:n]:
                env = f"SIMPUL_FED_{site.spec.kode.replace('.', '')}_KEY"
                os.environ[env] = site.token
                service.add(MemberIn(name=site.spec.name, kode_pemda=site.spec.kode, base_url=site.url,
                                     key=KeyRef(env=env)))
            first, again = [], []
            for _ in range(args.repeat):
                with db.session() as s:  # forget the copies: the next pull fetches everything
                    from registry.tables_federation import FederationRunRow

                    s.query(FederationRunRow).delete()
                started = time.perf_counter()
                pulled = asyncio.run(service.pull())
                first.append(time.perf_counter() - started)
                if not all(p.ok for p in pulled):
                    raise SystemExit(f"a pull failed: {[p.error for p in pulled if not p.ok]}")
                started = time.perf_counter()
                asyncio.run(service.pull())
                again.append(time.perf_counter() - started)
            apps = n * args.apps
            row = {"members": n, "applications": apps, "first_s": round(statistics.median(first), 3),
                   "again_s": round(statistics.median(again), 3),
                   "apps_per_s_first": round(apps / statistics.median(first), 1)}
            results.append(row)
            print(f"{n} members, {apps} applications: first pull {row['first_s']} s "
                  f"({row['apps_per_s_first']} apps/s), again {row['again_s']} s", flush=True)
            db.dispose()
    print(json.dumps({"bench": "federation_pull", "apps_per_member": args.apps, "results": results}))


if __name__ == "__main__":
    main()
