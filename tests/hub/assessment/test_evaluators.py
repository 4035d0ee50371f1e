"""Evaluators and detectors on canned observations (no network)."""

from __future__ import annotations

import pytest

from hub.assessment.catalog import load_catalog
from hub.assessment.detect import (
    code_values,
    find_leaks,
    id_candidates,
    is_readable,
    language_of,
    local_format_violations,
    message_texts,
    percentile,
)
from hub.assessment.evaluators import evaluate
from hub.assessment.htmlaudit import audit
from hub.assessment.models import Status
from hub.assessment.openapi_lint import lint

CATALOG = load_catalog()


def verdict(check_id: str, **observation):
    return evaluate(CATALOG.get(check_id), observation)


@pytest.mark.parametrize(("text", "kinds"), [
    ('Traceback (most recent call last):\n  File "/app/x.py", line 3, in f', {"traceback", "file_path"}),
    ("java.lang.NullPointerException\n\tat id.go.app.Svc.list(Svc.java:42)", {"traceback", "exception_class"}),
    ("SQLSTATE[42S22]: Column not found", {"sql"}),
    ("ERROR: syntax error at or near \"'\"", {"sql"}),
    ("Fatal error: Uncaught Error in /var/www/html/index.php on line 12", {"file_path"}),
    ("KeyError: 'page'", {"exception_class"}),
])
def test_internal_detail_is_recognised(text, kinds):
    assert kinds <= set(find_leaks(text))


@pytest.mark.parametrize("text", [
    '{"detail": "Nomor halaman harus berupa angka."}',
    "Please select a value from the list.",
    '{"type": "urn:simpul:problem:bad-request", "title": "Bad request", "status": 400}',
    "Kesalahan validasi: kolom tanggal wajib diisi.",
])
def test_ordinary_messages_are_not_leaks(text):
    assert find_leaks(text) == []


def test_messages_are_found_in_usual_error_shapes():
    shape = '{"detail": [{"msg": "nilai tidak valid", "loc": ["query", "page"]}]}'
    assert message_texts(shape) == ["nilai tidak valid"]
    assert message_texts('{"error": {"message": "Data tidak ditemukan"}}') == ["Data tidak ditemukan"]
    assert message_texts("<html><body><h1>Halaman tidak ditemukan</h1></body></html>") == ["Halaman tidak ditemukan"]
    assert message_texts("") == []


def test_language_guess():
    assert language_of("Nomor halaman harus berupa angka bulat") == "id"
    assert language_of("The page number must be an integer") == "en"
    assert language_of("OK") == "unknown"
    assert is_readable("Data pegawai tidak ditemukan") and not is_readable("E42")


def test_local_formats_in_raw_records():
    found = local_format_violations({"tgl": "31-12-2024", "pagu": "1.500.000", "harga_satuan": "25000",
                                     "nested": {"total": "Rp. 2.000.000,-"}, "tanggal": "2024-12-31", "nama": "Rp"})
    assert {f.split("=")[0] for f in found} == {"tgl", "pagu", "harga_satuan", "total"}


def test_national_code_patterns():
    codes = {(f, ok) for f, _, ok in code_values([
        {"kode_sub_kegiatan": "X.XX.01.2.15.0001", "kode_rekening": "5.1.02.01.01.0024",
         "kode_opd": "1.03.0.00.0.00.01.0000", "lokasi": [{"kode_wilayah": "35.72.01.1001"}]},
        {"kode_sub_kegiatan": "1.02.02.1.01.01", "kode_rekening": "5.1.01.01.001.00001"},
    ])}
    assert ("kode_sub_kegiatan", True) in codes and ("kode_sub_kegiatan", False) in codes
    assert ("kode_rekening", False) in codes and ("kode_wilayah", True) in codes


def test_identifier_choice_prefers_ids_over_reference_codes():
    records = [{"kode_pemda": "35.72", "kode_opd": "1", "nip": "a"}, {"kode_pemda": "35.71", "kode_opd": "2",
                                                                       "nip": "b"}]
    assert id_candidates(records)[0] == "nip"
    assert id_candidates([{"kode_program": "1.01.01", "kode_pemda": "35.72"},
                          {"kode_program": "1.01.02", "kode_pemda": "35.72"}]) == ["kode_program"]


def test_percentile_is_nearest_rank():
    assert percentile([10, 20, 30, 40], 0.5) == 20
    assert percentile([10, 20, 30, 40], 0.95) == 40
    assert percentile([], 0.95) == 0.0


