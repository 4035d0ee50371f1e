"""The rule catalog is data with stable ids; every rule's good and bad examples behave as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hub.validation.rules import Rule, catalog, rules_for
from hub.validation.rules.checks import CHECKS
from hub.validation.rules.engine import retired_ids

ROOT = Path(__file__).resolve().parents[4]
SCHEMA_KEYS = {f"{p.parent.parent.name}/{p.parent.name}" for p in (ROOT / "schemas").glob("*/*/*.json")}
RULES = catalog()
PREFIX = {"PEG": "kepegawaian", "REN": "perencanaan", "ANG": "penganggaran", "LEG": "legislasi",
          "PLY": "pelayanan_publik"}


def test_rule_ids_are_well_formed_unique_and_not_retired():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Z]{3}-\d{3}", i) and i[:3] in PREFIX for i in ids)
    assert not set(ids) & retired_ids()
    assert isinstance(yaml.safe_load((ROOT / "hub/validation/rules/retired_ids.yaml").read_text()), list)


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_is_complete(rule: Rule):
    assert rule.check in CHECKS
    assert rule.severity in ("error", "warning")
    assert set(rule.schemas) <= SCHEMA_KEYS, f"unknown schema in {rule.schemas}"
    for texts in (rule.title, rule.message):
        assert texts["id"].strip() and texts["en"].strip() and texts["id"] != texts["en"]
    assert set(re.findall(r"{(\w+)}", rule.message["id"])) == set(re.findall(r"{(\w+)}", rule.message["en"]))
    assert rule.source.strip()
    assert rule.examples["good"] and rule.examples["bad"]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_good_examples_give_no_violation(rule: Rule):
    for document in rule.examples["good"]:
        assert rule.apply(document) == [], document


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_bad_examples_give_a_violation_with_a_filled_message(rule: Rule):
    for document in rule.examples["bad"]:
        found = rule.apply(document)
        assert found, document
        for violation in found:
            assert violation.rule_id == rule.id and violation.severity == rule.severity
            assert violation.pointer.startswith("/")
            assert violation.title == rule.title
            for lang in ("id", "en"):
                assert "{" not in violation.message[lang], violation.message[lang]


def test_rules_for_accepts_key_version_and_urn():
    ids = [r.id for r in rules_for("kepegawaian/pegawai")]
    assert ids[:4] == ["PEG-001", "PEG-002", "PEG-003", "PEG-004"]
    assert [r.id for r in rules_for("kepegawaian/pegawai:1.1")] == ids
    assert [r.id for r in rules_for("urn:simpul:schema:kepegawaian/pegawai:1.1")] == ids
    # version 1 keeps the rules it was published with (ADR 0008): the rules new in 1.1 are not applied to it
    v1 = [r.id for r in rules_for("urn:simpul:schema:kepegawaian/pegawai:1")]
    assert v1 == [i for i in ids if i not in ("PEG-009", "PEG-010", "PEG-011", "PEG-012")]
    assert rules_for("tidak/ada") == []


def test_the_rules_the_brief_asks_for_exist():
    by_check = {r.check: r for r in RULES}
    for check in ("nip_birth_date", "nip_gender", "nip_form_matches_jenis_asn", "nik_birth_date", "nik_gender",
                  "sub_kegiatan_under_kegiatan", "kegiatan_under_program", "level_matches_pemda",
                  "total_is_volume_times_harga", "rekening_is_belanja", "rekening_is_pendapatan",
                  "pengundangan_not_before_penetapan", "tahun_is_year_of_penetapan", "ikm_is_mean_nrr_times_25",
                  "mutu_matches_ikm", "kinerja_matches_ikm", "selesai_not_before_permohonan",
                  "batas_waktu_not_before_permohonan", "selesai_needs_tanggal_selesai", "anonim_without_identity"):
        assert check in by_check, check
    assert by_check["tahun_is_year_of_penetapan"].severity == "warning"
    assert "penganggaran/rincian_belanja" in by_check["level_matches_pemda"].schemas
