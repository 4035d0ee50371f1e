"""e-Budgeting (BPKAD): rincian belanja (RKA/DPA budget lines) and pendapatan, plus a webhook inbox.

Every budget line refers to a sub-kegiatan of e-planning's data of the same tahun_anggaran (round robin, so each
sub-kegiatan gets lines) and uses the kode rekening of that sub-kegiatan's spending group; total = volume ×
harga_satuan. Both resources are lazy and scale with ``--records``.
"""

from __future__ import annotations

from examples.apps.config import AppConfig
from examples.apps.dataset import AppSpec, LazyDataset, Record, Resource, index_locator
from examples.apps.eplanning import planning, wrong_sub_code
from examples.apps.refdata import at, iso, linear, load, opd, pemda, rng

DEFAULT_RINCIAN = 800


def wrong_rekening(code: str) -> str:
    """Legacy widths: 3-digit rincian objek and 5-digit sub rincian objek (5.1.02.01.001.00024)."""
    parts = code.split(".")
    return ".".join([*parts[:4], parts[4].zfill(3), parts[5].zfill(5)])


def rincian_dataset(config: AppConfig) -> LazyDataset:
    plan = planning(config.seed, config.tahun)
    rek = load("rekening")
    subs, names, styles = plan.subs, rek["belanja"], rek["koefisien"]
    n = config.count("rincian-belanja", "rincian-belanja", DEFAULT_RINCIAN)
    prefix = f"RB-{config.tahun}-"
    wrong = config.profile.wrong_codes

    def make(i: int, updated: object) -> Record:
        sub = subs[i % len(subs)]
        grp = plan.group[sub["kode_sub_kegiatan"]]
        r = rng(config.seed, "rincian-belanja", i)
        kode, style, (a_lo, a_hi), (b_lo, b_hi), (h_lo, h_hi) = r.choice(rek["kelompok"][grp])
        a, b = r.randint(a_lo, a_hi), r.randint(b_lo, b_hi)
        harga = r.randint(h_lo // 500, h_hi // 500) * 500
        koef = styles[style]
        nama = names[kode]
        label = nama.rsplit("-", 1)[-1].removeprefix("Belanja ")
        sumber = rek["sumber_dana"].get(grp) or rek["sumber_dana"]["default"]
        row = {
            "id_rincian": f"{prefix}{i + 1:06d}", "tahun_anggaran": config.tahun,
            "kode_pemda": pemda()["kode_pemda"], "kode_opd": sub["kode_opd"],
            "kode_sub_kegiatan": sub["kode_sub_kegiatan"], "kode_rekening": kode, "nama_rekening": nama,
            "uraian": f"{label} untuk {sub['nama_sub_kegiatan']}",
            "koefisien": koef["teks"].format(a=a, b=b), "volume": a * b, "satuan": koef["satuan"],
            "harga_satuan": harga, "total": a * b * harga,
            "sumber_dana": sumber[0] if r.random() < 0.8 else r.choice(sumber),
            "updated_at": iso(updated),  # type: ignore[arg-type]
        }
        if wrong and i % 10 in (3, 6, 8):
            if i % 10 == 3:
                row["kode_rekening"] = wrong_rekening(kode)
            elif i % 10 == 6:
                row["total"] = row["total"] + r.choice([1_000, 25_000, -500]) * max(1, a)
            else:
                row["kode_sub_kegiatan"] = wrong_sub_code(sub["kode_sub_kegiatan"], i)
        return row

    year = config.tahun - 1
    stamp = linear(at(year, 9, 1), at(config.tahun, 10, 30, 16), n)
    return LazyDataset(n, make, stamp, "id_rincian", index_locator(prefix))


def pendapatan_dataset(config: AppConfig) -> LazyDataset:
    rek = load("rekening")
    pairs = [(row, variant) for row in rek["pendapatan"] for variant in rek["varian"][row[4]]]
    n = config.count("pendapatan", "rincian-belanja", len(pairs))
    prefix = f"PD-{config.tahun}-"

    def make(i: int, updated: object) -> Record:
        (kode, nama, owner, (lo, hi), _), variant = pairs[i % len(pairs)]
        r = rng(config.seed, "pendapatan", i)
        shares = len(rek["varian"][pairs[i % len(pairs)][0][4]])
        cycle = i // len(pairs)
        uraian = f"{nama} — {variant}" + (f" (rincian {cycle + 1})" if cycle else "")
        dasar = rek["dasar_hukum_transfer"] if kode.startswith("4.2") else rek["dasar_hukum_pajak"]
        return {
            "id_pendapatan": f"{prefix}{i + 1:05d}", "tahun_anggaran": config.tahun,
            "kode_pemda": pemda()["kode_pemda"], "kode_opd": opd(owner).kode, "kode_rekening": kode,
            "nama_rekening": nama, "uraian": uraian,
            "target": r.randint(lo // shares // 1000, hi // shares // 1000) * 1000,
            "dasar_hukum": dasar.format(tahun=config.tahun), "updated_at": iso(updated),  # type: ignore[arg-type]
        }

    year = config.tahun - 1
    return LazyDataset(n, make, linear(at(year, 8, 4), at(year, 12, 18, 16), n), "id_pendapatan", index_locator(prefix))


def build(config: AppConfig) -> AppSpec:
    from examples.apps.webhooks import add_inbox_routes

    filters = ("tahun_anggaran", "kode_opd", "kode_rekening")
    return AppSpec(
        key="e-budgeting",
        title="e-Budgeting Kota Blitar",
        owner="Badan Pengelola Keuangan dan Aset Daerah (BPKAD)",
        summary="Penganggaran daerah (RKA/DPA): rincian belanja per sub-kegiatan dan target pendapatan.",
        primary="rincian-belanja",
        resources={
            "rincian-belanja": Resource("rincian-belanja", "Rincian Belanja", "penganggaran/rincian_belanja",
                                        rincian_dataset(config), (*filters, "kode_sub_kegiatan", "sumber_dana")),
            "pendapatan": Resource("pendapatan", "Pendapatan", "penganggaran/pendapatan",
                                   pendapatan_dataset(config), filters),
        },
        extras=[add_inbox_routes],
    )
