"""Small FastAPI applications that behave like OPD applications of varying quality (served in-process)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import socket
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "schemas" / "kepegawaian" / "pegawai" / "examples" / "valid"

GOOD_PAGE = """<!doctype html><html lang="id"><head><title>SIMPEG Kota Contoh</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<img src="/logo.png" alt="Logo Pemda"><form><label for="q">Cari pegawai</label><input id="q" name="q">
<input type="submit" value="Cari"></form></body></html>"""
LEGACY_PAGE = """<html><head></head><body><img src="/logo.gif"><form><input name="q"></form></body></html>"""


def pegawai() -> list[dict[str, Any]]:
    records = [json.loads(p.read_text("utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    for index, record in enumerate(records):
        record["updated_at"] = f"2024-0{index + 1}-15T08:00:00Z"
    return records


def _legacy_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["NIP Baru", "Nama Lengkap", "Tgl Lahir", "Gaji Pokok"])
    for r in records:
        y, m, d = r["tanggal_lahir"].split("-")
        writer.writerow([r["nip"], r["nama"], f"{d}-{m}-{y}", "Rp 4.500.000"])
    return out.getvalue()


def build_app(*, fragile: bool = False, legacy: bool = False, paginate: bool = True, openapi: bool = True,
              delay_s: float = 0.0, serial: bool = False, fail_every: int = 0, english: bool = False,
              leak_in_404: bool = False) -> FastAPI:
    """An application serving canonical ``kepegawaian/pegawai`` records under ``/api/v1/pegawai``."""
    app = FastAPI(title="SIMPEG uji", version="1.0", description="API data pegawai untuk pengujian penilaian Simpul.",
                  openapi_url="/openapi.json" if openapi and not legacy else None,
                  docs_url="/docs" if openapi and not legacy else None,
                  redoc_url=None)
    data = pegawai()
    lock = asyncio.Lock()
    counter = {"n": 0}

    def msg(id_text: str, en_text: str) -> str:
        return en_text if english else id_text

    @app.middleware("http")
    async def behaviour(request: Request, call_next):
        if request.url.path.startswith("/api/"):
            counter["n"] += 1
            if fail_every and counter["n"] % fail_every == 0:
                return JSONResponse({"detail": msg("Layanan sedang sibuk.", "Service busy.")}, status_code=503)
            if delay_s:
                if serial:
                    async with lock:
                        await asyncio.sleep(delay_s)
                else:
                    await asyncio.sleep(delay_s)
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        if fragile:
            return PlainTextResponse("Traceback (most recent call last):\n  File \"/srv/simpeg/app.py\", line 88, "
                                     "in list_pegawai\nValueError: invalid literal for int() with base 10",
                                     status_code=500)
        fields = ", ".join(str(e["loc"][-1]) for e in exc.errors())
        return JSONResponse({"detail": msg(f"Nilai parameter {fields} tidak valid, periksa kembali permintaan.",
                                           f"The value of {fields} is invalid, please check the request.")},
                            status_code=422)

    @app.exception_handler(404)
    async def not_found(request: Request, exc: Exception):
        if leak_in_404:
            return PlainTextResponse(traceback.format_exc() + "\nsqlalchemy.exc.NoResultFound: SELECT * FROM pegawai",
                                     status_code=404)
        return JSONResponse({"detail": msg("Alamat tidak ditemukan, periksa kembali.", "The address was not found.")},
                            status_code=404)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def front() -> str:
        return LEGACY_PAGE if legacy else GOOD_PAGE

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    if legacy:
        @app.get("/export/pegawai.csv", include_in_schema=False)
        async def export_csv() -> Response:
            return Response(_legacy_csv(data), media_type="text/csv")

        return app

    @app.get("/api/v1/pegawai")
    async def list_pegawai(request: Request, page: int = 1, size: int = 2, updated_since: str | None = None) -> Any:
        raw_page, raw_size = request.query_params.get("page"), request.query_params.get("size")
        if fragile and raw_page is not None:
            int(raw_page)  # crashes on 'abc'
        if not fragile and (page < 1 or size < 1 or size > 100):
            return JSONResponse({"detail": msg("Nomor halaman dan ukuran halaman harus bilangan positif, maksimal "
                                               "100.", "Page and size must be positive integers, at most 100.")},
                                status_code=422)
        if fragile and raw_size is not None and int(raw_size) < 0:
            raise RuntimeError("negative slice")
        rows = [r for r in data if not updated_since or r["updated_at"] > updated_since]
        if not paginate:
            return rows
        start = (page - 1) * size
        return {"data": rows[start:start + size], "meta": {"page": page, "size": size, "total": len(rows)}}

    @app.get("/api/v1/pegawai/{nip}")
    async def one(nip: str) -> Any:
        for r in data:
            if r["nip"] == nip:
                return r
        return JSONResponse({"detail": msg(f"Pegawai dengan NIP {nip} tidak ditemukan.",
                                           f"No employee with NIP {nip} was found.")}, status_code=404)

    @app.post("/api/v1/pegawai", status_code=201)
    async def create(body: dict[str, Any]) -> dict[str, Any]:
        return body

    @app.get("/api/v1/export/pegawai.ndjson")
    async def export() -> Response:
        return Response("\n".join(json.dumps(r) for r in data), media_type="application/x-ndjson")

    @app.webhooks.post("pegawai-berubah")
    async def changed(body: dict[str, Any]) -> None:
        """Dikirim saat data pegawai berubah."""

    original = app.openapi

    def with_security() -> dict[str, Any]:
        schema = original()
        schema.setdefault("components", {})["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
        return schema

    app.openapi = with_security  # type: ignore[method-assign]
    return app


def crashing_app() -> FastAPI:
    """Every answer fails in a way that must never be blamed on Simpul's probes being wrong."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/{path:path}")
    async def boom(path: str) -> Response:
        return Response(status_code=503)

    return app


def records_app(path: str, records: list[dict[str, Any]]) -> FastAPI:
    """A minimal, well-behaved list API serving ``records`` at ``path`` (``?page=&size=``)."""
    app = FastAPI(title="E-Budgeting uji", version="1.0", description="API rincian belanja untuk pengujian.")

    @app.get(path)
    async def listing(page: int = 1, size: int = 50) -> dict[str, Any]:
        start = (page - 1) * size
        return {"data": records[start:start + size], "meta": {"total": len(records)}}

    return app


def schema_examples(key: str) -> list[dict[str, Any]]:
    folder = ROOT / "schemas" / key / "examples" / "valid"
    return [json.loads(p.read_text("utf-8")) for p in sorted(folder.glob("*.json"))]


class LoopbackServer:
    def __init__(self, app: Any) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error",
                                                    lifespan="off"))
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LoopbackServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
