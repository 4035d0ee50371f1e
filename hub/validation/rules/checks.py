"""The business-rule checks, registered by name; ``catalog.yaml`` says which rule uses which check.

Each check is a small pure function ``(document, ctx) -> [(pointer, value, params)]``. It reads only the fields
it needs, through the tolerant readers of :mod:`.values`, and skips whatever is missing or wrongly typed: the
schema reports those. Message parameters may be plain values or ``{"id": ..., "en": ...}`` pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from hub.validation.rules import values as v
from hub.validation.rules.codelists import codelists
from hub.validation.rules.model import CheckFn, Finding, RuleContext

CHECKS: dict[str, CheckFn] = {}


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    """Register a check function under ``name`` (the ``check`` field of a catalogued rule)."""

    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS:
            raise RuntimeError(f"check {name!r} registered twice")
        CHECKS[name] = fn
        return fn

    return register


# --- kepegawaian --------------------------------------------------------------------------------------------------
@check("nip_birth_date")
def nip_birth_date(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed, born = v.nip(doc.get("nip")), v.iso_date(doc.get("tanggal_lahir"))
    if parsed is None or parsed.birth is None or born is None or parsed.birth == born:
        return []
    return [("/nip", v.masked(doc["nip"]), {"nip_date": parsed.birth.isoformat(), "tanggal_lahir": born})]


@check("nip_gender")
def nip_gender(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed, sex = v.nip(doc.get("nip")), doc.get("jenis_kelamin")
    if parsed is None or parsed.gender is None or sex not in ("L", "P") or parsed.gender == sex:
        return []
    return [("/nip", v.masked(doc["nip"]), {"digit": parsed.digits[14], "nip_sex": v.term(f"sex.{parsed.gender}"),
                                            "jenis_kelamin": sex})]


@check("nip_form_matches_jenis_asn")
def nip_form_matches_jenis_asn(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed, jenis = v.nip(doc.get("nip")), doc.get("jenis_asn")
    if parsed is None or parsed.form is None or jenis not in ("PNS", "PPPK") or parsed.form == jenis:
        return []
    return [("/nip", v.masked(doc["nip"]), {"jenis_asn": jenis, "form": parsed.form,
                                            "digits": parsed.digits[12:14]})]


@check("nip_dates_real")
def nip_dates_real(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed = v.nip(doc.get("nip"))
    if parsed is None:
        return []
    digits = parsed.digits
    if parsed.birth is None:
        return [("/nip", v.masked(doc["nip"]), {"segment": v.term("nip.birth"), "found": digits[:8]})]
    if parsed.form == "PNS":
        year, month = int(digits[8:12]), int(digits[12:14])
        real = 1 <= month <= 12 and (year, month) > (parsed.birth.year, parsed.birth.month)
        found, segment = digits[8:14], v.term("nip.tmt_pns")
    elif parsed.form == "PPPK":
        real = digits[13] != "0" and int(digits[8:12]) > parsed.birth.year
        found, segment = digits[8:14], v.term("nip.tmt_pppk")
    else:
        real, found, segment = False, digits[8:14], v.term("nip.tmt_pns")
    return [] if real else [("/nip", v.masked(doc["nip"]), {"segment": segment, "found": found})]


def _reference_birth(doc: dict[str, Any]) -> tuple[Any, str] | None:
    born = v.iso_date(doc.get("tanggal_lahir"))
    if born is not None:
        return born, "tanggal_lahir"
    parsed = v.nip(doc.get("nip"))
    return (parsed.birth, "NIP") if parsed is not None and parsed.birth is not None else None


@check("nik_birth_date")
def nik_birth_date(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed, ref = v.nik(doc.get("nik")), _reference_birth(doc)
    if parsed is None or not parsed.real or ref is None:
        return []
    born, source = ref
    if (parsed.day, parsed.month, parsed.yy) == (born.day, born.month, born.year % 100):
        return []
    return [("/nik", v.masked(doc["nik"]), {"nik_date": f"{parsed.day:02d}-{parsed.month:02d}-{parsed.yy:02d}",
                                            "expected": born.strftime("%d-%m-%y"), "source": source})]


@check("nik_gender")
def nik_gender(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed = v.nik(doc.get("nik"))
    if parsed is None or not parsed.real:
        return []
    sex, source = doc.get("jenis_kelamin"), "jenis_kelamin"
    if sex not in ("L", "P"):
        nip_parsed = v.nip(doc.get("nip"))
        sex, source = (nip_parsed.gender if nip_parsed else None), "NIP"
    if sex is None or sex == parsed.gender:
        return []
    return [("/nik", v.masked(doc["nik"]), {"nik_sex": v.term(f"sex.{parsed.gender}"),
                                            "expected": v.term(f"sex.{sex}"), "source": source})]


@check("nik_date_real")
def nik_date_real(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed = v.nik(doc.get("nik"))
    if parsed is None or parsed.real:
        return []
    return [("/nik", v.masked(doc["nik"]), {"found": parsed.digits[6:12]})]


def _tmt(parsed: v.Nip) -> tuple[int, int | None] | None:
    """The appointment start in a NIP: (year, month) for a PNS, (year, None) for a PPPK (only the year)."""
    digits = parsed.digits
    if parsed.form == "PNS" and 1 <= int(digits[12:14]) <= 12:
        return int(digits[8:12]), int(digits[12:14])
    if parsed.form == "PPPK":
        return int(digits[8:12]), None
    return None


def today() -> date:
    """The date rules compare with (a function, so tests can fix it)."""
    return date.today()


@check("nip_tmt_not_future")
def nip_tmt_not_future(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed = v.nip(doc.get("nip"))
    tmt = _tmt(parsed) if parsed is not None else None
    if tmt is None:
        return []
    now = today()
    year, month = tmt
    future = year > now.year if month is None else (year, month) > (now.year, now.month)
    if not future:
        return []
    shown = f"{year}" if month is None else f"{year}-{month:02d}"
    return [("/nip", v.masked(doc["nip"]), {"tmt": shown, "today": now.isoformat()})]


@check("nip_adult_at_tmt")
def nip_adult_at_tmt(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    parsed = v.nip(doc.get("nip"))
    tmt = _tmt(parsed) if parsed is not None and parsed.birth is not None else None
    if parsed is None or parsed.birth is None or tmt is None:
        return []
    born, (year, month) = parsed.birth, tmt
    if (year, month or 12) <= (born.year, born.month if month else 12):
        return []  # a start not after the birth: PEG-004 reports it, once
    if month is None:  # PPPK: only the year is known; take its last day, the most favourable reading
        age, shown = year - born.year, f"{year}"
    else:
        age = year - born.year - ((month, 1) < (born.month, born.day))
        shown = f"{year}-{month:02d}"
    minimum = MIN_AGE_AT_APPOINTMENT[parsed.form]
    if age >= minimum:
        return []
    return [("/nip", v.masked(doc["nip"]), {"tmt": shown, "age": max(age, 0), "minimum": minimum})]


#: The youngest age at which each kind of ASN applies, so the youngest at the start date (TMT), by the NIP's form:
#: PP 11/2017 (Manajemen PNS) Pasal 23 ayat (1) huruf a: a PNS candidate is at least 18 when applying;
#: PP 49/2018 (Manajemen PPPK) Pasal 16 huruf a: a PPPK candidate is at least 20 when applying.
MIN_AGE_AT_APPOINTMENT = {"PNS": 18, "PPPK": 20}

_FUNCTIONAL = ("fungsional_tertentu", "fungsional_umum")


@check("eselon_only_structural")
def eselon_only_structural(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    position = doc.get("jabatan")
    if not isinstance(position, dict):
        return []
    kind, echelon = position.get("jenis_jabatan"), position.get("eselon")
    if kind not in _FUNCTIONAL or not isinstance(echelon, str) or echelon in ("", "non_eselon"):
        return []
    return [("/jabatan/eselon", echelon, {"eselon": echelon, "jenis_jabatan": kind})]


@check("cpns_only_pns")
def cpns_only_pns(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    if doc.get("jenis_asn") != "PPPK" or doc.get("status_kepegawaian") != "cpns":
        return []
    return [("/status_kepegawaian", "cpns", {"jenis_asn": "PPPK"})]


@check("golongan_matches_jenis_asn")
def golongan_matches_jenis_asn(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    jenis = doc.get("jenis_asn")
    wrong = {"PNS": "golongan_pppk", "PPPK": "golongan_ruang"}.get(jenis) if isinstance(jenis, str) else None
    if wrong is None or doc.get(wrong) is None:
        return []
    right = "golongan_ruang" if wrong == "golongan_pppk" else "golongan_pppk"
    return [(f"/{wrong}", doc[wrong], {"jenis_asn": jenis, "field": wrong, "expected": right})]


# --- perencanaan ----------------------------------------------------------------------------------------------------
def _under(doc: dict[str, Any], child: str, parent: str) -> list[Finding]:
    code, prefix = v.code(doc, child), v.code(doc, parent)
    if code is None or prefix is None or code.startswith(prefix + "."):
        return []
    return [(f"/{child}", code, {"field": child, "code": code, "parent_field": parent, "parent": prefix})]


@check("sub_kegiatan_under_kegiatan")
def sub_kegiatan_under_kegiatan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _under(doc, "kode_sub_kegiatan", "kode_kegiatan")


@check("kegiatan_under_program")
def kegiatan_under_program(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _under(doc, "kode_kegiatan", "kode_program")


@check("program_under_bidang_urusan")
def program_under_bidang_urusan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _under(doc, "kode_program", "kode_bidang_urusan")


def _most_specific_code(doc: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("kode_sub_kegiatan", "kode_kegiatan", "kode_program", "kode_bidang_urusan"):
        code = v.code(doc, key)
        if code is not None:
            return key, code
    return None


@check("level_matches_pemda")
def level_matches_pemda(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    found = _most_specific_code(doc)
    if found is None:
        return []
    key, code = found
    segments = code.split(".")
    if len(segments) < 5:
        return []
    kind = ctx.pemda_level or v.pemda_kind(doc.get("kode_pemda"))
    expected = v.level_digit(kind)
    if expected is None or segments[3] == expected:
        return []
    return [(f"/{key}", code, {"field": key, "level": segments[3], "expected": expected,
                               "pemda": v.term(f"pemda.{kind}")})]


@check("bidang_in_urusan_group")
def bidang_in_urusan_group(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    found, groups = _most_specific_code(doc), codelists().get("urusan")
    if found is None or groups is None:
        return []
    key, code = found
    segments = code.split(".")
    group = groups.get(segments[0])
    if len(segments) < 2 or group is None or not segments[1].isdigit():
        return []
    low, high = group.get("bidang_min"), group.get("bidang_max")
    if not isinstance(low, int) or not isinstance(high, int) or low <= int(segments[1]) <= high:
        return []
    return [(f"/{key}", code, {"field": key, "code": code, "urusan": segments[0], "bidang": segments[1],
                               "group": dict(group.get("label") or {}), "range": f"{low:02d}–{high:02d}"})]


@check("lokasi_within_pemda")
def lokasi_within_pemda(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    pemda, places = v.code(doc, "kode_pemda"), doc.get("lokasi")
    if pemda is None or not isinstance(places, list):
        return []
    out: list[Finding] = []
    for i, place in enumerate(places):
        code = v.code(place, "kode_wilayah")
        if code is not None and code != pemda and not code.startswith(pemda + "."):
            out.append((f"/lokasi/{i}/kode_wilayah", code, {"kode_wilayah": code, "kode_pemda": pemda}))
    return out


# --- penganggaran ---------------------------------------------------------------------------------------------------
@check("total_is_volume_times_harga")
def total_is_volume_times_harga(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    volume, price, total = v.number(doc.get("volume")), v.number(doc.get("harga_satuan")), v.number(doc.get("total"))
    if volume is None or price is None or total is None:
        return []
    expected = volume * price
    if abs(total - expected) < 1:
        return []
    return [("/total", doc["total"], {"total": v.amount(total), "volume": v.amount(volume),
                                      "harga_satuan": v.amount(price), "expected": v.amount(expected),
                                      "difference": v.amount(abs(total - expected))})]


def _account_starts_with(doc: dict[str, Any], digit: str) -> list[Finding]:
    code = v.code(doc, "kode_rekening")
    if code is None or code.startswith(digit):
        return []
    return [("/kode_rekening", code, {"kode_rekening": code, "akun": code[0], "expected": digit})]


@check("rekening_is_belanja")
def rekening_is_belanja(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _account_starts_with(doc, "5")


@check("rekening_is_pendapatan")
def rekening_is_pendapatan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _account_starts_with(doc, "4")


@check("kelompok_akun_known")
def kelompok_akun_known(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    code, known = v.code(doc, "kode_rekening"), codelists().get("akun")
    if code is None or known is None:
        return []
    group = ".".join(code.split(".")[:2])
    if group in known:
        return []
    return [("/kode_rekening", code, {"kode_rekening": code, "kelompok": group})]


@check("rekening_level_matches_pemda")
def rekening_level_matches_pemda(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    """An account reserved for one level of government (code list 'rekening_tingkat') at another level."""
    code, reserved = v.code(doc, "kode_rekening"), codelists().get("rekening_tingkat")
    kind = ctx.pemda_level or v.pemda_kind(doc.get("kode_pemda"))
    if code is None or reserved is None or kind is None:
        return []
    for entry in reserved.values:
        prefix, levels = str(entry["code"]), entry.get("pemda")
        if (code == prefix or code.startswith(prefix + ".")) and isinstance(levels, list) and kind not in levels:
            return [("/kode_rekening", code, {"kode_rekening": code, "rekening": prefix,
                                              "nama": dict(entry.get("label") or {}),
                                              "pemda": v.term(f"pemda.{kind}"),
                                              "allowed": v.term(f"pemda.{levels[0]}") if levels else ""})]
    return []


# --- legislasi ------------------------------------------------------------------------------------------------------
@check("pengundangan_not_before_penetapan")
def pengundangan_not_before_penetapan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    enacted, promulgated = v.iso_date(doc.get("tanggal_penetapan")), v.iso_date(doc.get("tanggal_pengundangan"))
    if enacted is None or promulgated is None or promulgated >= enacted:
        return []
    return [("/tanggal_pengundangan", doc["tanggal_pengundangan"],
             {"tanggal_pengundangan": promulgated, "tanggal_penetapan": enacted})]


@check("tahun_is_year_of_penetapan")
def tahun_is_year_of_penetapan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    enacted, year = v.iso_date(doc.get("tanggal_penetapan")), doc.get("tahun")
    if enacted is None or not isinstance(year, int) or isinstance(year, bool) or year == enacted.year:
        return []
    return [("/tahun", year, {"tahun": year, "tanggal_penetapan": enacted, "expected": enacted.year})]


@check("revoked_not_in_force")
def revoked_not_in_force(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    relations = doc.get("relasi")
    if doc.get("status") != "Berlaku" or not isinstance(relations, list):
        return []
    for item in relations:
        if isinstance(item, dict) and item.get("jenis") == "dicabut":
            parts = (("", "jenis_peraturan"), ("Nomor ", "nomor"), ("Tahun ", "tahun"))
            by = " ".join(f"{label}{item[k]}" for label, k in parts if item.get(k) not in (None, ""))
            return [("/status", "Berlaku", {"by": by})]
    return []


@check("in_force_needs_pengundangan")
def in_force_needs_pengundangan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    jenis, types = v.text(doc, "jenis"), codelists().get("jenis_produk_hukum")
    entry = types.get(jenis) if types is not None and jenis is not None else None
    if doc.get("status") != "Berlaku" or entry is None or entry.get("diundangkan") is not True:
        return []
    if v.text(doc, "tanggal_pengundangan") is not None:
        return []
    return [("/tanggal_pengundangan", None, {"jenis": jenis})]


@check("jenis_matches_pemda")
def jenis_matches_pemda(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    jenis, types = v.text(doc, "jenis"), codelists().get("jenis_produk_hukum")
    kind = ctx.pemda_level or v.pemda_kind(doc.get("kode_pemda"))
    entry = types.get(jenis) if types is not None and jenis is not None else None
    allowed = entry.get("pemda") if entry is not None else None
    if kind is None or not isinstance(allowed, list) or kind in allowed:
        return []
    return [("/jenis", jenis, {"jenis": jenis, "pemda": v.term(f"pemda.{kind}"),
                               "kode_pemda": doc.get("kode_pemda", "")})]


# --- pelayanan publik -----------------------------------------------------------------------------------------------
IKM_GRADES = ((Decimal("88.31"), "A", "Sangat Baik"), (Decimal("76.61"), "B", "Baik"),
              (Decimal("65.00"), "C", "Kurang Baik"), (Decimal("25.00"), "D", "Tidak Baik"))


def ikm_grade(ikm: Decimal) -> tuple[str, str] | None:
    """Mutu and kinerja for an IKM per PermenPANRB 14/2017 (IKM taken to 2 decimals, half up)."""
    if not 0 <= ikm <= 100:
        return None
    rounded = ikm.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return next(((grade, label) for floor, grade, label in IKM_GRADES if rounded >= floor), None)


def _half_unit(score: Decimal) -> Decimal:
    """Half of the last written decimal of an NRR (at least 2 decimals are assumed): 3.72 → 0.005."""
    exponent = score.as_tuple().exponent
    decimals = max(-exponent, 2) if isinstance(exponent, int) else 2
    return Decimal(5).scaleb(-decimals - 1)


@check("ikm_is_mean_nrr_times_25")
def ikm_is_mean_nrr_times_25(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    nrr, ikm = doc.get("nrr"), v.number(doc.get("ikm"))
    if not isinstance(nrr, dict) or ikm is None:
        return []
    scores = [v.number(nrr.get(f"u{i}")) for i in range(1, 10)]
    if any(s is None for s in scores):
        return []
    exact = [s for s in scores if s is not None]
    expected = sum(exact, Decimal(0)) / 9 * 25
    # NRR rounded for publication cannot give the index back exactly: allow what their precision loses.
    tolerance = Decimal("0.01") + 25 * max(_half_unit(s) for s in exact)
    if abs(ikm - expected) <= tolerance:
        return []
    return [("/ikm", doc["ikm"], {"ikm": v.amount(ikm), "expected": v.amount(expected.quantize(Decimal("0.0001"))),
                                  "tolerance": v.amount(tolerance.normalize())})]


def _graded(doc: dict[str, Any]) -> tuple[Decimal, tuple[str, str]] | None:
    ikm = v.number(doc.get("ikm"))
    grade = ikm_grade(ikm) if ikm is not None else None
    return (ikm, grade) if ikm is not None and grade is not None else None


@check("mutu_matches_ikm")
def mutu_matches_ikm(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    graded, mutu = _graded(doc), doc.get("mutu")
    if graded is None or not isinstance(mutu, str) or mutu == graded[1][0]:
        return []
    return [("/mutu", mutu, {"mutu": mutu, "ikm": v.amount(graded[0]), "expected": graded[1][0]})]


@check("kinerja_matches_ikm")
def kinerja_matches_ikm(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    graded, kinerja = _graded(doc), doc.get("kinerja")
    if graded is None or not isinstance(kinerja, str) or kinerja == graded[1][1]:
        return []
    return [("/kinerja", kinerja, {"kinerja": kinerja, "ikm": v.amount(graded[0]), "expected": graded[1][1]})]


def _not_before_submission(doc: dict[str, Any], key: str) -> list[Finding]:
    submitted, later = v.timestamp(doc.get("tanggal_permohonan")), v.timestamp(doc.get(key))
    if submitted is None or later is None or later >= submitted:
        return []
    return [(f"/{key}", doc[key], {"field": key, "value": doc[key], "tanggal_permohonan": doc["tanggal_permohonan"]})]


@check("selesai_not_before_permohonan")
def selesai_not_before_permohonan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _not_before_submission(doc, "tanggal_selesai")


@check("batas_waktu_not_before_permohonan")
def batas_waktu_not_before_permohonan(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    return _not_before_submission(doc, "batas_waktu")


@check("selesai_needs_tanggal_selesai")
def selesai_needs_tanggal_selesai(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    if doc.get("status") != "selesai" or doc.get("tanggal_selesai") is not None:
        return []
    return [("/tanggal_selesai", None, {})]


@check("anonim_without_identity")
def anonim_without_identity(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    reporter = doc.get("pelapor")
    if doc.get("anonim") is not True or not isinstance(reporter, dict):
        return []
    return [(f"/pelapor/{key}", v.masked(reporter[key]), {"field": key})
            for key in ("nama", "nik", "email", "telepon") if reporter.get(key) not in (None, "")]


@check("biaya_matches_gratis")
def biaya_matches_gratis(doc: dict[str, Any], ctx: RuleContext) -> list[Finding]:
    cost = doc.get("biaya")
    if not isinstance(cost, dict) or not isinstance(cost.get("gratis"), bool):
        return []
    fee = v.number(cost.get("tarif"))
    if fee is None and cost.get("tarif") is not None:
        return []  # a fee that is not a number is the schema's finding
    if cost["gratis"] and fee is not None and fee > 0:
        return [("/biaya/tarif", cost["tarif"], {"reason": v.term("biaya.free_with_fee")})]
    if not cost["gratis"] and (fee is None or fee <= 0):
        return [("/biaya/tarif", cost.get("tarif"), {"reason": v.term("biaya.paid_without_fee")})]
    return []
