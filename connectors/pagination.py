"""Pagination strategies, each a small named class selectable from YAML by ``type``.

==========  ===========================================================================================
``none``    one request
``page``    ``page`` + ``size`` parameters (``?page=1&size=100``), stops on a short or empty page, or at
            ``total_pages_path`` / ``total_path`` when the body says how many there are
``offset``  ``offset`` + ``limit`` parameters, same stop rules
``cursor``  the next token is in the body (``cursor_path``, e.g. ``meta.next_cursor``) and is sent back as
            ``cursor_param``; or the body carries the next URL (``next_url_path``, e.g. ``links.next``)
``link``    RFC 8288 ``Link: <...>; rel="next"`` header
==========  ===========================================================================================

A strategy is created fresh for each read. ``start()`` gives the first request; ``next(response, records)``
the following one, or ``None`` when there are no more pages. ``max_pages`` stops a runaway loop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import Field

from connectors.config import StrictModel
from connectors.errors import BadPayload
from connectors.paths import get_path


@dataclass
class PageRequest:
    params: dict[str, Any] = field(default_factory=dict)
    url: str | None = None  # an absolute URL given by the application (cursor URL, Link header)


class _Base(StrictModel):
    max_pages: int = Field(100_000, ge=1, description="Safety stop")


class NoPaginationConfig(_Base):
    type: Literal["none"] = "none"


class PagePaginationConfig(_Base):
    type: Literal["page"]
    page_param: str = "page"
    size_param: str = "size"
    page_size: int = Field(100, ge=1)
    start_page: int = 1
    total_pages_path: str | None = None
    total_path: str | None = Field(None, description="Body path of the total number of records")


class OffsetPaginationConfig(_Base):
    type: Literal["offset"]
    offset_param: str = "offset"
    limit_param: str = "limit"
    limit: int = Field(100, ge=1)
    total_path: str | None = None


class CursorPaginationConfig(_Base):
    type: Literal["cursor"]
    cursor_path: str | None = Field("next_cursor", description="Body path of the next token")
    cursor_param: str = "cursor"
    next_url_path: str | None = Field(None, description="Body path of the next page's URL instead of a token")
    size_param: str | None = None
    page_size: int | None = Field(None, ge=1)


class LinkHeaderPaginationConfig(_Base):
    type: Literal["link"]
    size_param: str | None = None
    page_size: int | None = Field(None, ge=1)


PaginationConfig = Annotated[
    NoPaginationConfig | PagePaginationConfig | OffsetPaginationConfig | CursorPaginationConfig
    | LinkHeaderPaginationConfig,
    Field(discriminator="type"),
]


class Paginator:
    name = "none"

    def __init__(self, config: Any) -> None:
        self.config = config
        self.pages = 0

    def start(self) -> PageRequest:
        self.pages = 1
        return PageRequest(self.first_params())

    def first_params(self) -> dict[str, Any]:
        return {}

    def next(self, body: Any, headers: Any, records: list[Any]) -> PageRequest | None:
        if self.pages >= self.config.max_pages:
            return None
        request = self.following(body, headers, records)
        if request is not None:
            self.pages += 1
        return request

    def following(self, body: Any, headers: Any, records: list[Any]) -> PageRequest | None:
        return None


class NoPagination(Paginator):
    pass


def _int_at(body: Any, path: str | None) -> int | None:
    if not path:
        return None
    value = get_path(body, path)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class PagePagination(Paginator):
    name = "page"

    def first_params(self) -> dict[str, Any]:
        c = self.config
        self.page = c.start_page
        self.seen = 0
        return {c.page_param: self.page, c.size_param: c.page_size}

    def following(self, body: Any, headers: Any, records: list[Any]) -> PageRequest | None:
        c = self.config
        self.seen += len(records)
        total_pages = _int_at(body, c.total_pages_path)
        total = _int_at(body, c.total_path)
        if not records or (total is not None and self.seen >= total):
            return None
        if total_pages is not None:
            if self.page - c.start_page + 1 >= total_pages:
                return None
        elif total is None and len(records) < c.page_size:
            return None
        self.page += 1
        return PageRequest({c.page_param: self.page, c.size_param: c.page_size})


class OffsetPagination(Paginator):
    name = "offset"

    def first_params(self) -> dict[str, Any]:
        self.offset = 0
        return {self.config.offset_param: 0, self.config.limit_param: self.config.limit}

    def following(self, body: Any, headers: Any, records: list[Any]) -> PageRequest | None:
        c = self.config
        total = _int_at(body, c.total_path)
        self.offset += len(records)
        if not records or (total is not None and self.offset >= total):
            return None
        if total is None and len(records) < c.limit:
            return None
        return PageRequest({c.offset_param: self.offset, c.limit_param: c.limit})


class CursorPagination(Paginator):
    name = "cursor"

    def first_params(self) -> dict[str, Any]:
        self.seen_tokens: set[str] = set()
        return self._size()

    def _size(self) -> dict[str, Any]:
        c = self.config
        return {c.size_param: c.page_size} if c.size_param and c.page_size else {}

    def following(self, body: Any, headers: Any, records: list[Any]) -> PageRequest | None:
        c = self.config
        if c.next_url_path:
            url = get_path(body, c.next_url_path)
            return self._once(str(url), PageRequest(url=str(url))) if url else None
        token = get_path(body, c.cursor_path) if c.cursor_path else None
        if token in (None, "") or not records:
            return None
        return self._once(str(token), PageRequest({c.cursor_param: token, **self._size()}))

    def _once(self, token: str, request: PageRequest) -> PageRequest:
        if token in self.seen_tokens:  # an application that returns the same cursor forever
            raise BadPayload("pagination.loop", token=token[:40])
        self.seen_tokens.add(token)
        return request


_LINK = re.compile(r'<([^>]+)>\s*((?:;\s*[^;,]+)*)')


def next_link(header: str | None) -> str | None:
    """The ``rel="next"`` target of an RFC 8288 Link header."""
    if not header:
        return None
    for target, attrs in _LINK.findall(header):
        for attr in attrs.split(";"):
            name, _, value = attr.strip().partition("=")
            if name.strip().lower() == "rel" and "next" in value.strip().strip('"').lower().split():
                return target.strip()
    return None


class LinkHeaderPagination(Paginator):
    name = "link"

    def first_params(self) -> dict[str, Any]:
        c = self.config
        return {c.size_param: c.page_size} if c.size_param and c.page_size else {}

    def following(self, body: Any, headers: Any, records: list[Any]) -> PageRequest | None:
        url = next_link(headers.get("link") if headers is not None else None)
        return PageRequest(url=url) if url and records else None


STRATEGIES: dict[str, type[Paginator]] = {
    "none": NoPagination,
    "page": PagePagination,
    "offset": OffsetPagination,
    "cursor": CursorPagination,
    "link": LinkHeaderPagination,
}


def build_paginator(config: Any) -> Paginator:
    if config is None:
        return NoPagination(NoPaginationConfig())
    return STRATEGIES[config.type](config)
