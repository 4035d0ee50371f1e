"""Pagination strategies: each stops where the application says the data ends, and never loops forever."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from pydantic import TypeAdapter

from connectors import build_connector
from connectors.errors import BadPayload
from connectors.pagination import PaginationConfig, build_paginator, next_link

BASE = "https://app.test/api"


def paginator(**config: Any):
    return build_paginator(TypeAdapter(PaginationConfig).validate_python(config))


def test_page_size_stops_on_a_short_page() -> None:
    p = paginator(type="page", page_size=2)
    assert p.start().params == {"page": 1, "size": 2}
    assert p.next({}, {}, [1, 2]).params == {"page": 2, "size": 2}
    assert p.next({}, {}, [3]) is None


def test_page_size_follows_total_pages_from_the_body() -> None:
    p = paginator(type="page", page_param="hal", size_param="per_page", page_size=2, start_page=0,
                  total_pages_path="meta.total_pages")
    assert p.start().params == {"hal": 0, "per_page": 2}
    assert p.next({"meta": {"total_pages": 2}}, {}, [1, 2]).params == {"hal": 1, "per_page": 2}
    assert p.next({"meta": {"total_pages": 2}}, {}, [3, 4]) is None


def test_page_size_stops_at_total_records() -> None:
    p = paginator(type="page", page_size=2, total_path="total")
    p.start()
    assert p.next({"total": 4}, {}, [1, 2]) is not None
    assert p.next({"total": 4}, {}, [3, 4]) is None


def test_offset_limit() -> None:
    p = paginator(type="offset", limit=3)
    assert p.start().params == {"offset": 0, "limit": 3}
    assert p.next({}, {}, [1, 2, 3]).params == {"offset": 3, "limit": 3}
    assert p.next({}, {}, [4]) is None


def test_offset_limit_with_total() -> None:
    p = paginator(type="offset", offset_param="skip", limit_param="take", limit=2, total_path="count")
    p.start()
    assert p.next({"count": 4}, {}, [1, 2]).params == {"skip": 2, "take": 2}
    assert p.next({"count": 4}, {}, [3, 4]) is None


def test_cursor_token_in_the_body() -> None:
    p = paginator(type="cursor", cursor_path="meta.next", cursor_param="after", size_param="limit", page_size=50)
    assert p.start().params == {"limit": 50}
    assert p.next({"meta": {"next": "abc"}}, {}, [1]).params == {"after": "abc", "limit": 50}
    assert p.next({"meta": {"next": None}}, {}, [2]) is None


def test_cursor_next_url_in_the_body() -> None:
    p = paginator(type="cursor", next_url_path="links.next")
    p.start()
    assert p.next({"links": {"next": f"{BASE}/x?page=2"}}, {}, [1]).url == f"{BASE}/x?page=2"
    assert p.next({"links": {"next": ""}}, {}, [1]) is None


def test_a_cursor_that_repeats_is_an_error_not_an_endless_loop() -> None:
    p = paginator(type="cursor")
    p.start()
    p.next({"next_cursor": "same"}, {}, [1])
    with pytest.raises(BadPayload):
        p.next({"next_cursor": "same"}, {}, [1])


def test_link_header() -> None:
    header = f'<{BASE}/x?page=1>; rel="prev", <{BASE}/x?page=3>; rel="next"'
    assert next_link(header) == f"{BASE}/x?page=3"
    assert next_link(f'<{BASE}/x?page=9>; rel="last"') is None
    p = paginator(type="link", size_param="per_page", page_size=10)
    assert p.start().params == {"per_page": 10}
    assert p.next({}, httpx.Headers({"Link": header}), [1]).url == f"{BASE}/x?page=3"
    assert p.next({}, httpx.Headers({}), [1]) is None


def test_none_is_one_request() -> None:
    p = paginator(type="none")
    assert p.start().params == {}
    assert p.next({}, {}, [1, 2, 3]) is None


def test_max_pages_is_a_safety_stop() -> None:
    p = paginator(type="page", page_size=1, max_pages=2)
    p.start()
    assert p.next({}, {}, [1]) is not None
    assert p.next({}, {}, [1]) is None


def _connector(pagination: dict[str, Any], **resource: Any):
    return build_connector({
        "connector": {"type": "rest_json", "config": {"base_url": BASE, "pagination": pagination,
                                                      "http": {"backoff_initial_s": 0}}},
        "resources": {"items": {"path": "/items", **resource}},
    })


async def test_rest_json_reads_every_page_through_the_link_header() -> None:
    connector = _connector({"type": "link"})
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/items", params={"p": "2"}).respond(json=[{"id": 3}])
        mock.get(f"{BASE}/items").respond(json=[{"id": 1}, {"id": 2}],
                                          headers={"Link": f'<{BASE}/items?p=2>; rel="next"'})
        records = [r async for r in connector.read("items")]
    assert [r["id"] for r in records] == [1, 2, 3]
    assert connector.last_read.pages == 2


async def test_rest_json_cursor_pages_and_record_path() -> None:
    connector = _connector({"type": "cursor", "cursor_path": "meta.next_cursor"}, record_path="data.items")
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/items", params={"cursor": "c2"}).respond(
            json={"data": {"items": [{"id": 2}]}, "meta": {"next_cursor": None}})
        mock.get(f"{BASE}/items").respond(json={"data": {"items": [{"id": 1}]}, "meta": {"next_cursor": "c2"}})
        records = [r async for r in connector.read("items")]
    assert [r["id"] for r in records] == [1, 2]


async def test_pages_are_streamed_not_collected() -> None:
    """The first page is handed over before the second is requested."""
    connector = _connector({"type": "page", "page_size": 1})
    with respx.mock(assert_all_called=True) as mock:
        first = mock.get(f"{BASE}/items", params={"page": "1"}).respond(json=[{"id": 1}])
        second = mock.get(f"{BASE}/items", params={"page": "2"}).respond(json=[])
        pages = connector.read_pages("items")
        page = await pages.__anext__()
        assert page == [{"id": 1}] and first.call_count == 1 and second.call_count == 0
        rest = [p async for p in pages]
    assert rest == []
