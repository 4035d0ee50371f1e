"""Three kabupaten/kota Simpuls served on loopback for the whole module, and a province registry per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .kit import Kota, kota_sites


@pytest.fixture(scope="module")
def kotas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Kota]]:
    with kota_sites(tmp_path_factory.mktemp("kota")) as sites:
        yield sites
