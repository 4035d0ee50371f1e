"""Validator benchmark: Simpul vs plain python-jsonschema vs raw jsonschema-rs on the same documents.

    .venv/bin/python bench/validate.py [--valid 2000] [--invalid 1000] [--repeat 3] [--memory-lines 100000]
                                       [--memory-formats text,json]

For kepegawaian/pegawai, penganggaran/rincian_belanja and perencanaan/sub_kegiatan it generates, deterministically,
realistic valid documents (consistent NIP/birth date/sex, totals = volume × price, …) and invalid ones (the
mistakes vendors make: DD-MM-YYYY dates, "Rp 1.500.000" amounts, a NIP with spaces, lower-case codes, a typo in a
field name, a missing required field, a BPS region code). Then it times, on exactly those documents:

* plain   — ``jsonschema.Draft202012Validator(schema, registry=…, format_checker=FormatChecker())`` and
            ``list(iter_errors(doc))``, as a vendor would write it;
* rs      — the compiled jsonschema-rs validator alone: ``is_valid(doc)`` for valid documents,
            ``list(iter_errors(doc))`` (errors, no messages) for invalid ones — the floor under Simpul;
* simpul  — ``validate_documents(…, rules=False)``: the full report (fast path, detailed messages for the
            invalid ones, groups, masking);
* simpul+rules — the same with business rules and code lists;
* simpul, second upload — the invalid documents explained once (not timed), then as many other invalid documents
            (another seed) validated with the process's memo of explained errors kept: a running hub's next upload;
* simpul built — ``validate_documents(…, rules=False).documents``: the same, every listed document built as a
            pydantic ``DocumentResult`` (a report keeps valid documents compact until someone reads ``documents``;
            the JSON writer of ``simpul validate`` never builds them).

It checks that Simpul (rules off) and plain jsonschema give the same schema verdict on every document and that the
messages Simpul builds from jsonschema-rs's errors (memo and templates on) equal those built from python-jsonschema's
with every message rendered in full (both uploads), then measures the
peak RSS of ``simpul validate`` (a child process) on a generated NDJSON file of ``--memory-lines`` lines. It prints
a table and, as the last line, one JSON object with the figures. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import gc
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jsonschema import Draft202012Validator, FormatChecker

from hub.logging import configure_logging
from hub.validation import engine, messages
from hub.validation.store import get_store
from hub.validation.validator import EXPLAINED, DocumentValidator, validate_documents

SEED = 20261122
NAMES = ["Budi Santoso", "Siti Aminah", "Ahmad Fauzi", "Dewi Lestari", "Rudi Hartono", "Sri Wahyuni", "Agus Salim",
         "Rina Kartika", "Hendra Wijaya", "Nur Hidayah", "Joko Susilo", "Ratna Sari", "Bambang Irawan", "Yuli Astuti"]
PLACES = ["Blitar", "Banyuwangi", "Surabaya", "Malang", "Kediri", "Jember", "Madiun"]
UNITS = [("1.01.0.00.0.00.01.0000", "Dinas Pendidikan"), ("1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
         ("2.16.2.20.2.21.01.0000", "Dinas Komunikasi, Informatika dan Persandian"),
         ("1.03.0.00.0.00.01.0000", "Dinas Pekerjaan Umum dan Penataan Ruang")]
JABATAN = [("Pranata Komputer Ahli Muda", "fungsional_tertentu", "non_eselon"),
           ("Kepala Bidang Aplikasi Informatika", "struktural", "III.b"),
           ("Pengadministrasi Umum", "fungsional_umum", "non_eselon"), ("Guru Ahli Pertama", "fungsional_tertentu",
                                                                         "non_eselon")]
GOL_PNS = ["II/a", "II/c", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b"]
ITEMS = [("5.1.02.01.01.0024", "Belanja Alat Tulis Kantor", "Kertas HVS A4 70 gram", "Rim", 58000),
         ("5.1.02.01.01.0024", "Belanja Alat Tulis Kantor", "Tinta printer 70 ml (hitam)", "Botol", 95000),
         ("5.1.02.01.01.0026", "Belanja Bahan Cetak", "Cetak spanduk 3 x 1 m", "Lembar", 150000),
         ("5.1.02.01.01.0052", "Belanja Makanan dan Minuman Rapat", "Nasi kotak rapat", "Kotak", 35000)]
SUMBER = ["PAD", "DAU", "DBH", "DAK_NONFISIK"]
PEMDA = ["35", "35.10", "35.72"]


def _pegawai(rng: random.Random, i: int) -> dict[str, Any]:
    born = date(1965, 1, 1) + timedelta(days=rng.randrange(365 * 35))
    sex = rng.choice("LP")
    pns = rng.random() < 0.7
    tmt_year = max(born.year + 22, 1990) + rng.randrange(8)
    digit = "1" if sex == "L" else "2"
    if pns:
        nip = f"{born:%Y%m%d}{tmt_year}{rng.randrange(1, 13):02d}{digit}{i % 1000:03d}"
    else:
        nip = f"{born:%Y%m%d}{max(tmt_year, 2019)}2{rng.randrange(1, 3)}{digit}{i % 1000:03d}"
    unit = rng.choice(UNITS)
    jabatan = rng.choice(JABATAN)
    doc: dict[str, Any] = {
        "nip": nip, "jenis_asn": "PNS" if pns else "PPPK", "nama": rng.choice(NAMES),
        "tempat_lahir": rng.choice(PLACES), "tanggal_lahir": born.isoformat(), "jenis_kelamin": sex,
        "jabatan": {"nama": jabatan[0], "jenis_jabatan": jabatan[1], "eselon": jabatan[2]},
        "unit_kerja": {"kode_opd": unit[0], "nama": unit[1]}, "status_kepegawaian": "aktif",
        "kode_pemda": rng.choice(PEMDA), "updated_at": "2025-01-15T08:30:00+07:00",
    }
    if pns:
        doc["golongan_ruang"] = rng.choice(GOL_PNS)
    else:
        doc["golongan_pppk"] = rng.choice(["V", "VII", "IX", "X"])
    if rng.random() < 0.5:
        day = born.day + (40 if sex == "P" else 0)
        doc["nik"] = f"3510{rng.randrange(1, 25):02d}{day:02d}{born:%m%y}{rng.randrange(1, 9999):04d}"
    return doc


def _rincian(rng: random.Random, i: int) -> dict[str, Any]:
    rekening, nama_rekening, uraian, satuan, harga = rng.choice(ITEMS)
    volume = rng.randrange(1, 200)
    return {
        "id_rincian": f"RKA-2025-35.72-KOMINFO-{i:06d}", "tahun_anggaran": 2025, "kode_pemda": "35.72",
        "kode_opd": "2.16.2.20.2.21.01.0000", "kode_sub_kegiatan": "X.XX.01.2.06.0004",
        "kode_rekening": rekening, "nama_rekening": nama_rekening, "uraian": uraian,
        "koefisien": f"{volume} {satuan}", "volume": volume, "satuan": satuan, "harga_satuan": harga,
        "total": volume * harga, "sumber_dana": rng.choice(SUMBER), "updated_at": "2024-12-10T08:45:00+07:00",
    }


def _sub_kegiatan(rng: random.Random, i: int) -> dict[str, Any]:
    return {
        "tahun_anggaran": 2025, "kode_pemda": "35.72", "kode_sub_kegiatan": f"X.XX.01.2.06.{1 + i % 9:04d}",
        "nama_sub_kegiatan": "Penyediaan Peralatan dan Perlengkapan Kantor", "kode_kegiatan": "X.XX.01.2.06",
        "kode_program": "X.XX.01", "kode_opd": "2.16.2.20.2.21.01.0000",
        "nama_opd": "Dinas Komunikasi, Informatika dan Persandian",
        "indikator": [{"uraian": "Jumlah paket peralatan kantor yang disediakan", "target": rng.randrange(1, 50),
                       "satuan": "paket"}],
        "pagu_indikatif": rng.randrange(10, 900) * 1_000_000, "lokasi": [{"kode_wilayah": "35.72"}],
        "sumber_dana": rng.choice(SUMBER),
    }


def _ddmmyyyy(value: str) -> str:
    y, m, d = value.split("-")
    return f"{d}-{m}-{y}"


MUTATIONS: dict[str, list[Callable[[dict[str, Any], random.Random], None]]] = {
    "kepegawaian/pegawai": [
        lambda d, r: d.update(tanggal_lahir=_ddmmyyyy(d["tanggal_lahir"])),
        lambda d, r: d.update(nip=f"{d['nip'][:8]} {d['nip'][8:14]} {d['nip'][14]} {d['nip'][15:]}"),
        lambda d, r: d.update(jenis_asn=d["jenis_asn"].lower()),
        lambda d, r: d.pop("jabatan"),
        lambda d, r: d.update(unitkerja=d.pop("unit_kerja")),
        lambda d, r: d.update(kode_pemda="3572"),
        lambda d, r: d["jabatan"].update(jenis_jabatan="Fungsional Tertentu"),
        lambda d, r: d.update(jenis_kelamin="Laki-laki"),
    ],
    "penganggaran/rincian_belanja": [
        lambda d, r: d.update(harga_satuan=f"Rp {d['harga_satuan']:,}".replace(",", ".")),
        lambda d, r: d.update(tahun_anggaran=str(d["tahun_anggaran"])),
        lambda d, r: d.pop("sumber_dana"),
        lambda d, r: d.update(kode_rekening="5.1.02.01.001.00024"),
        lambda d, r: d.update(total=d["total"] + 0.5),
        lambda d, r: d.update(volume="12 OB"),
    ],
    "perencanaan/sub_kegiatan": [
        lambda d, r: d.update(kode_sub_kegiatan="1.02.02.2.01.09"),
        lambda d, r: d.update(pagu_indikatif=f"Rp {d['pagu_indikatif']:,}".replace(",", ".")),
        lambda d, r: d["indikator"][0].update(target=f"{d['indikator'][0]['target']}%"),
        lambda d, r: d.pop("indikator"),
        lambda d, r: d["lokasi"][0].update(kode_wilayah="357202"),
    ],
}
GENERATORS = {"kepegawaian/pegawai": _pegawai, "penganggaran/rincian_belanja": _rincian,
              "perencanaan/sub_kegiatan": _sub_kegiatan}


def generate(key: str, valid: int, invalid: int, seed: int = SEED) -> tuple[list[Any], list[Any]]:
    rng = random.Random(f"{seed}:{key}")
    good = [GENERATORS[key](rng, i) for i in range(valid)]
    bad = []
    for i in range(invalid):
        doc = copy.deepcopy(good[i % len(good)])
        for mutate in rng.sample(MUTATIONS[key], k=rng.choice([1, 1, 2])):
            with contextlib.suppress(KeyError):  # the first mutation removed what the second one changes
                mutate(doc, rng)
        bad.append(doc)
    return good, bad


def best_of(repeat: int, run: Callable[[], Any], before: Callable[[], Any] = lambda: None) -> tuple[float, Any]:
    """Best CPU time of ``repeat`` runs (CPU, not wall: the machine is shared, and each run is one thread)."""
    best, result = float("inf"), None
    for _ in range(repeat):
        result = None
        before()
        gc.collect()
        gc.freeze()  # what exists (the generated documents) stays out of the collector's view, for every contender
        started = time.process_time()
        result = run()
        best = min(best, time.process_time() - started)
        gc.unfreeze()
    return best, result


def _issues(checker: DocumentValidator, doc: Any, engine: str) -> list[dict[str, Any]]:
    return [i.model_dump() for i in checker.schema_issues(doc, engine_=engine)]


def _reference_issues(checker: DocumentValidator, doc: Any) -> list[dict[str, Any]]:
    """python-jsonschema's errors, every message rendered in full (no template filled, nothing remembered)."""
    messages.TEMPLATES = False
    try:
        return _issues(checker, doc, "py")
    finally:
        messages.TEMPLATES = True


