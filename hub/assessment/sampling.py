"""A bounded sample of the application's data: a few pages of each resource, read once per run, no retries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hub.assessment.client import Response
from hub.assessment.discovery import Resource, extract_records, parse_tabular, payload_of, resources
from hub.assessment.probes import ProbeContext


@dataclass
class Page:
    resource: Resource
    response: Response
    payload: Any = None
    records: list[dict[str, Any]] | None = None


@dataclass
class Sample:
    pages: list[Page] = field(default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by resource name

    @property
    def requests(self) -> int:
        return len(self.pages)

    @property
    def errors(self) -> list[Page]:
        return [p for p in self.pages if p.response.server_error]

    def first(self, resource: Resource) -> Page | None:
        return next((p for p in self.pages if p.resource is resource and p.records is not None), None)

    def all_records(self, limit: int = 1000) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for records in self.records.values():
            out.extend(records[: max(0, limit - len(out))])
        return out


def records_of(resource: Resource, response: Response) -> tuple[Any, list[dict[str, Any]] | None]:
    if response.status != 200:
        return None, None
    if resource.kind == "tabular":
        try:
            return None, parse_tabular(response)
        except Exception:  # a broken spreadsheet is data we cannot read, not a crash of the assessment
            return None, None
    payload = payload_of(response)
    return payload, extract_records(payload, resource.record_path)


async def fetch(ctx: ProbeContext, resource: Resource, params: dict[str, Any] | None = None,
                label: str = "read") -> Page:
    response = await ctx.client.request("GET", resource.path, params={**resource.params, **(params or {})},
                                        label=label)
    payload, records = records_of(resource, response)
    return Page(resource, response, payload, records)


async def fetch_steady(ctx: ProbeContext, resource: Resource, params: dict[str, Any] | None = None,
                       label: str = "read") -> Page:
    """``fetch`` with one retry after a 5xx or a dropped connection: for probes that measure something other than
    reliability (pagination, filters, identifiers), one transient failure must not hide what they look for."""
    page = await fetch(ctx, resource, params, label)
    if page.response.server_error:
        page = await fetch(ctx, resource, params, label)
    return page


async def sample(ctx: ProbeContext) -> Sample:
    return await ctx.once("sample", lambda: _read(ctx))


async def _read(ctx: ProbeContext) -> Sample:
    result = Sample()
    size = ctx.limits.sample_page_size
    for resource in await resources(ctx):
        collected: list[dict[str, Any]] = []
        if resource.kind == "tabular" or not resource.page_param:
            page = await fetch(ctx, resource)
            result.pages.append(page)
            collected = list(page.records or [])[: size * ctx.limits.sample_pages]
        else:
            previous: list[dict[str, Any]] | None = None
            use_size = bool(resource.size_param)
            for number in range(1, ctx.limits.sample_pages + 1):
                params = {resource.page_param: number, **({resource.size_param: size} if use_size else {})}
                page = await fetch(ctx, resource, params)
                if use_size and number == 1 and page.response.status in (400, 422):
                    use_size = False  # our page size is above the application's maximum: use its default
                    page = await fetch(ctx, resource, {resource.page_param: number})
                result.pages.append(page)
                if page.response.server_error:
                    continue
                records = page.records or []
                if not records or records == previous:
                    break
                collected.extend(records)
                previous = records
                if use_size and len(records) < size:
                    break
        result.records[resource.name] = collected
    return result
