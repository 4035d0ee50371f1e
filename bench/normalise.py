"""Normalisation benchmark: what `simpul validate --normalise` adds to a validation.

    .venv/bin/python bench/normalise.py [--documents 5000]

On kepegawaian/pegawai 1.1 it times, on the same documents: the normaliser on documents in display form (spaced
NIP, DD-MM-YYYY and DD/MM/YYYY dates, undotted OPD code: four rewrites each), the normaliser on documents already
in normal form (nothing to rewrite, nothing copied), and validation with rules of the normal documents. The last
line is one JSON object with the figures (documents per second).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hub.validation import normalise
from hub.validation.store import get_store
from hub.validation.validator import validate_documents

EXAMPLE = Path(__file__).resolve().parents[1] / "schemas/kepegawaian/pegawai/examples/valid/jatim_pns_struktural.json"


def rate(count: int, seconds: float) -> int:
    return round(count / seconds) if seconds > 0 else 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=5000)
    args = parser.parse_args()
    store = get_store()
    entry = store.get("kepegawaian/pegawai")
    normal = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    display = {**normal, "nip": "19720412 199803 1 003", "tanggal_lahir": "12-04-1972",
               "tmt_golongan": "01/10/2016", "unit_kerja": {**normal["unit_kerja"], "kode_opd": "501000000010000"}}
    slots = normalise.slots(store.resolved(entry))
    n = args.documents
    start = time.perf_counter()
    for _ in range(n):
        _, changes = normalise.normalise_document(display, slots)
    rewrite = time.perf_counter() - start
    if len(changes) != 4:
        raise SystemExit(f"expected 4 rewrites per document, got {len(changes)}")
    start = time.perf_counter()
    for _ in range(n):
        normalise.normalise_document(normal, slots)
    untouched = time.perf_counter() - start
    start = time.perf_counter()
    report = validate_documents(entry, [normal] * n, store=store)
    validate = time.perf_counter() - start
    if not report.valid:
        raise SystemExit("the normal documents must be valid")
    print(f"normalise (4 rewrites/doc): {rate(n, rewrite):>8} docs/s")
    print(f"normalise (already normal): {rate(n, untouched):>8} docs/s")
    print(f"validate with rules:        {rate(n, validate):>8} docs/s")
    print(json.dumps({"bench": "normalise", "documents": n, "normalise_display_per_s": rate(n, rewrite),
                      "normalise_normal_per_s": rate(n, untouched), "validate_per_s": rate(n, validate)}))


if __name__ == "__main__":
    main()
