"""``spreadsheet``: CSV and XLSX exports, from a drop folder (glob) or a URL, streamed row by row.

Headers are normalised (``"NIP Baru "`` → ``nip_baru``, ``"Tgl. Lahir"`` → ``tgl_lahir``, duplicates get ``_2``,
blanks become ``kolom_<n>``). Files downloaded from a URL go through the HTTP layer (size cap, retries, auth)
into a temporary file first, never into memory. ``since`` keeps only rows whose ``since_column`` is later (rows
without a readable value are kept: they cannot be shown to be old).
"""

from __future__ import annotations

import csv
import glob
import os
import re
import tempfile
import unicodedata
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import Field

from connectors.auth import AuthConfig, NoAuthConfig, build_auth
from connectors.base import Connector
from connectors.config import ResourceConfig, StrictModel
from connectors.errors import FatalError, FieldError, NotFoundError
from connectors.http import HttpSettings
from connectors.masking import redact_url
from connectors.models import ResourceInfo
from connectors.rest_json import infer_fields
from connectors.threads import iterate_in_thread

SNIFF_BYTES = 64 * 1024


class SpreadsheetConfig(StrictModel):
    folder: str | None = Field(None, description="Drop folder where the application leaves its exports")
    base_url: str | None = Field(None, description="Root URL for resources given as relative URLs")
    auth: AuthConfig = Field(default_factory=NoAuthConfig)
    http: HttpSettings = Field(default_factory=HttpSettings)
    page_size: int = Field(500, ge=1, le=100_000, description="Rows per page")
    normalize_headers: bool = True
    encoding: str = Field("auto", description="auto (UTF-8, else Windows-1252) or a codec name")


class SpreadsheetResource(ResourceConfig):
    file: str = Field(..., description="Glob under folder (e.g. pegawai_*.xlsx), absolute path, or URL")
    format: Literal["auto", "csv", "xlsx"] = "auto"
    sheet: str | int | None = Field(None, description="Sheet name or 0-based index (XLSX); the first by default")
    delimiter: str | None = Field(None, description="CSV delimiter; sniffed among , ; tab | by default")
    header_row: int = Field(1, ge=1, description="1-based row of the headers")
    since_column: str | None = Field(None, description="(normalised) column with the last-change time")
    since_format: str | None = Field(None, description="strptime pattern of since_column text, e.g. %d-%m-%Y")


def normalize_headers(raw: list[Any]) -> list[str]:
    names: list[str] = []
    for index, text in enumerate(raw):
        ascii_text = unicodedata.normalize("NFKD", "" if text is None else str(text)).encode("ascii", "ignore")
        name = re.sub(r"[^0-9a-zA-Z]+", "_", ascii_text.decode()).strip("_").lower() or f"kolom_{index + 1}"
        base, n = name, 2
        while name in names:
            name, n = f"{base}_{n}", n + 1
        names.append(name)
    return names


def _is_url(value: str) -> bool:
    return value.startswith(("http://", "https://"))


def _detect_format(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    if suffix in {".csv", ".txt", ".tsv"}:
        return "csv"
    with path.open("rb") as handle:
        return "xlsx" if handle.read(4) == b"PK\x03\x04" else "csv"


def _encoding(path: Path, declared: str) -> str:
    if declared != "auto":
        return declared
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_BYTES)
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not just a character cut in half at the end of the sample
            return "cp1252"
    return "utf-8-sig"


def _csv_rows(path: Path, res: SpreadsheetResource, encoding: str) -> Iterator[list[Any]]:
    with path.open("r", encoding=_encoding(path, encoding), errors="replace", newline="") as handle:
        delimiter = res.delimiter
        if delimiter is None:
            sample = handle.read(SNIFF_BYTES)
            handle.seek(0)
            try:
                delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
            except csv.Error:
                delimiter = ","
        for row in csv.reader(handle, delimiter=delimiter):
            yield [cell.strip() if cell.strip() != "" else None for cell in row]


def _xlsx_rows(path: Path, res: SpreadsheetResource) -> Iterator[list[Any]]:
    import openpyxl

    from registry.io.spreadsheets import UnpackTooLarge, check_xlsx

    try:
        check_xlsx(path)  # the zip directory only: a bomb is refused before one byte is unpacked
    except UnpackTooLarge as exc:
        raise FatalError("spreadsheet.too_large", file=path.name, **exc.params) from None
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if isinstance(res.sheet, str):
            if res.sheet not in book.sheetnames:
                raise NotFoundError("spreadsheet.no_sheet", sheet=res.sheet, file=path.name,
                                    known=", ".join(book.sheetnames))
            sheet = book[res.sheet]
        else:
            sheet = book.worksheets[res.sheet or 0]
        for row in sheet.iter_rows(values_only=True):
            yield [v.strip() or None if isinstance(v, str) else v for v in row]
    finally:
        book.close()


def _as_datetime(value: Any, fmt: str | None) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, fmt) if fmt else datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _newer(value: datetime | None, since: datetime) -> bool:
    if value is None:
        return True
    if (value.tzinfo is None) != (since.tzinfo is None):
        value = value.replace(tzinfo=since.tzinfo)
    return value > since


