"""Two loopback APIs in the style of the Laravel systems Indonesian Pemdas run — written to look like systems
nobody here wrote, so that the assessment is tried on what it will meet, not on Simpul's own simulators.

* ``sipera_app`` — SIPERA, the planning API of a kabupaten's Bappeda (Kabupaten Blitar, 35.05), written carefully:
  ``/api/v1/kegiatan?tahun=&page=&limit=`` (``tahun`` required: 422 without it, Laravel's validation body),
  ``{"status": true, "message", "data": [...], "meta": {current_page, per_page, total, totalPages}}``, ``limit`` at
  most 100, ``updated_since``, a stats endpoint beside the list, an XLSX export that needs ``tanggal``, webhooks,
  bearer auth on every ``/api`` call, Indonesian error messages, an Indonesian front page. Its OpenAPI description
  is served at ``/api/v1/openapi.json`` and given to the registry as a file (``openapi_file``).
* ``siretri_app`` — SIRETRI, a Dinas Perhubungan's parking-levy (retribusi) API with the flaws such systems have:
  HTTP 200 with ``{"status": false}`` for a missing required parameter, no upper bound on ``limit``, no version in
  its paths, no incremental read, Indonesian field names (``idData``, ``kd_rek``, ``nm_retribusi``, ``target_rp``
  as "Rp 1.500.000", dates ``dd-mm-yyyy``) that need a mapping, ``pagination.last_page`` instead of ``totalPages``,
  and ``APP_DEBUG=true``: a non-numeric id gives a 500 with Laravel's SQLSTATE text. Its OpenAPI description is
  served at ``/api/openapi.json`` (the registry names that URL).

Both are served by uvicorn on 127.0.0.1 (:class:`tests.hub.assessment.apps.LoopbackServer`).
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

TOKEN_SIPERA = "sipera-rahasia-uji"
TOKEN_SIRETRI = "siretri-rahasia-uji"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Nomenclature of Permendagri 90/2019 (Kepmendagri 050-5889/2021), as a kabupaten's RKPD lists them.
KEGIATAN_ROWS = [
    ("1.01.02.2.01", "Pengelolaan Pendidikan Sekolah Dasar", "1.01.02", "1.01.0.00.0.00.01.0000", "Dinas Pendidikan"),
    ("1.01.02.2.02", "Pengelolaan Pendidikan Sekolah Menengah Pertama", "1.01.02", "1.01.0.00.0.00.01.0000",
     "Dinas Pendidikan"),
    ("1.02.02.2.01", "Penyediaan Fasilitas Pelayanan Kesehatan untuk UKM dan UKP Kewenangan Daerah Kabupaten/Kota",
     "1.02.02", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
    ("1.02.02.2.02", "Penyediaan Layanan Kesehatan untuk UKM dan UKP Rujukan Tingkat Daerah Kabupaten/Kota",
     "1.02.02", "1.02.0.00.0.00.01.0000", "Dinas Kesehatan"),
    ("1.03.10.2.01", "Penyelenggaraan Jalan Kabupaten/Kota", "1.03.10", "1.03.0.00.0.00.01.0000",
     "Dinas Pekerjaan Umum dan Penataan Ruang"),
    ("2.16.02.2.01", "Pengelolaan Informasi dan Komunikasi Publik Pemerintah Daerah Kabupaten/Kota", "2.16.02",
     "2.16.2.20.2.21.01.0000", "Dinas Komunikasi dan Informatika"),
    ("2.16.03.2.02", "Pengelolaan E-Government di Lingkup Pemerintah Daerah Kabupaten/Kota", "2.16.03",
     "2.16.2.20.2.21.01.0000", "Dinas Komunikasi dan Informatika"),
    ("5.01.01.2.01", "Perencanaan, Penganggaran, dan Evaluasi Kinerja Perangkat Daerah", "5.01.01",
     "5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan Daerah"),
    ("5.01.02.2.01", "Penyusunan Perencanaan dan Pendanaan", "5.01.02", "5.01.5.05.0.00.01.0000",
     "Badan Perencanaan Pembangunan Daerah"),
    ("X.XX.01.2.02", "Administrasi Keuangan Perangkat Daerah", "X.XX.01", "5.01.5.05.0.00.01.0000",
     "Badan Perencanaan Pembangunan Daerah"),
    ("X.XX.01.2.06", "Administrasi Umum Perangkat Daerah", "X.XX.01", "5.01.5.05.0.00.01.0000",
     "Badan Perencanaan Pembangunan Daerah"),
    ("X.XX.01.2.07", "Pengadaan Barang Milik Daerah Penunjang Urusan Pemerintah Daerah", "X.XX.01",
     "5.01.5.05.0.00.01.0000", "Badan Perencanaan Pembangunan Daerah"),
]


def kegiatan(tahun: int) -> list[dict[str, Any]]:
    """Canonical perencanaan/kegiatan records of one year (SIPERA's vendor built against the canonical schema)."""
    return [{"tahun_anggaran": tahun, "kode_pemda": "35.05", "kode_kegiatan": kode, "nama_kegiatan": nama,
             "kode_program": program, "kode_opd": opd, "nama_opd": nama_opd,
             "pagu_indikatif": 150_000_000 * (i + 1) + 25_000_000 * (tahun - 2024),
             "updated_at": f"{tahun - 1}-11-{(i % 27) + 1:02d}T09:15:00+07:00"}
            for i, (kode, nama, program, opd, nama_opd) in enumerate(KEGIATAN_ROWS)]


RETRIBUSI_ROWS = [  # (kd_rek, nama, target) — retribusi daerah under UU 1/2022 (PDRD)
    ("4.1.02.01.01.0001", "Retribusi Penyediaan Tempat Parkir di Tepi Jalan Umum", 1_500_000_000),
    ("4.1.02.01.01.0002", "Retribusi Pelayanan Parkir Khusus", 650_000_000),
    ("4.1.02.01.02.0001", "Retribusi Pengujian Kendaraan Bermotor", 420_000_000),
    ("4.1.02.02.01.0001", "Retribusi Terminal Penumpang Tipe C", 180_000_000),
    ("4.1.02.02.01.0002", "Retribusi Tempat Khusus Parkir Kendaraan Angkutan Barang", 95_000_000),
    ("4.1.02.03.01.0001", "Retribusi Izin Trayek Angkutan Perdesaan", 60_000_000),
    ("4.1.02.03.01.0002", "Retribusi Penyeberangan di Air", 35_000_000),
]


def rupiah(value: int) -> str:
    return "Rp " + f"{value:,}".replace(",", ".")


def retribusi(tahun: int) -> list[dict[str, Any]]:
    """SIRETRI's own shape: Indonesian abbreviations, money as display text, dates dd-mm-yyyy."""
    return [{"idData": 1000 * (tahun - 2020) + i + 1, "tahun": tahun, "kd_rek": kd, "nm_retribusi": nama,
             "kd_skpd": "2.15.0.00.0.00.01.0000", "nm_skpd": "Dinas Perhubungan", "target_rp": rupiah(target),
             "tgl_update": f"{(i % 27) + 1:02d}-01-{tahun}"}
            for i, (kd, nama, target) in enumerate(RETRIBUSI_ROWS)]


def xlsx(rows: list[dict[str, Any]], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    if rows:
        sheet.append(list(rows[0]))
        for row in rows:
            sheet.append([str(v) if isinstance(v, (list, dict)) else v for v in row.values()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def laravel_422(field: str, text: str) -> JSONResponse:
    return JSONResponse({"message": text, "errors": {field: [text]}}, status_code=422)


def _int(value: str | None, default: int) -> int | None:
    if value is None or value == "":
        return default
    return int(value) if re.fullmatch(r"-?\d{1,9}", value) else None


FRONT_ID = """<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SIPERA — Sistem Informasi Perencanaan Kabupaten Blitar</title></head>
<body><h1>SIPERA Kabupaten Blitar</h1><p>Sistem informasi perencanaan pembangunan daerah Bappeda.</p>
<img src="/logo.png" alt="Logo Pemerintah Kabupaten Blitar">
<form action="/login" method="post"><label for="nip">NIP</label><input id="nip" name="nip">
<label for="sandi">Kata sandi</label><input id="sandi" name="sandi" type="password">
<button type="submit">Masuk</button></form>
<p><a href="/docs">Dokumentasi API</a></p></body></html>"""

DOCS_HTML = """<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Dokumentasi API SIPERA</title>
</head><body><h1>Dokumentasi API SIPERA</h1><p>Semua permintaan memakai header Authorization: Bearer TOKEN.
Deskripsi OpenAPI: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>"""


# -- SIPERA (careful) -----------------------------------------------------------------------------------------
def sipera_openapi() -> dict[str, Any]:
    page = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                         "default": 10}}]
    tahun = {"name": "tahun", "in": "query", "required": True,
             "schema": {"type": "integer", "enum": [2024, 2025]}, "example": 2025}
    ok = {"200": {"description": "Berhasil"}, "401": {"description": "Token tidak valid"},
          "422": {"description": "Parameter tidak valid"}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "SIPERA API", "version": "1.4.2",
                 "description": "API Sistem Informasi Perencanaan (SIPERA) Bappeda Kabupaten Blitar: kegiatan RKPD "
                                "per tahun, statistik, dan ekspor XLSX untuk aplikasi mitra."},
        "security": [{"bearerAuth": []}],
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer",
                                                          "bearerFormat": "Sanctum"}}},
        "paths": {
            "/api/v1/kegiatan": {"get": {"summary": "Daftar kegiatan RKPD", "parameters": [
                tahun, *page, {"name": "updated_since", "in": "query", "schema": {"type": "string",
                                                                                  "format": "date-time"}}],
                "responses": ok}},
            "/api/v1/kegiatan/{kode}": {"get": {"summary": "Satu kegiatan", "parameters": [
                {"name": "kode", "in": "path", "required": True, "schema": {"type": "string"}}, tahun],
                "responses": {"200": {"description": "Berhasil"}, "404": {"description": "Tidak ditemukan"}}}},
            "/api/v1/statistik/kegiatan": {"get": {"summary": "Statistik kegiatan per OPD", "parameters": [tahun],
                                                   "responses": ok}},
            "/api/v1/export/kegiatan.xlsx": {"get": {"summary": "Ekspor kegiatan (XLSX)", "parameters": [
                {"name": "tanggal", "in": "query", "required": True, "example": "2025-01-31",
                 "schema": {"type": "string", "format": "date"}}],
                "responses": {"200": {"description": "Berkas XLSX", "content": {XLSX: {}}}}}},
            "/api/v1/webhooks": {"post": {"summary": "Daftarkan webhook perubahan kegiatan", "responses": {
                "201": {"description": "Terdaftar"}}}},
            "/api/v1/health": {"get": {"summary": "Status layanan", "security": [], "responses": {
                "200": {"description": "Sehat"}}}},
        },
    }


