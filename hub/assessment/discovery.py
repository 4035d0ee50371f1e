"""What an application offers, found with few requests: its OpenAPI document, its data resources (from the
connector spec, the OpenAPI, or a short list of usual paths) and a sample of their pages.

Everything here is shared by the probes through ``ProbeContext.once`` and bounded by ``ProbeLimits``.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hub.assessment.client import Response, join
from hub.assessment.openapi_lint import operations, query_params, required_values
from hub.assessment.probes import ProbeContext
from hub.assessment.safety import RefusedHost

OPENAPI_GUESSES = ("openapi.json", "api/openapi.json", "api/v1/openapi.json", "v1/openapi.json", "swagger.json",
                   "api-docs", "v3/api-docs", "openapi.yaml")
PREFIX_GUESSES = ("api/v1/", "api/", "v1/", "")
EXPORT_GUESSES = ("export/{name}.csv", "export/{name}.xlsx", "export/{name}", "ekspor/{name}.csv",
                  "export/{name}.ndjson", "api/v1/export/{name}")
RECORD_KEYS = ("data", "items", "results", "records", "rows", "content", "hasil", "value", "list")
PAGE_PARAMS = ("page", "halaman", "page_number", "pageNumber", "p")
SIZE_PARAMS = ("size", "limit", "per_page", "page_size", "pageSize", "perPage", "jumlah")
SINCE_WORDS = re.compile(r"(since|updated|modified|changed|sejak|diubah)", re.IGNORECASE)
NOT_DATA = re.compile(r"(health|status|docs|openapi|swagger|metrics|export|ekspor|download|webhook|subscri|"
                      r"changes|events|feed|login|logout|auth|token|version|ping|ready|live)", re.IGNORECASE)
ALIASES = {"rincian_belanja": ("belanja", "rka", "dpa"), "produk_hukum": ("peraturan", "regulations", "dokumen"),
           "pegawai": ("asn", "employees", "pns"), "pendapatan": ("revenue",), "permohonan": ("applications",),
           "pengaduan": ("complaints", "aduan"), "layanan": ("services",)}
TABULAR = ("text/csv", "application/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "application/vnd.ms-excel")


@dataclass
class Resource:
    name: str
    path: str
    schema_key: str | None = None
    page_param: str | None = None
    size_param: str | None = None
    since_param: str | None = None
    record_path: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "json"  # json | tabular
    source: str = "guess"  # spec | openapi | guess


@dataclass
class OpenApi:
    document: dict[str, Any] | None = None
    url: str | None = None
    error: str | None = None
    tried: list[str] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)


# -- pure helpers --------------------------------------------------------------------------------------------
def get_path(value: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def extract_records(payload: Any, record_path: str | None = None) -> list[dict[str, Any]] | None:
    """The records of a list answer, or None when the answer holds no list."""
    if record_path:
        found = get_path(payload, record_path)
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else None
    if isinstance(payload, list):
        return [r for r in payload if isinstance(r, dict)]
    if isinstance(payload, dict):
        for key in RECORD_KEYS:
            if isinstance(payload.get(key), list):
                return [r for r in payload[key] if isinstance(r, dict)]
            if isinstance(payload.get(key), dict):
                inner = extract_records(payload[key])
                if inner is not None:
                    return inner
        for value in payload.values():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value[:5]):
                return list(value)
    return None


_SIGNAL_KEYS = ("total", "total_count", "totalCount", "total_items", "totalItems", "count", "total_data",
                "jumlah_data", "next", "next_page", "nextPage", "has_more", "hasMore", "total_pages", "totalPages",
                "pages", "last_page", "cursor", "next_cursor")


def paging_signals(payload: Any, headers: Any) -> list[str]:
    """Markers that a list answer is one page of many (body keys, Link, X-Total-Count, Content-Range)."""
    found: list[str] = []
    if isinstance(payload, dict):
        for container in (None, "meta", "pagination", "paging", "page", "links", "_links", "halaman"):
            node = payload if container is None else payload.get(container)
            if isinstance(node, dict):
                found += [f"{container + '.' if container else ''}{k}" for k in _SIGNAL_KEYS if k in node]
    for name in ("link", "x-total-count", "x-total-pages", "content-range", "x-next-page"):
        if headers is not None and headers.get(name):
            found.append(f"header:{name}")
    return found


REPORTED_SIZE_KEYS = ("per_page", "perPage", "page_size", "pageSize", "limit", "size")


def reported_page_size(payload: Any) -> int | None:
    """The page size a list answer says it used (Laravel's ``meta.per_page``, ``pagination.per_page`` ...): a
    server that echoes ``per_page: 100000`` accepted that size, even when it had fewer records to send."""
    if not isinstance(payload, dict):
        return None
    for container in ("meta", "pagination", "paging", "page", None):
        node = payload if container is None else payload.get(container)
        if isinstance(node, dict):
            for key in REPORTED_SIZE_KEYS:
                value = node.get(key)
                if isinstance(value, int) and not isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.isdigit() and len(value) < 12:
                    return int(value)
    return None


def parse_tabular(response: Response) -> list[dict[str, Any]]:
    """Rows of a CSV or XLSX answer as records (header row = field names)."""
    ctype = response.content_type.lower()
    if "sheet" in ctype or "excel" in ctype or response.content[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(values_only=True)) if book.worksheets else []
        book.close()
        if not rows:
            return []
        header = [str(h) if h is not None else f"kolom_{i + 1}" for i, h in enumerate(rows[0])]
        return [{h: (_cell(v)) for h, v in zip(header, row, strict=False)} for row in rows[1:501]]
    text = response.content.decode("utf-8-sig", errors="replace")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    return [dict(row) for _, row in zip(range(500), csv.DictReader(io.StringIO(text), dialect=dialect),
                                        strict=False)]


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def payload_of(response: Response) -> Any:
    """The decoded JSON (or YAML for an OpenAPI file) of an answer, or None."""
    if response.status is None or not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        pass
    if "yaml" in response.content_type or response.path.endswith((".yaml", ".yml")):
        try:
            return yaml.safe_load(response.text())
        except yaml.YAMLError:
            return None
    return None


def schema_for(name: str, schemas: list[str]) -> str | None:
    """Which of ``schemas`` a path segment like ``sub-kegiatan`` stands for."""
    norm = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    for key in schemas:
        short = key.split("/", 1)[-1].split(":", 1)[0]
        if norm in (short, short.replace("_", "")) or norm in ALIASES.get(short, ()):
            return key
    shorts = {key.split("/", 1)[-1].split(":", 1)[0]: key for key in schemas}
    close = difflib.get_close_matches(norm, list(shorts), n=1, cutoff=0.8)
    return shorts[close[0]] if close else None


def _last_segment(path: str) -> str:
    parts = [p for p in path.split("/") if p and not re.fullmatch(r"v\d+|api", p)]
    return parts[-1] if parts else ""


def openapi_source(value: str, base_dir: Path | None = None) -> tuple[str | None, str | None]:
    """Where an OpenAPI description is: ``(url, None)`` for http(s), ``(None, absolute path)`` for a file (relative
    to ``base_dir``, the registry file's folder, else the working folder). A ``file://`` URL is refused."""
    from hub.errors import BadRequest

    text = value.strip()
    if text.lower().startswith("file:"):
        raise BadRequest("assessment.openapi.file_url", value=text[:200])
    if text.lower().startswith(("http://", "https://")):
        return text, None
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    return None, str(path.resolve())


def read_openapi_file(path: str) -> tuple[dict[str, Any] | None, str | None]:
    """The parsed document of a local OpenAPI file (JSON or YAML), or ``(None, why it could not be read)``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = yaml.safe_load(text)  # YAML 1.1 is a superset of JSON for what OpenAPI files contain
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    if not isinstance(document, dict):
        return None, "not a mapping"
    return document, None


# -- network -------------------------------------------------------------------------------------------------
async def openapi(ctx: ProbeContext) -> OpenApi:
    return await ctx.once("openapi", lambda: _fetch_openapi(ctx))


async def _fetch_openapi(ctx: ProbeContext) -> OpenApi:
    found = OpenApi()
    if ctx.target.openapi_file:  # the registry's own description of the application: read, never fetched
        if ctx.target.openapi_document is None and ctx.target.openapi_error is None:
            document, why = read_openapi_file(ctx.target.openapi_file)
        else:
            document, why = ctx.target.openapi_document, ctx.target.openapi_error
        found.url, found.error, found.tried = ctx.target.openapi_file, why, [ctx.target.openapi_file]
        if isinstance(document, dict) and ("openapi" in document or "swagger" in document):
            found.document = document
            return found
        found.error = why or "not an OpenAPI document"
        if ctx.target.files_only:
            return found
    spec_file = ((ctx.target.connector or {}).get("connector") or {}).get("config", {}).get("openapi_url")
    candidates = [ctx.target.openapi_url] if ctx.target.openapi_url else []
    if isinstance(spec_file, str) and spec_file.startswith("http"):
        candidates.append(spec_file)
    candidates += [join(ctx.target.base_url, g) for g in OPENAPI_GUESSES]
    for url in dict.fromkeys(candidates):
        if len(found.tried) >= max(1, ctx.limits.max_discovery_requests // 3):
            break
        found.tried.append(url)
        try:
            response = await ctx.client.request("GET", url, label="openapi")
        except RefusedHost as exc:  # a foreign OpenAPI address: say so, keep looking on the application's host
            found.error = f"refused: {exc}"
            continue
        found.responses.append(response)
        payload = payload_of(response) if response.status == 200 else None
        if isinstance(payload, dict) and ("openapi" in payload or "swagger" in payload):
            found.document, found.url = payload, url
            return found
        if url == ctx.target.openapi_url:
            found.error = f"HTTP {response.status}" if response.status else (response.error or "no answer")
    return found


def _spec_resources(ctx: ProbeContext) -> list[Resource]:
    spec = ctx.target.connector or {}
    config = (spec.get("connector") or {}).get("config") or {}
    base = str(config.get("base_url") or ctx.target.base_url)
    paging = config.get("pagination") or {}
    out: list[Resource] = []
    for name, res in (spec.get("resources") or config.get("resources") or {}).items():
        res = res or {}
        where = res.get("path") or res.get("file")
        if not isinstance(where, str) or not (where.startswith("/") or where.startswith("http")):
            continue  # declared without a path: found in the OpenAPI description (_find_resources)
        page = {**paging, **(res.get("pagination") or {})}
        kind = "tabular" if str(where).lower().endswith((".csv", ".xlsx")) or res.get("file") else "json"
        out.append(Resource(
            name=str(name), path=join(base, where), schema_key=res.get("schema") or schema_for(str(name), ctx.schemas),
            page_param=page.get("page_param"), size_param=page.get("size_param") or page.get("limit_param"),
            since_param=res.get("since_param") or config.get("since_param"),
            record_path=res.get("record_path") or config.get("record_path"), params=dict(res.get("params") or {}),
            kind=kind, source="spec"))
    return out


def _openapi_resources(ctx: ProbeContext, doc: dict[str, Any]) -> list[Resource]:
    out: list[Resource] = []
    paths = doc.get("paths") or {}
    for method, path, op in operations(doc):
        if method != "GET" or "{" in path or NOT_DATA.search(path):
            continue
        names = query_params(doc, op, paths.get(path))
        segment = _last_segment(path)
        if not segment:
            continue
        page = next((n for n in names if n in PAGE_PARAMS), None)
        size = next((n for n in names if n in SIZE_PARAMS), None)
        required = {k: v for k, v in required_values(doc, op, paths.get(path)).items() if k not in (page, size)}
        if any(v is None for v in required.values()):
            continue  # a required parameter the description gives no value for: Simpul cannot call it honestly
        out.append(Resource(
            name=segment, path=path, schema_key=schema_for(segment, ctx.schemas), page_param=page, size_param=size,
            since_param=next((n for n in names if SINCE_WORDS.search(n)), None), params=required, source="openapi"))
    out.sort(key=lambda r: r.schema_key is None)
    return out


def _declared_without_path(ctx: ProbeContext, found: list[Resource], from_api: list[Resource]) -> list[Resource]:
    """Spec resources declared without ``path``, matched by name (or schema) to an operation of the OpenAPI
    description, keeping what the spec says about them (schema, record path, parameters)."""
    spec = ctx.target.connector or {}
    config = (spec.get("connector") or {}).get("config") or {}
    declared = spec.get("resources") or config.get("resources") or {}
    known = {r.name for r in found}
    out: list[Resource] = []
    for name, res in declared.items():
        res = res or {}
        if str(name) in known or res.get("path") or res.get("file"):
            continue
        wanted = res.get("schema") or schema_for(str(name), ctx.schemas)
        norm = re.sub(r"[^a-z0-9]+", "", str(name).lower())
        match = next((r for r in from_api if re.sub(r"[^a-z0-9]+", "", r.name.lower()) == norm), None) or next(
            (r for r in from_api if wanted and r.schema_key == wanted), None)
        if match is None:
            continue
        out.append(Resource(name=str(name), path=match.path, schema_key=wanted or match.schema_key,
                            page_param=match.page_param, size_param=match.size_param,
                            since_param=res.get("since_param") or match.since_param,
                            record_path=res.get("record_path") or config.get("record_path"),
                            params={**match.params, **dict(res.get("params") or {})}, source="spec+openapi"))
    return out


async def _guess_resources(ctx: ProbeContext, budget: int) -> list[Resource]:
    found: list[Resource] = []
    prefixes = list(PREFIX_GUESSES)
    for key in ctx.schemas[: ctx.limits.max_resources]:
        short = key.split("/", 1)[-1].split(":", 1)[0]
        names = list(dict.fromkeys([short.replace("_", "-"), short]))
        hit = None
        for candidate in [p + n for p in prefixes for n in names] + [g.format(name=n) for g in EXPORT_GUESSES
                                                                     for n in names]:
            if budget <= 0:
                return found
            budget -= 1
            response = await ctx.client.request("GET", candidate, label="discover")
            if response.status != 200:
                continue
            ctype = response.content_type.lower()
            if any(t in ctype for t in TABULAR) or response.content[:2] == b"PK":
                hit = Resource(name=short, path=candidate, schema_key=key, kind="tabular")
            elif extract_records(payload_of(response)) is not None:
                hit = Resource(name=short, path=candidate, schema_key=key)
            if hit:
                prefix = candidate[: -len(candidate.rsplit("/", 1)[-1])] if "/" in candidate else ""
                if hit.kind == "json" and prefix in prefixes:
                    prefixes.remove(prefix)
                    prefixes.insert(0, prefix)
                break
        if hit:
            found.append(hit)
    return found


async def resources(ctx: ProbeContext) -> list[Resource]:
    return await ctx.once("resources", lambda: _find_resources(ctx))


async def _find_resources(ctx: ProbeContext) -> list[Resource]:
    found = _spec_resources(ctx)
    api = await openapi(ctx)
    from_api = _openapi_resources(ctx, api.document) if api.document else []
    found += _declared_without_path(ctx, found, from_api)
    if not found:
        found = from_api
    if not found:
        used = len(api.tried)
        found = await _guess_resources(ctx, max(0, ctx.limits.max_discovery_requests - used))
    found.sort(key=lambda r: (r.schema_key is None, r.kind != "json"))
    return found[: ctx.limits.max_resources]