def read_file_pages(path: Path, res: SpreadsheetResource, cfg: SpreadsheetConfig, since: datetime | None,
                    limit_rows: int | None = None) -> Iterator[list[dict[str, Any]]]:
    """Pages of row dictionaries of one file (blocking; run through :func:`iterate_in_thread`)."""
    fmt = _detect_format(path, res.format)
    rows = _xlsx_rows(path, res) if fmt == "xlsx" else _csv_rows(path, res, cfg.encoding)
    headers: list[str] | None = None
    page: list[dict[str, Any]] = []
    seen = 0
    for number, row in enumerate(rows, start=1):
        if number < res.header_row:
            continue
        if headers is None:
            headers = normalize_headers(row) if cfg.normalize_headers else [str(h) for h in row]
            continue
        if all(v is None for v in row):
            continue
        if len(row) > len(headers):
            headers = headers + normalize_headers([None] * len(row))[len(headers):]
        record = dict(zip(headers, row, strict=False))
        if since is not None and res.since_column and not _newer(
                _as_datetime(record.get(res.since_column), res.since_format), since):
            continue
        page.append(record)
        seen += 1
        if len(page) >= cfg.page_size or (limit_rows and seen >= limit_rows):
            yield page
            page = []
            if limit_rows and seen >= limit_rows:
                return
    if page:
        yield page


class SpreadsheetConnector(Connector):
    type_name = "spreadsheet"
    title: ClassVar[dict[str, str]] = {"id": "Ekspor CSV/XLSX", "en": "CSV/XLSX exports"}
    Config = SpreadsheetConfig
    Resource = SpreadsheetResource
    supports_since = True

    def _validate_more(self, config: Any, resources: dict[str, Any]) -> list[FieldError]:
        errors = []
        for name, res in resources.items():
            if not _is_url(res.file) and not os.path.isabs(res.file) and not (config.folder or config.base_url):
                errors.append(FieldError(f"resources.{name}.file", "spreadsheet.where"))
        return errors

    def _configured(self) -> None:
        self._auth = build_auth(self.config.auth)

    def _location(self, res: SpreadsheetResource) -> str:
        if _is_url(res.file) or os.path.isabs(res.file):
            return res.file
        if self.config.folder:
            return str(Path(self.config.folder) / res.file)
        return f"{self.config.base_url.rstrip('/')}/{res.file.lstrip('/')}"

    def _files(self, res: SpreadsheetResource) -> list[Path]:
        return [Path(p) for p in sorted(glob.glob(self._location(res))) if Path(p).is_file()]

    def _applies_since(self, resource: Any) -> bool:
        return bool(resource.since_column)

    async def _check(self) -> dict[str, Any]:
        if self.config.folder and not Path(self.config.folder).is_dir():
            raise NotFoundError("spreadsheet.no_folder", folder=self.config.folder)
        files: dict[str, Any] = {}
        for name, res in self.resources.items():
            location = self._location(res)
            if _is_url(location):
                try:
                    response = await self.http(self.config.http).request("HEAD", location, auth=self._auth)
                    files[name] = {"url": redact_url(location), "status": response.status_code}
                except FatalError as exc:
                    if exc.params.get("status") not in (405, 501):  # HEAD not allowed: the server did answer
                        raise
                    files[name] = {"url": redact_url(location), "status": exc.params["status"]}
                continue
            found = self._files(res)
            if not found:
                raise NotFoundError("spreadsheet.no_file", resource=name, pattern=location)
            files[name] = {"files": len(found), "latest": max(found, key=lambda p: p.stat().st_mtime).name}
        return {"resources": files}

    async def _discover(self) -> list[ResourceInfo]:
        infos = []
        for name, res in self.resources.items():
            fields = []
            pages = self._pages(res, None, limit_rows=20)
            try:
                async for page in pages:
                    fields = infer_fields(page)
                    break
            finally:
                await pages.aclose()
            infos.append(ResourceInfo(name=name, schema=res.schema_key, fields=fields,
                                      supports_since=bool(res.since_column), pagination="rows",
                                      location=redact_url(self._location(res)), description=res.description))
        return infos

    def _read_pages(self, name: str, resource: Any, since: datetime | None) -> AsyncIterator[list[dict[str, Any]]]:
        return self._pages(resource, since)

    async def _pages(self, res: SpreadsheetResource, since: datetime | None,
                     limit_rows: int | None = None) -> AsyncIterator[list[dict[str, Any]]]:
        location = self._location(res)
        if not _is_url(location):
            for path in self._files(res):
                async for page in iterate_in_thread(lambda p=path: read_file_pages(p, res, self.config, since,
                                                                                     limit_rows)):
                    yield page
            return
        suffix = Path(location.split("?", 1)[0]).suffix or ".bin"
        handle, tmp = tempfile.mkstemp(prefix="simpul-", suffix=suffix)
        os.close(handle)
        path = Path(tmp)
        try:
            await self.http(self.config.http).download(location, path, auth=self._auth)
            async for page in iterate_in_thread(lambda: read_file_pages(path, res, self.config, since, limit_rows)):
                yield page
        finally:
            path.unlink(missing_ok=True)