def sipera_app() -> Starlette:
    data = {year: kegiatan(year) for year in (2024, 2025)}

    def guard(request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN_SIPERA}":
            return JSONResponse({"status": False, "message": "Token tidak valid atau sudah kedaluwarsa."},
                                status_code=401)
        return None

    def tahun_of(request: Request) -> int | JSONResponse:
        raw = request.query_params.get("tahun")
        if not raw:
            return laravel_422("tahun", "Kolom tahun wajib diisi.")
        if not raw.isdigit() or int(raw) not in data:
            return laravel_422("tahun", "Tahun yang dipilih tidak valid.")
        return int(raw)

    async def listing(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        tahun = tahun_of(request)
        if isinstance(tahun, JSONResponse):
            return tahun
        page, limit = _int(request.query_params.get("page"), 1), _int(request.query_params.get("limit"), 10)
        if page is None or page < 1:
            return laravel_422("page", "Kolom page harus berupa bilangan bulat minimal 1.")
        if limit is None or not 1 <= limit <= 100:
            return laravel_422("limit", "Kolom limit harus di antara 1 dan 100.")
        rows = data[tahun]
        since = request.query_params.get("updated_since")
        if since:
            try:
                moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
            except ValueError:
                return laravel_422("updated_since", "Kolom updated_since bukan tanggal yang valid.")
            if moment.tzinfo is None:
                return laravel_422("updated_since", "Kolom updated_since harus memakai zona waktu.")
            rows = [r for r in rows if datetime.fromisoformat(r["updated_at"]) > moment]
        pages = max(1, -(-len(rows) // limit))
        return JSONResponse({"status": True, "message": "Data kegiatan berhasil diambil.",
                             "data": rows[(page - 1) * limit: page * limit],
                             "meta": {"current_page": page, "per_page": limit, "total": len(rows),
                                      "totalPages": pages}})

    async def one(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        kode = request.path_params["kode"]
        year = _int(request.query_params.get("tahun"), 2025)
        found = next((r for r in data.get(year or 0, []) if r["kode_kegiatan"] == kode), None)
        if found is None:
            return JSONResponse({"status": False, "message": f"Kegiatan dengan kode {kode[:40]} tidak ditemukan."},
                                status_code=404)
        return JSONResponse({"status": True, "message": "Data kegiatan berhasil diambil.", "data": found})

    async def stats(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        tahun = tahun_of(request)
        if isinstance(tahun, JSONResponse):
            return tahun
        per_opd: dict[str, int] = {}
        for r in data[tahun]:
            per_opd[r["nama_opd"]] = per_opd.get(r["nama_opd"], 0) + 1
        return JSONResponse({"status": True, "message": "Statistik kegiatan.", "data": {
            "tahun": tahun, "jumlah_kegiatan": len(data[tahun]),
            "total_pagu": sum(r["pagu_indikatif"] for r in data[tahun]),
            "per_opd": [{"nama_opd": k, "jumlah": v} for k, v in sorted(per_opd.items())]}})

    async def export(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        raw = request.query_params.get("tanggal")
        if not raw:
            return laravel_422("tanggal", "Kolom tanggal wajib diisi.")
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            return laravel_422("tanggal", "Kolom tanggal bukan tanggal yang valid (YYYY-MM-DD).")
        rows = data.get(day.year, data[2025])
        return Response(xlsx(rows, "kegiatan"), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="kegiatan-{day.isoformat()}.xlsx"'})

    async def webhooks(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        try:
            body = await request.json()
        except ValueError:
            return JSONResponse({"status": False, "message": "Isi permintaan bukan JSON yang valid."},
                                status_code=400)
        if not isinstance(body, dict) or not str(body.get("url", "")).startswith(("http://", "https://")):
            return laravel_422("url", "Kolom url wajib berisi alamat http(s).")
        return JSONResponse({"status": True, "message": "Webhook terdaftar.", "data": {"url": body["url"]}},
                            status_code=201)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": True, "message": "Layanan berjalan normal."})

    async def openapi(request: Request) -> Response:
        return JSONResponse(sipera_openapi())

    async def front(request: Request) -> Response:
        return HTMLResponse(FRONT_ID)

    async def docs(request: Request) -> Response:
        return HTMLResponse(DOCS_HTML)

    return Starlette(routes=[
        Route("/", front), Route("/docs", docs), Route("/api/v1/openapi.json", openapi),
        Route("/api/v1/health", health), Route("/api/v1/kegiatan", listing),
        Route("/api/v1/kegiatan/{kode}", one), Route("/api/v1/statistik/kegiatan", stats),
        Route("/api/v1/export/kegiatan.xlsx", export), Route("/api/v1/webhooks", webhooks, methods=["POST"]),
    ])


# -- SIRETRI (flawed) ---------------------------------------------------------------------------------------
def siretri_openapi() -> dict[str, Any]:
    tahun = {"name": "tahun", "in": "query", "required": True, "schema": {"type": "integer"}, "example": 2025}
    return {
        "openapi": "3.0.0",
        "info": {"title": "SIRETRI", "version": "1.0"},
        "components": {"securitySchemes": {"sanctum": {"type": "http", "scheme": "bearer"}}},
        "security": [{"sanctum": []}],
        "paths": {
            "/api/retribusi": {"get": {"parameters": [
                tahun, {"name": "page", "in": "query", "schema": {"type": "integer"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "OK"}}}},
            "/api/retribusi/{id}": {"get": {"parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"200": {"description": "OK"}}}},
            "/api/statistik/retribusi": {"get": {"parameters": [tahun], "responses": {"200": {"description": "OK"}}}},
            "/api/export/retribusi": {"get": {"parameters": [
                {"name": "tanggal", "in": "query", "required": True, "example": "2025-01-31",
                 "schema": {"type": "string"}}],
                "responses": {"200": {"description": "Excel", "content": {XLSX: {}}}}}},
        },
    }


LARAVEL_DEBUG_500 = ('{"message": "SQLSTATE[22P02]: Invalid text representation: 7 ERROR:  invalid input syntax for '
                     'type bigint: \\"%s\\" (SQL: select * from \\"retribusi\\" where \\"id\\" = %s limit 1)", '
                     '"exception": "Illuminate\\\\Database\\\\QueryException", '
                     '"file": "/var/www/siretri/vendor/laravel/framework/src/Illuminate/Database/Connection.php", '
                     '"line": 760}')


def siretri_app() -> Starlette:
    data = {year: retribusi(year) for year in (2024, 2025)}

    def guard(request: Request) -> JSONResponse | None:
        if request.headers.get("authorization") != f"Bearer {TOKEN_SIRETRI}":
            return JSONResponse({"message": "Unauthenticated."}, status_code=401)
        return None

    async def listing(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        raw = request.query_params.get("tahun", "")
        if not raw.isdigit() or int(raw) not in data:  # flaw: an error with HTTP 200
            return JSONResponse({"status": False, "message": "Parameter tahun wajib diisi", "data": []})
        page = _int(request.query_params.get("page"), 1) or 1
        limit = _int(request.query_params.get("limit"), 5) or 5
        page, limit = max(page, 1), max(limit, 1)  # flaw: no upper bound on limit
        rows = data[int(raw)]
        last = max(1, -(-len(rows) // limit))
        return JSONResponse({"status": True, "message": "Berhasil", "data": rows[(page - 1) * limit: page * limit],
                             "pagination": {"current_page": page, "per_page": limit, "total": len(rows),
                                            "last_page": last}})

    async def one(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        raw = request.path_params["id"]
        if not raw.isdigit():  # flaw: APP_DEBUG=true shows the query and the file
            text = raw[:30].replace('"', "")
            return Response(LARAVEL_DEBUG_500 % (text, text), status_code=500, media_type="application/json")
        found = next((r for rows in data.values() for r in rows if r["idData"] == int(raw)), None)
        if found is None:
            return JSONResponse({"status": False, "message": "Data tidak ditemukan"}, status_code=404)
        return JSONResponse({"status": True, "message": "Berhasil", "data": found})

    async def stats(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        raw = request.query_params.get("tahun", "")
        if not raw.isdigit() or int(raw) not in data:
            return JSONResponse({"status": False, "message": "Parameter tahun wajib diisi", "data": None})
        rows = data[int(raw)]
        return JSONResponse({"status": True, "message": "Berhasil", "data": {
            "tahun": int(raw), "jumlah_jenis": len(rows),
            "total_target": rupiah(sum(t for _, _, t in RETRIBUSI_ROWS))}})

    async def export(request: Request) -> Response:
        if (refused := guard(request)) is not None:
            return refused
        raw = request.query_params.get("tanggal")
        if not raw:
            return laravel_422("tanggal", "The tanggal field is required.")
        return Response(xlsx(data[2025], "retribusi"), media_type=XLSX, headers={
            "Content-Disposition": f'attachment; filename="retribusi-{raw[:10]}.xlsx"'})

    async def openapi(request: Request) -> Response:
        return JSONResponse(siretri_openapi())

    async def front(request: Request) -> Response:  # Laravel's welcome page, locale left at "en"
        return HTMLResponse('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
                            'content="width=device-width, initial-scale=1"><title>SIRETRI</title></head><body>'
                            '<h1>SIRETRI</h1><img src="/img/logo-dishub.png"></body></html>')

    return Starlette(routes=[
        Route("/", front), Route("/api/openapi.json", openapi), Route("/api/retribusi", listing),
        Route("/api/retribusi/{id}", one), Route("/api/statistik/retribusi", stats),
        Route("/api/export/retribusi", export),
    ])
