"""Normalisation, the same everywhere: the normaliser, `simpul validate --normalise`, the API option, mappings."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from connectors.errors import ConfigError
from connectors.mapping import Mapper
from hub.api.app import create_app
from hub.cli import app
from hub.settings import PROJECT_ROOT
from hub.validation import normalise
from hub.validation.service import validate_files

runner = CliRunner()
PEGAWAI = json.loads((PROJECT_ROOT / "schemas/kepegawaian/pegawai/examples/valid/jatim_pns_struktural.json")
                     .read_text(encoding="utf-8"))
DISPLAY = {**copy.deepcopy(PEGAWAI), "nip": "19720412 199803 1 003", "tanggal_lahir": "12-04-1972",
           "tmt_golongan": "01/10/2016", "unit_kerja": {"kode_opd": "501000000010000", "nama": "Bappeda"}}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("kind", "display", "normal"), [
    ("nip", "19671110 199203 1 001", "196711101992031001"),
    ("nik", "3572 0355 0385 0002", "3572035503850002"),
    ("tanggal", "18-03-2024", "2024-03-18"),
    ("tanggal", "18/03/2024", "2024-03-18"),
    ("kode_rekening", "510201010024", "5.1.02.01.01.0024"),
    ("kode_rekening", "4101", "4.1.01"),
    ("kode_opd", "103000000010000", "1.03.0.00.0.00.01.0000"),
    ("kode_sub_kegiatan", "102022010001", "1.02.02.2.01.0001"),
    ("kode_program", "XXX01", "X.XX.01"),
])
def test_known_display_forms_become_their_normal_form(kind, display, normal):
    assert normalise.normal_form(kind, display) == normal
    assert normalise.normal_form(kind, normal) is None  # already normal: nothing to change


@pytest.mark.parametrize(("kind", "value"), [
    ("nip", "19671110 199203 1 00"),        # 17 digits
    ("tanggal", "31-02-2024"),              # no such day
    ("tanggal", "2024/03/18"),              # not a known display form
    ("kode_rekening", "5.1.02.01.01.024"),  # legacy width: guessing would corrupt it
    ("kode_opd", "1.03.0.00"),
])
def test_what_is_not_a_known_display_form_is_left_alone(kind, value):
    assert normalise.normal_form(kind, value) is None


def test_every_kind_shows_its_display_examples_turning_into_the_normal_form():
    for kind in normalise.kinds().values():
        assert kind.display and kind.source
        for shown in kind.display:
            assert normalise.normal_form(kind.name, shown) is not None, (kind.name, shown)


def test_the_1_1_schemas_name_the_kind_of_every_normalisable_field():
    from hub.validation.store import get_store

    store = get_store()
    slots = dict(normalise.slots(store.resolved(store.get("kepegawaian/pegawai"))))
    assert slots[("nip",)] == "nip" and slots[("tanggal_lahir",)] == "tanggal"
    assert slots[("unit_kerja", "kode_opd")] == "kode_opd" and slots[("nik",)] == "nik"
    assert normalise.slots(store.resolved(store.get("kepegawaian/pegawai:1"))) == ()


def test_without_normalise_the_error_names_the_normal_form(tmp_path: Path):
    path = tmp_path / "pegawai.json"
    path.write_text(json.dumps(DISPLAY), encoding="utf-8")
    result = runner.invoke(app, ["--lang", "en", "validate", "kepegawaian/pegawai", str(path), "-f", "json"])
    assert result.exit_code == 1, result.output
    issues = {i["pointer"]: i["message"]["en"] for i in json.loads(result.output)["documents"][0]["issues"]}
    assert "normal form: 1972-04-12" in issues["/tanggal_lahir"] and "--normalise" in issues["/tanggal_lahir"]
    assert "normal form: 5.01.0.00.0.00.01.0000" in issues["/unit_kerja/kode_opd"]
    assert "normal form:" in issues["/nip"] and "199803" not in issues["/nip"]  # named, but masked


def test_cli_normalise_accepts_display_forms_reports_changes_and_writes_the_file(tmp_path: Path):
    path = tmp_path / "pegawai.json"
    path.write_text(json.dumps([DISPLAY, PEGAWAI]), encoding="utf-8")
    out = tmp_path / "normal.json"
    result = runner.invoke(app, ["--lang", "en", "validate", "kepegawaian/pegawai", str(path), "--normalise",
                                 "--write-normalised", str(out)])
    assert result.exit_code == 0, result.output
    text = flat(result.output)
    assert "Normalised: 4 value(s) in 1 document(s)" in text
    assert "/tanggal_lahir: 12-04-1972 → 1972-04-12 (tanggal)" in text
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written[0]["nip"] == "197204121998031003" and written[0]["tmt_golongan"] == "2016-10-01"
    assert written[0]["unit_kerja"]["kode_opd"] == "5.01.0.00.0.00.01.0000"
    assert written[1] == PEGAWAI
    assert json.loads(path.read_text(encoding="utf-8"))[0]["nip"] == DISPLAY["nip"]  # the input is untouched


def test_normalised_report_per_record_and_ndjson_output(tmp_path: Path):
    path = tmp_path / "pegawai.ndjson"
    path.write_text(json.dumps(PEGAWAI) + "\n" + json.dumps(DISPLAY) + "\n", encoding="utf-8")
    out = tmp_path / "normal.ndjson"
    report = validate_files("kepegawaian/pegawai", [path], write_normalised=out)
    assert report.valid
    assert [d.index for d in report.normalised] == [1]
    assert {c.pointer: c.kind for c in report.normalised[0].changes} == {
        "/nip": "nip", "/tanggal_lahir": "tanggal", "/tmt_golongan": "tanggal", "/unit_kerja/kode_opd": "kode_opd"}
    assert "199803" not in json.dumps([c.before for c in report.normalised[0].changes])  # NIP masked
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["tanggal_lahir"] for line in lines] == ["1972-04-12", "1972-04-12"]


def test_a_normalised_value_still_meets_every_rule():
    wrong = {**DISPLAY, "tanggal_lahir": "13-04-1972"}  # normalises, but disagrees with the NIP
    from hub.validation.service import validate_payload

    report = validate_payload("kepegawaian/pegawai", json.dumps(wrong).encode(), "application/json",
                              normalise_=True)
    assert not report.valid
    assert {(i.rule, i.pointer) for i in report.documents[0].issues} >= {("PEG-001", "/nip")}


def test_api_option_normalise_true():
    client = TestClient(create_app())
    url = "/v1/schemas/kepegawaian/pegawai/validate"
    plain = client.post(url, json=DISPLAY)
    assert plain.status_code == 200 and plain.json()["valid"] is False and plain.json()["normalised"] is None
    body = client.post(url + "?normalise=true", json=DISPLAY).json()
    assert body["valid"] is True
    assert {c["pointer"] for c in body["normalised"][0]["changes"]} == {
        "/nip", "/tanggal_lahir", "/tmt_golongan", "/unit_kerja/kode_opd"}


def test_connector_mapping_uses_the_same_normaliser():
    mapper = Mapper({"schema": "kepegawaian/pegawai", "fields": {
        "nip": {"from": "nip", "normalise": "nip"}, "tanggal_lahir": {"from": "lahir", "normalise": "tanggal"},
        "unit_kerja.kode_opd": {"from": "opd", "normalise": "kode_opd"}}})
    result = mapper.map({"nip": "19720412 199803 1 003", "lahir": "12-04-1972", "opd": "501000000010000"})
    assert result.document == {"nip": "197204121998031003", "tanggal_lahir": "1972-04-12",
                               "unit_kerja": {"kode_opd": "5.01.0.00.0.00.01.0000"}}
    odd = mapper.map({"nip": "abc", "lahir": "2024/03/18", "opd": "x"}).document
    assert odd == {"nip": "abc", "tanggal_lahir": "2024/03/18", "unit_kerja": {"kode_opd": "x"}}  # schema judges


def test_a_mapping_naming_an_unknown_kind_is_refused():
    with pytest.raises(ConfigError, match="nipp"):
        Mapper({"schema": "kepegawaian/pegawai", "fields": {"nip": {"from": "nip", "normalise": "nipp"}}})
