"""Pure detectors used by the evaluators: leaked internals, language, local formats, national codes, messages.

No I/O here: every function takes text or records and returns facts, so the catalog examples can exercise them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

# -- internal detail in error answers --------------------------------------------------------------------------
LEAK_PATTERNS: dict[str, re.Pattern[str]] = {
    "traceback": re.compile(r"Traceback \(most recent call last\)|Stack trace:"
                            r"|^\s+at [\w.$<>]+\([\w]+\.(java|kt|cs):\d+\)"
                            r"|Exception in thread|#\d+ \{main\}", re.MULTILINE),
    "file_path": re.compile(r"File \"[^\"]+\.py\", line \d+"
                            r"|(?<![\w/])(/usr/(local/)?lib/|/home/\w+/|/var/www/|/srv/|/opt/)"
                            r"[\w./-]+\.(py|php|rb|js|java|go)\b"
                            r"|[A-Z]:\\\\?[\w\\. -]+\.(php|cs|py|java)\b"
                            r"| in /[\w./-]+\.php on line \d+"),
    "exception_class": re.compile(r"\b(?:[a-z_][\w]*\.)*[A-Z]\w*(?:Error|Exception)\b(?=\s*[:(]|\s+at\b)"
                                  r"|\b(?:java|javax|System|org\.\w+)\.[\w.]+Exception\b"),
    "sql": re.compile(r"(?-i:\b(SELECT\s+[\w*,.\s\"`]+\s+FROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b)"
                      r"|SQLSTATE|syntax error at or near|ORA-\d{5}|sqlalchemy\.exc|psycopg2?\.|pymysql|"
                      r"SQLite3?::|mysql_fetch|You have an error in your SQL syntax", re.IGNORECASE),
    "debug_page": re.compile(r"Werkzeug Debugger|Whoops! There was an error|DEBUG = True|django\.core|"
                             r"laravel\.log|<title>[^<]*(Exception|Error) at /", re.IGNORECASE),
}


def find_leaks(text: str) -> list[str]:
    """Kinds of internal detail visible in ``text`` (empty when clean)."""
    if not text:
        return []
    return [kind for kind, pattern in LEAK_PATTERNS.items() if pattern.search(text)]


# -- human-readable messages and their language ------------------------------------------------------------------
MESSAGE_KEYS = ("detail", "message", "pesan", "title", "error", "errors", "msg", "keterangan", "description",
                "error_description", "reason", "alasan")
_WORD = re.compile(r"[A-Za-zÀ-ÿ]+")

ID_WORDS = frozenset(re.findall(r"\w+", """
yang dan tidak harus ada dengan untuk dari pada atau ini itu adalah akan dapat bisa belum sudah sebagai dalam
halaman nilai data permintaan ditemukan silakan mohon kesalahan salah wajib isian kolom berupa angka bulat lebih
kecil besar minimal maksimal boleh kosong format tanggal tahun gagal berhasil sesuai parameter diizinkan dikenal
akses masuk coba lagi periksa kembali hanya atau oleh jumlah ukuran nomor valid diisi bukan terlalu batas
"""))
EN_WORDS = frozenset(re.findall(r"\w+", """
the and not must be is are with for from on or this that can could should a an of to in found please error
invalid value field required input page number integer greater less than equal allowed unknown missing request
unable parse string valid type expected characters at least most only internal server was were has have does
"""))


def message_texts(body: str) -> list[str]:
    """Message strings found in an error body: JSON message fields, or the plain text itself."""
    body = (body or "").strip()
    if not body:
        return []
    try:
        data = json.loads(body)
    except ValueError:
        if body.lstrip().startswith("<"):
            text = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.DOTALL | re.IGNORECASE)
            text = re.sub(r"<[^>]+>", " ", text)
            return [" ".join(text.split())] if text.strip() else []
        return [body]
    return list(_json_messages(data))


def _json_messages(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 4:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value[:20]:
            yield from _json_messages(item, depth + 1)
    elif isinstance(value, dict):
        for key in MESSAGE_KEYS:
            if key in value:
                yield from _json_messages(value[key], depth + 1)
        if "msg" not in value and depth == 0 and not any(k in value for k in MESSAGE_KEYS):
            for item in value.values():
                if isinstance(item, dict | list):
                    yield from _json_messages(item, depth + 1)


def is_readable(text: str) -> bool:
    """A sentence a person can act on: a few words, mostly letters, no internals."""
    words = _WORD.findall(text or "")
    return len(words) >= 3 and len(text) <= 2000 and not find_leaks(text)


def language_of(text: str) -> str:
    """``id``, ``en`` or ``unknown`` from common-word counts."""
    words = [w.lower() for w in _WORD.findall(text or "")]
    id_hits = sum(w in ID_WORDS for w in words)
    en_hits = sum(w in EN_WORDS for w in words)
    if id_hits == en_hits:
        return "unknown"
    return "id" if id_hits > en_hits else "en"


# -- local formats in raw records --------------------------------------------------------------------------------
LOCAL_DATE = re.compile(r"^(0?[1-9]|[12]\d|3[01])([-/.])(0?[1-9]|1[0-2])\2(\d{4})( \d{1,2}[:.]\d{2}(:\d{2})?)?$"
                        r"|^(0?[1-9]|[12]\d|3[01])([-/])(0?[1-9]|1[0-2])\9(\d{2})$")
NOT_A_VALUE = re.compile(r"^(kode|code|id|nomor|no|nip|nik|npwp|versi|version)(_|$)", re.IGNORECASE)
RUPIAH_TEXT = re.compile(r"^\s*Rp\.?\s*[\d.,]+(,-)?\s*$", re.IGNORECASE)
GROUPED_NUMBER = re.compile(r"^\d{1,3}(\.\d{3})+(,\d+)?$")
NUMERIC_TEXT = re.compile(r"^-?\d+([.,]\d+)?$")
AMOUNT_FIELD = re.compile(r"(total|harga|pagu|nilai|anggaran|jumlah_uang|nominal|tarif|biaya|target_pendapatan|"
                          r"realisasi|rupiah|volume)", re.IGNORECASE)


def walk(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted path, scalar) pairs of a record, arrays flattened."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from walk(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for item in value[:50]:
            yield from walk(item, path)
    else:
        yield path, value


def local_format_violations(record: dict[str, Any]) -> list[str]:
    """``field=value`` for local dates, rupiah text and numbers-as-text in amount fields."""
    found: list[str] = []
    for path, value in walk(record):
        if not isinstance(value, str):
            continue
        leaf = path.rsplit(".", 1)[-1]
        text = value.strip()
        if NOT_A_VALUE.match(leaf.strip().replace(" ", "_")):
            continue  # codes and identifiers look like dates or numbers by design
        if LOCAL_DATE.match(text) or RUPIAH_TEXT.match(text) or GROUPED_NUMBER.match(text) or (
            AMOUNT_FIELD.search(leaf) and NUMERIC_TEXT.match(text)
        ):
            found.append(f"{leaf}={text[:30]}")
    return found


# -- national code lists -----------------------------------------------------------------------------------------
_P = r"([1-8]|X)\.(\d{2}|XX)"
CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "kode_bidang_urusan": re.compile(rf"^{_P}$"),
    "kode_program": re.compile(rf"^{_P}\.\d{{2}}$"),
    "kode_kegiatan": re.compile(rf"^{_P}\.\d{{2}}\.[12]\.\d{{2}}$"),
    "kode_sub_kegiatan": re.compile(rf"^{_P}\.\d{{2}}\.[12]\.\d{{2}}\.\d{{4}}$"),
    "kode_rekening": re.compile(r"^[1-9](\.\d(\.\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)?)?$"),
    "kode_opd": re.compile(r"^\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}$"),
    "kode_pemda": re.compile(r"^\d{2}(\.\d{2})?$"),
    "kode_wilayah": re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$"),
    "instansi_tujuan": re.compile(r"^\d\.\d{2}\.\d\.\d{2}\.\d\.\d{2}\.\d{2}\.\d{4}$"),
}


def code_values(records: list[dict[str, Any]]) -> Iterator[tuple[str, str, bool]]:
    """(field, value, matches the national pattern) for every known code field."""
    for record in records:
        for path, value in walk(record):
            leaf = path.rsplit(".", 1)[-1].lower()
            pattern = CODE_PATTERNS.get(leaf)
            if pattern is not None and value is not None:
                text = str(value)
                yield leaf, text, bool(pattern.match(text))


# -- identifiers -------------------------------------------------------------------------------------------------
_IDS = yaml.safe_load((Path(__file__).with_name("identifiers.yaml")).read_text("utf-8"))
ID_EXACT = tuple(_IDS["exact"])
ID_PREFIXES = tuple(_IDS["prefixes"])
ID_SUFFIXES = tuple(_IDS["suffixes"])
REFERENCE_CODES = frozenset(_IDS["reference_codes"])


def _norm_key(key: str) -> str:
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key)  # idData → id_Data
    return re.sub(r"[^a-z0-9]+", "_", split.lower()).strip("_")


def _id_rank(key: str) -> tuple[int, str]:
    name = _norm_key(key)
    if name in ("id", "uuid"):
        return 0, name
    if name in ID_EXACT or name.startswith("id_") or name.endswith(ID_SUFFIXES):
        return 1, name
    if name.startswith(("nomor_", "no_", "nip_")):
        return 2, name
    return (4 if name in REFERENCE_CODES else 3), name


def id_candidates(records: list[dict[str, Any]], declared: list[str] | None = None) -> list[str]:
    """Top-level fields that look like identifiers (identifiers.yaml, or declared as the resource's key) and are
    unique and present in every record, best first (declared keys first).

    Reference codes (kode_pemda, kode_opd, ...) usually point at other things: they come last.
    """
    if not records:
        return []
    keys = [k for k in declared or [] if k in records[0]]
    names = keys + [k for k in records[0] if k not in keys and (
        _norm_key(k) in ID_EXACT or _norm_key(k).startswith(ID_PREFIXES) or _norm_key(k).endswith(ID_SUFFIXES))]
    good = []
    for name in names:
        values = [r.get(name) for r in records]
        distinct = {json.dumps(v, sort_keys=True) for v in values}
        if all(v not in (None, "") for v in values) and len(distinct) == len(values):
            good.append(name)
    return [k for k in good if k in keys] + sorted((k for k in good if k not in keys), key=_id_rank)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (no interpolation): honest with few samples."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(pct * len(ordered) - 1e-9)))
    return float(ordered[rank - 1])
