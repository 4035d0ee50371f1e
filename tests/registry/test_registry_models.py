"""The domain model accepts what OPDs write and rejects, field by field, what would mislead an auditor."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from registry.models import ApplicationIn, PemdaIn
from registry.vocab import role_allows, vocab

BASE = {"id": "e-planning", "name": "E-Planning", "status": "production", "kode_pemda": "35.72",
        "kode_opd": "5.01.5.05.0.00.01.0000", "area": "perencanaan", "kind": "khusus"}


def fields_of(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_labels_and_aliases_are_normalised_to_codes():
    app = ApplicationIn(**{**BASE, "status": "Produksi", "area": "Keuangan Daerah", "kind": "aplikasi umum",
                           "smart_city_dimensions": ["Smart Governance", "ekonomi"], "tags": ["RKPD", "rkpd"],
                           "hosting": {"type": "Pusat data Diskominfo"}})
    assert (app.status, app.area, app.kind) == ("production", "keuangan", "umum")
    assert app.smart_city_dimensions == ["governance", "economy"]
    assert app.tags == ["rkpd"]
    assert app.hosting.type == "diskominfo_dc"


def test_every_bad_field_is_named_at_once():
    with pytest.raises(ValidationError) as info:
        ApplicationIn(**{**BASE, "id": "E Planning", "status": "jalan", "kode_pemda": "3572", "area": "x",
                         "spbe_indicators": [12], "sla": {"availability_pct": 120}, "users_count": -1})
    assert {"id", "status", "kode_pemda", "area", "spbe_indicators.0", "sla.availability_pct",
            "users_count"} <= fields_of(info.value)


def test_literal_secret_in_connector_config_is_rejected_naming_the_key():
    with pytest.raises(ValidationError) as info:
        ApplicationIn(**BASE, integration={"connector": {"type": "rest_json",
                                                         "config": {"auth": {"password": "rahasia123"}}}})
    err = info.value.errors()[0]
    assert err["type"] == "registry_secret_literal"
    assert "auth.password" in err["msg"]
    assert "rahasia123" not in str(info.value.errors(include_input=False))


@pytest.mark.parametrize("key", ["token", "api_key", "client_secret", "apiKey", "private_key", "db_password"])
def test_secret_named_keys_need_env_references(key: str):
    with pytest.raises(ValidationError):
        ApplicationIn(**BASE, integration={"connector": {"type": "rest_json", "config": {key: "abc"}}})
    ok = ApplicationIn(**BASE, integration={"connector": {"type": "rest_json", "config": {key: {"env": "MY_VAR"}}}})
    assert ok.integration.connector.config[key] == {"env": "MY_VAR"}


def test_env_reference_must_name_an_upper_case_variable():
    with pytest.raises(ValidationError) as info:
        ApplicationIn(**BASE, integration={"connector": {"type": "rest_json", "config": {"token": {"env": "x y"}}}})
    assert info.value.errors()[0]["type"] in ("registry_secret_reference", "registry_secret_literal")


def test_pemda_level_must_match_the_region_code():
    assert PemdaIn(kode="35.72", name="Kota Blitar", level="kota").level == "kota"
    assert PemdaIn(kode="35", name="Jawa Timur", level="provinsi").level == "provinsi"
    assert PemdaIn(kode="35.05", name="Kabupaten Blitar", level="Kabupaten").level == "kabupaten"
    for kode, level in (("35.72", "kabupaten"), ("35", "kota"), ("35.05", "kota")):
        with pytest.raises(ValidationError):
            PemdaIn(kode=kode, name="x", level=level)


def test_national_app_only_for_aplikasi_umum():
    assert ApplicationIn(**{**BASE, "kind": "umum"}, national_app="SIPD").national_app == "sipd"
    with pytest.raises(ValidationError):
        ApplicationIn(**BASE, national_app="sipd")


def test_read_only_fields_sent_back_are_ignored_but_unknown_fields_are_not():
    app = ApplicationIn(**BASE, revision=3, created_at="2024-01-01T00:00:00Z", opd_name="Bappeda")
    assert app.id == "e-planning"
    with pytest.raises(ValidationError) as info:
        ApplicationIn(**BASE, stauts="production")
    assert "stauts" in fields_of(info.value)


def test_control_characters_and_bad_urls_are_rejected():
    with pytest.raises(ValidationError):
        ApplicationIn(**{**BASE, "name": "E-Plan\x00ning"})
    with pytest.raises(ValidationError):
        ApplicationIn(**BASE, hosting={"base_urls": ["ftp://server"]})


def test_contract_end_before_start_is_rejected():
    with pytest.raises(ValidationError):
        ApplicationIn(**BASE, supplier={"contract_start": "2024-05-01", "contract_end": "2024-01-01"})


def test_code_lists_come_from_the_guide():
    areas = vocab("area")
    items = {t.code: t.extra["item"] for t in areas.terms}
    assert items == {"perencanaan": 14, "keuangan": 15, "kantor_virtual": 16, "monev": 17, "kepegawaian": 18,
                     "legislasi": 19, "pelayanan_publik": 20, "lainnya": None}
    assert vocab("spbe_indicator").codes == [str(n) for n in range(32, 48)]
    assert vocab("smart_city_dimension").codes == ["governance", "branding", "economy", "living", "society",
                                                    "environment"]
    assert vocab("area").label("keuangan", "en").startswith("Regional finance")


def test_roles_as_data():
    assert role_allows("admin", "keys:manage")
    assert role_allows("opd", "registry:write") and not role_allows("opd", "registry:admin")
    assert role_allows("auditor", "registry:read") and not role_allows("auditor", "registry:write")
    assert role_allows("vendor", "validate:run") and not role_allows("vendor", "registry:read")
    # a provincial Simpul's key reads through federation:read only, never registry:read or any write
    assert role_allows("federation", "federation:read") and not role_allows("federation", "registry:read")
    assert not role_allows("federation", "federation:manage") and role_allows("admin", "federation:manage")
