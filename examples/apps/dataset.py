"""Records of one resource, in the order of their ``updated_at``, and the application description around them.

Two kinds of dataset, one interface (``len``, ``record(i)``, ``updated_at(i)``, ``locate(id)``):

- :class:`ListDataset` holds a few hundred records (master data such as the nomenclature) and accepts writes: a
  written record moves to the end with ``updated_at`` = now, so the order by ``updated_at`` always holds.
- :class:`LazyDataset` makes record ``i`` on demand from the seed and ``i``; it never holds the whole set, so a
  resource can be scaled to 100,000 records. ``updated_at(i)`` is a cheap, non-decreasing function of ``i``.

Because both are ordered by ``updated_at``, ``?updated_since=`` is a binary search, not a scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from examples.apps.refdata import WIB, iso, parse_ts

Record = dict[str, Any]


class Dataset(Protocol):
    id_field: str

    def __len__(self) -> int: ...
    def record(self, i: int) -> Record: ...
    def updated_at(self, i: int) -> datetime: ...
    def locate(self, record_id: str) -> int | None: ...


class ListDataset:
    def __init__(self, records: list[Record], id_field: str):
        self.id_field = id_field
        self._records = sorted(records, key=lambda r: r["updated_at"])
        self._reindex()

    def _reindex(self) -> None:
        self._stamps = [parse_ts(r["updated_at"]) for r in self._records]
        self._index = {str(r[self.id_field]): i for i, r in enumerate(self._records)}
        if len(self._index) != len(self._records):
            raise ValueError(f"duplicate {self.id_field} in example data")

    def __len__(self) -> int:
        return len(self._records)

    def record(self, i: int) -> Record:
        return self._records[i]

    def updated_at(self, i: int) -> datetime:
        return self._stamps[i]

    def locate(self, record_id: str) -> int | None:
        return self._index.get(record_id)

    def upsert(self, record: Record, now: datetime | None = None) -> bool:
        """Store ``record`` (replacing the one with the same id) as the newest change; True when it is new."""
        stamp = max(now or datetime.now(WIB), self._stamps[-1] if self._stamps else datetime.min.replace(tzinfo=WIB))
        record = {**record, "updated_at": iso(stamp)}
        old = self._index.get(str(record[self.id_field]))
        if old is not None:
            del self._records[old]
        self._records.append(record)
        self._reindex()
        return old is None


class LazyDataset:
    def __init__(
        self,
        n: int,
        make: Callable[[int, datetime], Record],
        updated_at: Callable[[int], datetime],
        id_field: str,
        locate: Callable[[str], int | None] | None = None,
    ):
        self.n, self._make, self._updated_at, self.id_field, self._locate = n, make, updated_at, id_field, locate

    def __len__(self) -> int:
        return self.n

    def updated_at(self, i: int) -> datetime:
        return self._updated_at(i)

    def record(self, i: int) -> Record:
        if not 0 <= i < self.n:
            raise IndexError(i)
        return self._make(i, self._updated_at(i))

    def locate(self, record_id: str) -> int | None:
        """Index of ``record_id``: by the resource's inverse function, checked against the record it names."""
        i = self._locate(record_id) if self._locate else None
        if i is not None and 0 <= i < self.n and str(self.record(i)[self.id_field]) == record_id:
            return i
        return None


def index_locator(prefix: str) -> Callable[[str], int | None]:
    """For ids made as ``prefix + <1-based number>`` (``RB-2026-000123``): id → index."""
    def locate(record_id: str) -> int | None:
        tail = record_id.removeprefix(prefix)
        return int(tail) - 1 if tail != record_id and tail.isdigit() else None
    return locate


def first_at_or_after(ds: Dataset, since: datetime) -> int:
    lo, hi = 0, len(ds)
    while lo < hi:
        mid = (lo + hi) // 2
        if ds.updated_at(mid) < since:
            lo = mid + 1
        else:
            hi = mid
    return lo


def field_value(record: Record, path: str) -> Any:
    """``record["a"]["b"]`` for ``"a.b"``; None when a step is missing."""
    value: Any = record
    for step in path.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def select(ds: Dataset, since: datetime | None, filters: dict[str, str]) -> Sequence[int]:
    """Indices of the records changed at or after ``since`` whose fields (dotted paths) equal ``filters``.

    ``since`` is a binary search; other filters scan the records after it (fine for the default sizes).
    """
    start = first_at_or_after(ds, since) if since else 0
    if not filters:
        return range(start, len(ds))
    return [i for i in range(start, len(ds))
            if all(str(field_value(ds.record(i), k)) == v for k, v in filters.items())]


def records(ds: Dataset, indices: Sequence[int]) -> Iterator[Record]:
    for i in indices:
        yield ds.record(i)


def clean(value: Any) -> Any:
    """Drop ``None`` members recursively: an absent optional field is left out, never sent as null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


@dataclass
class Resource:
    """One collection of an application, served at ``/api/v1/<name>``."""

    name: str
    title: str
    schema: str  # canonical schema key, e.g. "perencanaan/sub_kegiatan"
    dataset: Dataset
    filters: tuple[str, ...] = ()
    body_model: Any = None  # a pydantic model: the resource accepts POST and PUT with bodies of this shape

    @property
    def id_field(self) -> str:
        return self.dataset.id_field


@dataclass
class AppSpec:
    """What an example application serves; built fresh for every configuration (seed, profile, sizes)."""

    key: str
    title: str
    owner: str  # the OPD that runs it
    summary: str
    resources: dict[str, Resource]
    primary: str
    extras: list[Callable[..., None]] = field(default_factory=list)  # add routes: fn(router, state)
