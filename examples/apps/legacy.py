"""The ``legacy`` profile: no JSON API, only spreadsheet exports with old field names and Indonesian formats.

The renaming layer is data (``examples/data/legacy.yaml``): per resource, which canonical field becomes which
column and through which transform. Exports: ``GET /export/<resource>.csv`` (semicolon-separated, as Excel writes
it with Indonesian regional settings) and ``GET /export/<resource>.xlsx``. No token: legacy applications often
publish their exports openly, which is one of the things an assessment should notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response, StreamingResponse

from examples.apps import export
from examples.apps.dataset import Record
from examples.apps.errors import AppError
from examples.apps.query import check_known
from examples.apps.refdata import load
from examples.apps.state import AppState


def rupiah(value: Any) -> str:
    return "Rp " + f"{int(value):,}".replace(",", ".")


def decimal_id(value: Any) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4f}".rstrip("0").replace(".", ",")
    return str(int(value)) if isinstance(value, float) else str(value)


def date_dmy(value: str) -> str:
    return date.fromisoformat(value[:10]).strftime("%d-%m-%Y")


def datetime_dmy(value: str) -> str:
    return datetime.fromisoformat(value).strftime("%d-%m-%Y %H:%M")


def jangka_waktu(value: dict[str, Any]) -> str:
    return f"{value['nilai']} {value['satuan'].replace('_', ' ')}"


def biaya(value: dict[str, Any]) -> str:
    if value.get("gratis"):
        return "Gratis"
    return rupiah(value["tarif"]) if value.get("tarif") else "Sesuai ketentuan retribusi daerah"


TRANSFORMS: dict[str, Callable[[Any], Any]] = {
    "nodots": lambda v: str(v).replace(".", ""),
    "rupiah": rupiah,
    "date_dmy": date_dmy,
    "datetime_dmy": datetime_dmy,
    "decimal_id": decimal_id,
    "upper": lambda v: str(v).upper(),
    "join": lambda v: "; ".join(str(x) for x in v),
    "yes_no": lambda v: "Ya" if v else "Tidak",
    "gender_word": lambda v: {"L": "Laki-laki", "P": "Perempuan"}.get(v, v),
    "title": lambda v: str(v).replace("_", " ").title(),
    "jangka_waktu": jangka_waktu,
    "biaya": biaya,
    "names": lambda v: "; ".join(str(x.get("nama") or x.get("kode_wilayah")) for x in v),
    "jenis_jabatan": lambda v: str(v).replace("_", " ").title(),
}


def mapping(resource: str) -> list[tuple[str, str, str | None]]:
    return [tuple(row) for row in load("legacy")[resource]]  # type: ignore[misc]


def _value(record: Record, path: str) -> Any:
    value: Any = record
    for step in path.split("."):
        if isinstance(value, list):
            value = value[int(step)] if step.isdigit() and int(step) < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value


def to_legacy(resource: str) -> Callable[[Record], dict[str, Any]]:
    """The function that turns a canonical record of ``resource`` into its legacy row."""
    rows = mapping(resource)

    def convert(record: Record) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for path, column, transform in rows:
            value = _value(record, path)
            out[column] = "" if value is None else (TRANSFORMS[transform](value) if transform else value)
        return out

    return convert


def add_legacy(app: FastAPI, state: AppState) -> None:
    resources = state.spec.resources

    async def export_file(resource: str, kind: str, request: Request) -> Response:
        res = resources.get(resource)
        if res is None:
            raise AppError(404, "not_found", resource="ekspor", id=f"{resource}.{kind}")
        check_known(request.query_params, set())
        columns = [column for _, column, _ in mapping(res.name)]
        indices = range(len(res.dataset))
        shape = to_legacy(res.name)
        filename = f'attachment; filename="{res.name.replace("-", "_")}.{kind}"'
        if kind == "xlsx":
            data = export.xlsx_bytes(res.dataset, indices, shape, columns, res.title)
            return Response(data, headers={"Content-Disposition": filename}, media_type=(
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
        stream = export.csv_stream(res.dataset, indices, shape, columns, delimiter=";")
        return StreamingResponse(stream, media_type="text/csv; charset=utf-8",
                                 headers={"Content-Disposition": filename})

    async def as_csv(resource: str, request: Request) -> Response:
        return await export_file(resource, "csv", request)

    async def as_xlsx(resource: str, request: Request) -> Response:
        return await export_file(resource, "xlsx", request)

    app.add_api_route("/export/{resource}.csv", as_csv, methods=["GET"], include_in_schema=False)
    app.add_api_route("/export/{resource}.xlsx", as_xlsx, methods=["GET"], include_in_schema=False)
