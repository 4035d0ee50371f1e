"""Validator benchmark: Simpul vs plain python-jsonschema on the same documents.

    .venv/bin/python bench/validate.py [--valid 2000] [--invalid 1000] [--repeat 3]

For kepegawaian/pegawai, penganggaran/rincian_belanja and perencanaan/sub_kegiatan it generates, deterministically,
realistic valid documents (consistent NIP/birth date/sex, totals = volume × price, …) and invalid ones (the
mistakes vendors make: DD-MM-YYYY dates, "Rp 1.500.000" amounts, a NIP with spaces, lower-case codes, a typo in a
field name, a missing required field, a BPS region code). Then it times, on exactly those documents:

* plain   — ``jsonschema.Draft202012Validator(schema, registry=…, format_checker=FormatChecker())`` and
            ``list(iter_errors(doc))``, as a vendor would write it;
* simpul  — ``validate_documents(…, rules=False)``: the full report (fast path, detailed messages for the
            invalid ones, groups, masking);
* simpul+rules — the same with business rules and code lists.

It checks that Simpul (rules off) and plain jsonschema give the same schema verdict on every document, prints a
table, and as the last line one JSON object with the figures. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import platform
import random
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jsonschema import Draft202012Validator, FormatChecker

from hub.logging import configure_logging
from hub.validation.store import get_store
from hub.validation.validator import validate_documents

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


def generate(key: str, valid: int, invalid: int) -> tuple[list[Any], list[Any]]:
    rng = random.Random(f"{SEED}:{key}")
    good = [GENERATORS[key](rng, i) for i in range(valid)]
    bad = []
    for i in range(invalid):
        doc = copy.deepcopy(good[i % len(good)])
        for mutate in rng.sample(MUTATIONS[key], k=rng.choice([1, 1, 2])):
            with contextlib.suppress(KeyError):  # the first mutation removed what the second one changes
                mutate(doc, rng)
        bad.append(doc)
    return good, bad


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--valid", type=int, default=2000, help="valid documents per schema")
    parser.add_argument("--invalid", type=int, default=1000, help="invalid documents per schema")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best is kept)")
    args = parser.parse_args()
    configure_logging("ERROR", "console")

    store = get_store()
    totals = {k: {"docs": 0, "seconds": 0.0} for k in
              ("plain_valid", "plain_invalid", "simpul_valid", "simpul_invalid", "rules_valid", "rules_invalid")}
    rows, mismatches, generated_wrong = [], 0, 0
    for key in GENERATORS:
        entry = store.get(key)
        good, bad = generate(key, args.valid, args.invalid)
        plain = Draft202012Validator(entry.schema, registry=store.py_registry, format_checker=FormatChecker())
        validate_documents(entry, good[:5] + bad[:5], rules=True)  # warm up: compile validators, load rules
        figures: dict[str, float] = {}
        verdicts: dict[str, list[bool]] = {}
        for label, docs in (("valid", good), ("invalid", bad)):
            t_plain, plain_verdicts = best_of(args.repeat, lambda docs=docs, plain=plain: [
                not list(plain.iter_errors(d)) for d in docs])
            t_simpul, report = best_of(args.repeat, lambda docs=docs, entry=entry: validate_documents(
                entry, docs, rules=False))
            t_rules, _ = best_of(args.repeat, lambda docs=docs, entry=entry: validate_documents(
                entry, docs, rules=True))
            simpul_verdicts = [d.valid for d in report.documents]
            mismatches += sum(a != b for a, b in zip(plain_verdicts, simpul_verdicts, strict=True))
            expected = label == "valid"
            generated_wrong += sum(v != expected for v in simpul_verdicts)
            verdicts[label] = simpul_verdicts
            for name, seconds in (("plain", t_plain), ("simpul", t_simpul), ("rules", t_rules)):
                figures[f"{name}_{label}"] = len(docs) / seconds
                totals[f"{name}_{label}"]["docs"] += len(docs)
                totals[f"{name}_{label}"]["seconds"] += seconds
        rows.append((key, figures))

    def rate(name: str) -> float:
        return totals[name]["docs"] / totals[name]["seconds"]

    summary = {
        "schemas": list(GENERATORS), "valid_documents": args.valid * len(GENERATORS),
        "invalid_documents": args.invalid * len(GENERATORS),
        "plain_valid_docs_per_s": round(rate("plain_valid")), "plain_invalid_docs_per_s": round(rate("plain_invalid")),
        "simpul_valid_docs_per_s": round(rate("simpul_valid")),
        "simpul_invalid_docs_per_s": round(rate("simpul_invalid")),
        "simpul_rules_valid_docs_per_s": round(rate("rules_valid")),
        "simpul_rules_invalid_docs_per_s": round(rate("rules_invalid")),
        "speedup_valid": round(rate("simpul_valid") / rate("plain_valid"), 1),
        "speedup_invalid": round(rate("simpul_invalid") / rate("plain_invalid"), 2),
        "verdict_mismatches": mismatches, "generator_surprises": generated_wrong,
        "target_speedup_valid": 10, "python": platform.python_version(), "cpus": os.cpu_count(),
        "machine": platform.machine(),
    }
    header = f"{'schema':<30} {'docs':>8} {'plain/s':>10} {'simpul/s':>10} {'speed-up':>9} {'+rules/s':>10}"
    print(header)
    print("-" * len(header))
    for key, f in rows:
        for label, n in (("valid", args.valid), ("invalid", args.invalid)):
            print(f"{key:<30} {n:>6} {label[0]} {f[f'plain_{label}']:>10,.0f} {f[f'simpul_{label}']:>10,.0f} "
                  f"{f[f'simpul_{label}'] / f[f'plain_{label}']:>8.1f}× {f[f'rules_{label}']:>10,.0f}")
    print("-" * len(header))
    print(f"{'all (valid)':<30} {summary['valid_documents']:>8} {summary['plain_valid_docs_per_s']:>10,} "
          f"{summary['simpul_valid_docs_per_s']:>10,} {summary['speedup_valid']:>8}× "
          f"{summary['simpul_rules_valid_docs_per_s']:>10,}")
    print(f"{'all (invalid)':<30} {summary['invalid_documents']:>8} {summary['plain_invalid_docs_per_s']:>10,} "
          f"{summary['simpul_invalid_docs_per_s']:>10,} {summary['speedup_invalid']:>8}× "
          f"{summary['simpul_rules_invalid_docs_per_s']:>10,}")
    print(f"same schema verdict as plain jsonschema on every document: {'yes' if mismatches == 0 else 'NO'} "
          f"({mismatches} mismatches); generated documents with an unexpected verdict: {generated_wrong}")
    print(f"target: ≥ {summary['target_speedup_valid']}× plain jsonschema on valid documents — "
          f"{'met' if summary['speedup_valid'] >= 10 else 'NOT met'}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
