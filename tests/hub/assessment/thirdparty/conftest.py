"""The two Laravel-style APIs on loopback ports, and a registry file that registers them as docs/registry.md says
(written with their ports, like a Diskominfo officer would fill in the addresses)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from ..apps import LoopbackServer
from .laravel import sipera_app, sipera_openapi, siretri_app

CONTACT = {"name": "Petugas Uji", "position": "Pranata Komputer Ahli Muda", "email": "petugas@kab.example"}


@dataclass
class Sites:
    sipera: str
    siretri: str
    registry: Path


def registry_document(sipera: str, siretri: str) -> dict:
    return {
        "simpul_registry": 1,
        "pemda": [{"kode": "35.05", "name": "Kabupaten Blitar", "level": "kabupaten"}],
        "opd": [{"kode_pemda": "35.05", "kode": "5.01.5.05.0.00.01.0000", "name": "Badan Perencanaan Pembangunan "
                 "Daerah", "short_name": "Bappeda"},
                {"kode_pemda": "35.05", "kode": "2.15.0.00.0.00.01.0000", "name": "Dinas Perhubungan",
                 "short_name": "Dishub"}],
        "applications": [
            {"id": "sipera", "name": "SIPERA Kabupaten Blitar", "status": "production", "kode_pemda": "35.05",
             "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus", "contact": CONTACT,
             "supplier": {"vendor": "CV Data Perencana", "developer": "vendor", "source_code_held": True},
             "hosting": {"type": "diskominfo_dc", "base_urls": [sipera]},
             "integration": {"provides": ["perencanaan/kegiatan"], "connector": {"type": "rest_json", "config": {
                 "base_url": sipera, "openapi_file": "openapi/sipera.yaml",  # relative to this registry file
                 "auth": {"type": "bearer", "token": {"env": "SIMPUL_SIPERA_TOKEN"}},
                 "record_path": "data", "since_param": "updated_since", "health_path": "/api/v1/health",
                 "pagination": {"type": "page", "page_param": "page", "size_param": "limit", "page_size": 10,
                                "total_pages_path": "meta.totalPages"},
                 "resources": {"kegiatan": {"path": "/api/v1/kegiatan", "params": {"tahun": 2025},
                                            "schema": "perencanaan/kegiatan"}}}}}},
            {"id": "siretri", "name": "SIRETRI Dinas Perhubungan", "status": "production", "kode_pemda": "35.05",
             "kode_opd": "2.15.0.00.0.00.01.0000", "area": "keuangan", "kind": "khusus", "contact": CONTACT,
             "supplier": {"vendor": "PT Solusi Retribusi", "developer": "vendor", "source_code_held": False},
             "hosting": {"type": "diskominfo_dc", "base_urls": [siretri]},
             "integration": {"provides": ["penganggaran/pendapatan"], "connector": {"type": "rest_json", "config": {
                 "base_url": siretri, "openapi_url": f"{siretri}/api/openapi.json",
                 "auth": {"type": "bearer", "token": {"env": "SIMPUL_SIRETRI_TOKEN"}},
                 "record_path": "data",
                 "pagination": {"type": "page", "page_param": "page", "size_param": "limit", "page_size": 5,
                                "total_pages_path": "pagination.last_page"},
                 "resources": {"retribusi": {"path": "/api/retribusi", "params": {"tahun": 2025},
                                             "schema": "penganggaran/pendapatan"}}}}}},
        ],
    }


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sites]:
    folder = tmp_path_factory.mktemp("pemda")
    with LoopbackServer(sipera_app()) as sipera, LoopbackServer(siretri_app()) as siretri:
        (folder / "openapi").mkdir()
        (folder / "openapi" / "sipera.yaml").write_text(yaml.safe_dump(sipera_openapi(), allow_unicode=True),
                                                       "utf-8")
        registry = folder / "registry.yaml"
        registry.write_text(yaml.safe_dump(registry_document(sipera.url, siretri.url), allow_unicode=True,
                                           sort_keys=False), "utf-8")
        yield Sites(sipera.url, siretri.url, registry)