def peak_memory(lines: int, fmt: str) -> float:
    """Peak RSS (MB) of ``simpul validate kepegawaian/pegawai FILE --format FMT -o …`` on ``lines`` NDJSON lines."""
    good, bad = generate("kepegawaian/pegawai", lines - lines // 10, lines // 10)
    docs = good + bad
    random.Random(SEED).shuffle(docs)
    with tempfile.TemporaryDirectory() as folder:
        data, out = Path(folder) / "pegawai.ndjson", Path(folder) / f"report.{fmt}"
        with data.open("w", encoding="utf-8") as handle:
            for doc in docs:
                handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
        del docs, good, bad
        child = subprocess.Popen([sys.executable, "-m", "hub.cli", "validate", "kepegawaian/pegawai", str(data),
                                  "--format", fmt, "-o", str(out)], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(child.pid, 0)
        child.returncode = 1
    return round(usage.ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--valid", type=int, default=2000, help="valid documents per schema")
    parser.add_argument("--invalid", type=int, default=1000, help="invalid documents per schema")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best is kept)")
    parser.add_argument("--memory-lines", type=int, default=100_000,
                        help="NDJSON lines for the peak-memory run of `simpul validate` (0: skip)")
    parser.add_argument("--memory-formats", default="text",
                        help="report formats of the memory runs, comma-separated (text, json, junit, sarif)")
    args = parser.parse_args()
    configure_logging("ERROR", "console")

    store = get_store()
    names = ("plain", "rs", "simpul", "rules", "built", "warm")
    totals = {f"{n}_{label}": {"docs": 0, "seconds": 0.0} for n in names for label in ("valid", "invalid")}
    rows, mismatches, generated_wrong, message_mismatches, fallbacks = [], 0, 0, 0, 0
    prepared = []
    for key in GENERATORS:
        entry = store.get(key)
        good, bad = generate(key, args.valid, args.invalid)
        _, later = generate(key, args.valid, args.invalid, SEED + 1)  # another vendor's upload, new values
        validate_documents(entry, good[:5] + bad[:5], rules=True)  # warm up: compile validators, load rules
        prepared.append((key, entry, good, bad, later))
    for key, entry, good, bad, later in prepared:
        plain = Draft202012Validator(entry.schema, registry=store.py_registry, format_checker=FormatChecker())
        raw = store.rs_validator(entry)
        checker = DocumentValidator(entry, store, rules=False)
        figures: dict[str, float] = {}
        for label, docs in (("valid", good), ("invalid", bad)):
            t_plain, plain_verdicts = best_of(args.repeat, lambda docs=docs, plain=plain: [
                not list(plain.iter_errors(d)) for d in docs])
            if label == "valid":  # a valid document: jsonschema-rs's verdict is all there is to know
                t_rs, _ = best_of(args.repeat, lambda docs=docs, raw=raw: [raw.is_valid(d) for d in docs])
            else:  # an invalid one: its errors, without any message
                t_rs, _ = best_of(args.repeat, lambda docs=docs, raw=raw: [list(raw.iter_errors(d)) for d in docs])
            # every Simpul run starts with no explained error remembered: only repeats inside the batch help
            cold = EXPLAINED.clear
            t_simpul, report = best_of(args.repeat, lambda docs=docs, entry=entry: validate_documents(
                entry, docs, rules=False), cold)
            t_rules, _ = best_of(args.repeat, lambda docs=docs, entry=entry: validate_documents(
                entry, docs, rules=True), cold)
            t_built, _ = best_of(args.repeat, lambda docs=docs, entry=entry: validate_documents(
                entry, docs, rules=False).documents, cold)
            t_warm = float("nan")
            if label == "invalid":  # a hub that explained one upload (not timed), then a new one with new values
                t_warm, _ = best_of(args.repeat, lambda later=later, entry=entry: validate_documents(
                    entry, later, rules=False), lambda docs=docs, entry=entry: (
                    EXPLAINED.clear(), validate_documents(entry, docs, rules=False)))
            simpul_verdicts = [d.valid for d in report.documents]
            mismatches += sum(a != b for a, b in zip(plain_verdicts, simpul_verdicts, strict=True))
            expected = label == "valid"
            generated_wrong += sum(v != expected for v in simpul_verdicts)
            if label == "invalid":  # the messages built from jsonschema-rs's errors against python-jsonschema's
                described = engine.rs_described(store, entry)
                for doc in docs + later:  # memo and templates on, against every message rendered in full
                    fallbacks += described.errors(doc) is None
                    message_mismatches += _issues(checker, doc, "rs") != _reference_issues(checker, doc)
            for name, seconds in (("plain", t_plain), ("rs", t_rs), ("simpul", t_simpul), ("rules", t_rules),
                                  ("built", t_built), ("warm", t_warm)):
                if seconds != seconds:  # not measured for this label
                    continue
                figures[f"{name}_{label}"] = len(docs) / seconds
                totals[f"{name}_{label}"]["docs"] += len(docs)
                totals[f"{name}_{label}"]["seconds"] += seconds
        rows.append((key, figures))
    del prepared
    memory = {fmt: peak_memory(args.memory_lines, fmt) for fmt in args.memory_formats.split(",")
              if fmt and args.memory_lines > 0}

    def rate(name: str) -> float:
        return totals[name]["docs"] / totals[name]["seconds"]

    summary = {
        "schemas": list(GENERATORS), "valid_documents": args.valid * len(GENERATORS),
        "invalid_documents": args.invalid * len(GENERATORS), "timing": "best CPU time of each run",
        **{f"{n}_{label}_docs_per_s": round(rate(f"{n}_{label}")) for n in ("plain", "rs", "simpul")
           for label in ("valid", "invalid")},
        "simpul_rules_valid_docs_per_s": round(rate("rules_valid")),
        "simpul_rules_invalid_docs_per_s": round(rate("rules_invalid")),
        "simpul_built_valid_docs_per_s": round(rate("built_valid")),
        "simpul_second_upload_invalid_docs_per_s": round(rate("warm_invalid")),
        "speedup_invalid_second_upload": round(rate("warm_invalid") / rate("plain_invalid"), 2),
        "share_of_rs_valid_built": round(rate("built_valid") / rate("rs_valid"), 2),
        "speedup_valid": round(rate("simpul_valid") / rate("plain_valid"), 1),
        "speedup_invalid": round(rate("simpul_invalid") / rate("plain_invalid"), 2),
        "share_of_rs_valid": round(rate("simpul_valid") / rate("rs_valid"), 2),
        "verdict_mismatches": mismatches, "message_mismatches": message_mismatches,
        "invalid_explained_by_python_jsonschema": fallbacks, "generator_surprises": generated_wrong,
        "memory_lines": args.memory_lines if memory else 0,
        **{f"peak_rss_mb_{fmt}": mb for fmt, mb in memory.items()},
        "targets": {"speedup_invalid": 10, "share_of_rs_valid": 0.33, "simpul_rules_valid_docs_per_s": 50_000,
                    "peak_rss_mb": 300},
        "load_average": round(os.getloadavg()[0], 1), "python": platform.python_version(), "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }
    header = (f"{'schema':<30} {'docs':>8} {'plain/s':>10} {'rs/s':>10} {'simpul/s':>10} {'vs plain':>9} "
              f"{'+rules/s':>10}")
    print(header)
    print("-" * len(header))
    for key, f in rows:
        for label, n in (("valid", args.valid), ("invalid", args.invalid)):
            print(f"{key:<30} {n:>6} {label[0]} {f[f'plain_{label}']:>10,.0f} {f[f'rs_{label}']:>10,.0f} "
                  f"{f[f'simpul_{label}']:>10,.0f} {f[f'simpul_{label}'] / f[f'plain_{label}']:>8.1f}× "
                  f"{f[f'rules_{label}']:>10,.0f}")
    print("-" * len(header))
    for label in ("valid", "invalid"):
        print(f"{'all (' + label + ')':<30} {summary[f'{label}_documents']:>8} "
              f"{summary[f'plain_{label}_docs_per_s']:>10,} {summary[f'rs_{label}_docs_per_s']:>10,} "
              f"{summary[f'simpul_{label}_docs_per_s']:>10,} {summary[f'speedup_{label}']:>8}× "
              f"{summary[f'simpul_rules_{label}_docs_per_s']:>10,}")
    print(f"same schema verdict as plain jsonschema on every document: {'yes' if mismatches == 0 else 'NO'} "
          f"({mismatches} mismatches); same messages from jsonschema-rs as from python-jsonschema: "
          f"{'yes' if message_mismatches == 0 else 'NO'} ({message_mismatches} differ, {fallbacks} explained by "
          f"python-jsonschema); generated documents with an unexpected verdict: {generated_wrong}")
    print(f"invalid documents of a second upload (memo kept from the first, new values): "
          f"{summary['simpul_second_upload_invalid_docs_per_s']:,} docs/s "
          f"({summary['speedup_invalid_second_upload']}× plain)")
    print(f"valid documents with every listed DocumentResult built: {summary['simpul_built_valid_docs_per_s']:,} "
          f"docs/s ({summary['share_of_rs_valid_built']}× raw rs)")
    for fmt, mb in memory.items():
        print(f"peak RSS of simpul validate on {args.memory_lines:,} NDJSON lines (--format {fmt}): {mb} MB")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
