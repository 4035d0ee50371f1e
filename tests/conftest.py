"""Suite-wide fixtures: every test runs against its own temporary SQLite file and output folder."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx2.*")


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test writes ./simpul.db or ./simpul-output, and settings are re-read for each test."""
    from hub.settings import get_settings

    if "SIMPUL_DATABASE_URL" not in os.environ:
        monkeypatch.setenv("SIMPUL_DATABASE_URL", f"sqlite:///{tmp_path / 'simpul.db'}")
    monkeypatch.setenv("SIMPUL_OUTPUT_DIR", str(tmp_path / "simpul-output"))
    monkeypatch.delenv("SIMPUL_LANG", raising=False)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()
