"""Property tests: parsers never fail in unexpected ways, whatever the input."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.convert import APP_FIELDS, flatten, unflatten
from registry.errors import InvalidCursor
from registry.io.flat import CellError, format_cell, parse_cell
from registry.pagination import decode, encode


@given(st.text(max_size=200))
def test_a_foreign_cursor_is_always_invalid_cursor(text: str):
    with contextlib.suppress(InvalidCursor):
        decode(text, "name")


SAFE_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


@given(st.sampled_from(["name", "-updated_at", "id"]), st.text(SAFE_TEXT, max_size=50),
       st.text(SAFE_TEXT, min_size=1, max_size=30))
def test_cursor_round_trip(sort: str, value: str, key: str):
    """Values that can be stored survive the cursor; NUL and lone surrogates are refused (InvalidCursor)."""
    if sort.endswith("updated_at"):
        value = "2024-05-01T10:00:00+00:00"
    got_value, got_key = decode(encode(sort, value, key), sort)
    assert got_key == key
    assert str(got_value).startswith(value[:10]) or got_value == value


@given(st.lists(st.text(alphabet=st.characters(blacklist_characters=";", blacklist_categories=("Cs", "Cc")),
                        min_size=1, max_size=10).map(str.strip).filter(bool), max_size=6))
def test_list_cells_round_trip(values: list[str]):
    assert parse_cell("tags", format_cell("tags", values)) == (values or None)


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(allow_nan=False), st.booleans(), st.none()))
@pytest.mark.parametrize("field", ["supplier.source_code_held", "integration.connector.config", "sla.rpo_hours",
                                   "supplier.contract_end", "name", "tags"])
def test_cells_parse_or_raise_cell_error(field: str, value: object):
    with contextlib.suppress(CellError):
        parse_cell(field, value)


def test_flatten_unflatten_are_inverse():
    nested = {"id": "a", "contact": {"name": "B", "email": None}, "integration": {"connector": {"type": "csv",
              "config": {"x": 1}}, "provides": []}}
    flat = flatten(nested)
    assert set(flat) == set(APP_FIELDS)
    again = unflatten({k: v for k, v in flat.items() if v is not None})
    assert again["contact"] == {"name": "B"}
    assert again["integration"]["connector"] == {"type": "csv", "config": {"x": 1}}
