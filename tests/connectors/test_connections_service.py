"""hub.services.connections: spec files and registry applications → check, discover, pull (read → map → validate)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import respx
import yaml

from hub.errors import BadRequest
from hub.services import connections
from hub.services.connections import ConnectorProblem, PullStats

BASE = "https://simpeg.test/api"
PEGAWAI = {
    "nip": "19850315 201001 1 002", "nama": "Budi Santoso", "lahir": "15-03-1985", "jk": "Laki-laki",
    "jabatan": "Kepala Seksi", "jenis_jabatan": "struktural", "eselon": "IV.a",
    "opd": "2.16.2.20.2.21.01.0000", "nama_opd": "Diskominfo",
}
MAPPING = {
    "schema": "kepegawaian/pegawai",
    "fields": {
        "nip": {"from": "nip", "code": {"remove_spaces": True}},
        "jenis_asn": {"const": "PNS"},
        "nama": "nama",
        "tanggal_lahir": {"from": "lahir", "date": "%d-%m-%Y"},
        "jenis_kelamin": {"from": "jk", "map": {"Laki-laki": "L", "Perempuan": "P"}, "map_unknown": "keep"},
        "jabatan.nama": "jabatan",
        "jabatan.jenis_jabatan": "jenis_jabatan",
        "jabatan.eselon": "eselon",
        "unit_kerja.kode_opd": "opd",
        "unit_kerja.nama": "nama_opd",
        "status_kepegawaian": {"const": "aktif"},
        "kode_pemda": {"const": "35.72"},
    },
}


def write_spec(folder: Path, spec: dict[str, Any], mapping: dict[str, Any] | None = None) -> Path:
    if mapping is not None:
        (folder / "mappings").mkdir(exist_ok=True)
        (folder / "mappings" / "pegawai.yaml").write_text(yaml.safe_dump(mapping), encoding="utf-8")
    path = folder / "simpeg.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def rest_spec(**resource: Any) -> dict[str, Any]:
    return {"app": "simpeg", "connector": {"type": "rest_json", "config": {
        "base_url": BASE, "pagination": {"type": "page", "page_size": 2}, "http": {"backoff_initial_s": 0}}},
        "resources": {"pegawai": {"path": "/pegawai", "mapping_file": "mappings/pegawai.yaml", **resource}}}


async def test_pull_reads_maps_and_validates(tmp_path: Path) -> None:
    bad_gender = {**PEGAWAI, "nip": "199007222015032001", "nama": "Siti", "lahir": "22-07-1990", "jk": "X"}
    no_date = {**PEGAWAI, "lahir": "kemarin"}
    spec = connections.load_spec(write_spec(tmp_path, rest_spec(), MAPPING))
    stats = PullStats(resource="pegawai")
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai", params__eq={"page": "1", "size": "2"}).respond(json=[PEGAWAI, bad_gender])
        mock.get(f"{BASE}/pegawai", params__eq={"page": "2", "size": "2"}).respond(json=[no_date])
        pulled = [p async for p in connections.pull(spec, "pegawai", stats=stats)]
    assert (stats.read, stats.mapped, stats.unmapped, stats.valid, stats.invalid) == (3, 2, 1, 1, 1)
    good, invalid, unmapped = pulled
    assert good.record["nip"] == "198503152010011002" and good.validation.valid and good.mapping_errors == []
    assert good.raw == PEGAWAI
    assert invalid.validation.valid is False
    assert unmapped.record is None and unmapped.mapping_errors[0].source == "lahir"
    kinds = [(p["record"], p["kind"]) for p in stats.problems]
    assert (2, "validation") in kinds and (3, "mapping") in kinds
    assert all(p["message"]["id"] and p["message"]["en"] for p in stats.problems)


async def test_pull_stops_at_the_limit_without_reading_further_pages(tmp_path: Path) -> None:
    spec = connections.load_spec(write_spec(tmp_path, rest_spec(), MAPPING))
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai", params__eq={"page": "1", "size": "2"}).respond(json=[PEGAWAI, PEGAWAI])
        pulled = [p async for p in connections.pull(spec, "pegawai", limit=2)]
    assert len(pulled) == 2


async def test_without_a_mapping_raw_records_pass_through(tmp_path: Path) -> None:
    spec = connections.spec_from_dict({"connector": {"type": "rest_json", "config": {"base_url": BASE}},
                                       "resources": {"opd": {"path": "/opd"}}})
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/opd").respond(json=[{"kode": "1"}])
        (item,) = [p async for p in connections.pull(spec, "opd")]
    assert item.record == {"kode": "1"} and item.validation is None


def test_paths_in_a_spec_are_relative_to_the_spec_file(tmp_path: Path) -> None:
    spec = connections.load_spec(write_spec(tmp_path, {
        "connector": {"type": "spreadsheet", "config": {"folder": "ekspor"}},
        "resources": {"pegawai": {"file": "*.csv", "mapping_file": "mappings/pegawai.yaml"}}}, MAPPING))
    assert spec.name == "simpeg"
    assert spec.connector["config"]["folder"] == str(tmp_path / "ekspor")
    assert spec.resources["pegawai"]["mapping_file"] == str(tmp_path / "mappings" / "pegawai.yaml")
    assert connections.mapper_for(spec, "pegawai").schema_key == "kepegawaian/pegawai"


async def test_discover_names_the_schema_of_the_mapping(tmp_path: Path) -> None:
    spec = connections.load_spec(write_spec(tmp_path, rest_spec(), MAPPING))
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(json=[PEGAWAI])
        (info,) = await connections.discover(spec)
    assert info.schema_key == "kepegawaian/pegawai" and "nip" in [f.name for f in info.fields]


async def test_check_through_the_service(tmp_path: Path) -> None:
    spec = connections.load_spec(write_spec(tmp_path, rest_spec(), MAPPING))
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(json=[])
        result = await connections.check(spec)
    assert result.ok and result.app == "simpeg"


async def test_spec_problems_are_simpul_errors_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(BadRequest):
        connections.load_spec(tmp_path / "tidak-ada.yaml")
    (tmp_path / "rusak.yaml").write_text("connector: [", encoding="utf-8")
    with pytest.raises(BadRequest):
        connections.load_spec(tmp_path / "rusak.yaml")
    spec = connections.spec_from_dict({"connector": {"type": "rest_json", "config": {"base_url": "ftp://x"}}})
    with pytest.raises(ConnectorProblem) as info:
        await connections.discover(spec)
    problem = info.value
    assert problem.status == 422 and problem.problem("en")["errors"][0]["field"] == "config.base_url"
    assert "base_url" in problem.message("id") and "base_url" in problem.message("en")
    assert problem.message("id") != problem.message("en")


async def test_a_connector_failure_becomes_a_connector_problem(tmp_path: Path) -> None:
    spec = connections.load_spec(write_spec(tmp_path, rest_spec(), MAPPING))
    with respx.mock(assert_all_called=True) as mock:
        mock.get(f"{BASE}/pegawai").respond(403)
        with pytest.raises(ConnectorProblem) as info:
            [p async for p in connections.pull(spec, "pegawai")]
    assert info.value.status == 502 and "403" in info.value.message("en")
    assert info.value.problem("en")["key"] == "http.forbidden"


def test_spec_from_a_registry_application() -> None:
    app = {"id": "simpeg", "integration": {"connector": {"type": "rest_json", "config": {
        "base_url": BASE, "auth": {"type": "api_key", "header": "X-API-Key", "api_key": {"env": "SIMPEG_KEY"}},
        "resources": {"pegawai": {"path": "/pegawai"}}}}, "provides": ["kepegawaian/pegawai"]}}
    spec = connections.spec_from_application(app)
    assert spec.name == "simpeg" and spec.source == "registry:simpeg"
    assert "resources" not in spec.connector["config"] and spec.resources == {"pegawai": {"path": "/pegawai"}}
    with pytest.raises(BadRequest):
        connections.spec_from_application({"id": "sipd", "integration": {}})


def test_spec_from_a_real_registry_model() -> None:
    models = pytest.importorskip("registry.models")
    app = models.ApplicationIn.model_validate({
        "id": "simpeg", "name": "SIMPEG", "status": "production", "kode_pemda": "35.72",
        "kode_opd": "5.03.5.04.0.00.01.0000", "area": "kepegawaian", "kind": "khusus",
        "integration": {"connector": {"type": "rest_json", "config": {"base_url": BASE}}}})
    spec = connections.spec_from_application(app)
    assert spec.connector == {"type": "rest_json", "config": {"base_url": BASE}}


def test_resolve_a_spec_path_or_a_registry_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_spec(tmp_path, rest_spec(), MAPPING)
    assert connections.resolve(str(path)).name == "simpeg"
    with pytest.raises(BadRequest):
        connections.resolve("e-planning")
    app = {"id": "e-planning", "integration": {"connector": {"type": "openapi", "config": {
        "openapi_url": "https://x.test/openapi.json"}}}}
    monkeypatch.setattr(connections, "application_lookup", lambda name: app if name == "e-planning" else None)
    assert connections.resolve("e-planning").connector["type"] == "openapi"