def test_html_audit():
    facts = audit('<html lang="id-ID"><head><title> Beranda </title><meta name="viewport" content="width=1">'
                  '</head><body><label>Nama <input name="n"></label><input id="x" aria-label="Cari">'
                  '<input type="hidden" name="csrf"><select id="s"></select><label for="s">Pilih</label>'
                  '<textarea id="t"></textarea><img src="a" alt=""></body></html>')
    assert facts.lang == "id-ID" and facts.title == "Beranda" and facts.has_viewport
    assert len(facts.fields) == 4 and facts.unlabelled == 1
    assert facts.images == 1 and facts.images_without_alt == 0


def test_openapi_structural_rules():
    kind, problems = lint({"openapi": "3.0.3", "info": {"title": "x"},
                           "paths": {"pegawai": {"get": {}}, "/a/{id}": {"get": {"responses": {"200": {}}}},
                                     "/b": {"get": {"responses": {"200": {"$ref": "#/components/responses/Nope"}}}}}})
    assert kind == "openapi3"
    text = " ".join(problems)
    for expected in ("info.version", "does not start with '/'", "no responses", "not declared", "points nowhere"):
        assert expected in text
    assert lint("not a dict")[0] == "unknown"


def test_latency_needs_enough_samples_else_error():
    assert verdict("REL-002", latencies_ms=[10]).status is Status.ERROR


def test_availability_without_attempts_is_an_error_not_a_failure():
    assert verdict("REL-001", attempts=0, successes=0).status is Status.ERROR


def test_robustness_counts_timeouts_and_resets_as_server_errors():
    v = verdict("REL-003", cases=[{"case": "page=abc", "expect": "4xx", "status": None, "error": "timeout"}])
    assert v.status is Status.FAIL and v.measured["server_errors"] == 1


def test_load_growth_ignores_tiny_absolute_latencies():
    v = verdict("SCA-003", levels=[{"concurrency": 1, "p95_ms": 2, "requests": 3, "errors": 0},
                                  {"concurrency": 8, "p95_ms": 20, "requests": 24, "errors": 0}])
    assert v.status is Status.PASS


def test_load_with_errors_fails():
    v = verdict("SCA-003", levels=[{"concurrency": 1, "p95_ms": 20, "requests": 3, "errors": 0},
                                  {"concurrency": 8, "p95_ms": 20, "requests": 24, "errors": 6}])
    assert v.status is Status.FAIL


def test_canonical_conformance_without_schema_is_not_applicable_and_without_records_an_error():
    assert verdict("INT-001", schemas={}, no_schema=True).status is Status.NOT_APPLICABLE
    assert verdict("INT-001", schemas={}).status is Status.ERROR


def test_references_need_partner_data():
    assert verdict("INT-005", pairs=[]).status is Status.ERROR


def test_auth_basic_over_http_to_a_public_host_fails():
    v = verdict("ITG-002", scheme="http", public=True, query_secrets=[], basic_auth=True,
                security_schemes={"b": {"type": "http", "scheme": "basic"}})
    assert v.status is Status.FAIL


def test_export_counts_json_only_as_an_attachment():
    plain = verdict("ITG-003", candidates=[{"path": "/x", "status": 200, "content_type": "application/json"}])
    attached = verdict("ITG-003", candidates=[{"path": "/x", "status": 200, "content_type": "application/json",
                                               "disposition": 'attachment; filename="x.json"'}])
    assert plain.status is Status.FAIL and attached.status is Status.PASS


def test_versioning_not_applicable_without_an_api():
    v = verdict("SCA-004", paths=["/export/a.csv"], version_headers={}, api_less=True)
    assert v.status is Status.NOT_APPLICABLE
    assert verdict("SCA-004", paths=["/x"], version_headers={"api-version": "2"}).status is Status.PASS


def test_stable_ids_recognise_common_identifier_names_and_declared_keys():
    from hub.assessment.detect import id_candidates

    records = [{"idData": i, "nama": f"n{i}", "kode_skpd": "1.02"} for i in range(3)]
    assert id_candidates(records) == ["idData"]  # camelCase as Pemda feeds write it
    assert id_candidates([{"pegawai_id": 1}, {"pegawai_id": 2}]) == ["pegawai_id"]
    assert id_candidates([{"kode_barang": "a"}, {"kode_barang": "b"}]) == ["kode_barang"]
    assert id_candidates([{"nomor_surat": "x", "ref": "p"}, {"nomor_surat": "y", "ref": "q"}],
                         declared=["ref"]) == ["ref", "nomor_surat"]
