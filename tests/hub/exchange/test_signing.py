"""Webhook signatures and encrypted subscription secrets."""

from __future__ import annotations

import time

import pytest

from hub.exchange.secretbox import SecretUnreadable, open_sealed, seal
from hub.exchange.signing import sign, verify_signature


def test_signature_round_trip_and_tampering():
    body = b'{"a":1}'
    header = sign("whsec_x", body)
    assert verify_signature("whsec_x", body, header)
    assert not verify_signature("whsec_y", body, header)
    assert not verify_signature("whsec_x", b'{"a":2}', header)
    assert not verify_signature("whsec_x", body, "garbage")


def test_old_signatures_are_refused():
    body = b"{}"
    header = sign("s", body, timestamp=int(time.time()) - 3600)
    assert not verify_signature("s", body, header)


def test_secrets_are_encrypted_at_rest(monkeypatch):
    from hub.settings import get_settings

    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "one")
    get_settings.cache_clear()
    sealed = seal("whsec_secret-value")
    assert "secret-value" not in sealed and open_sealed(sealed) == "whsec_secret-value"
    monkeypatch.setenv("SIMPUL_EXCHANGE_SECRET_KEY", "two")
    get_settings.cache_clear()
    with pytest.raises(SecretUnreadable):
        open_sealed(sealed)


def test_the_personal_data_plan_masks_like_a_schema_walk_per_field():
    """The plan learned once per schema path gives exactly what walking the schema for every field gives."""
    import copy
    import json
    from pathlib import Path

    from hub.exchange.canonical import present_document
    from hub.exchange.identity import identities
    from hub.logging import mask_text
    from hub.validation.privacy import is_personal, mask_personal
    from hub.validation.store import get_store

    def walk(value, root, parts, personal):
        if isinstance(value, dict):
            return {k: walk(v, root, [*parts, k], personal or is_personal(root, [*parts, k]))
                    for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, root, [*parts, i], personal) for i, v in enumerate(value)]
        if personal and value is not None and not isinstance(value, bool):
            return mask_personal(str(value))
        return mask_text(value) if isinstance(value, str) else value

    schemas = Path(__file__).resolve().parents[3] / "schemas"
    store = get_store()
    checked = 0
    for schema in identities():
        root = store.resolved(store.get(schema))
        for path in sorted((schemas / schema / "examples").glob("*/*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict):
                continue
            doc["catatan"] = "hubungi budi@contoh.id, NIK 3201234567890001"  # free text with personal data
            expected = walk(copy.deepcopy(doc), root, [], False)
            assert present_document(schema, doc, personal=False) == expected, path
            checked += 1
    assert checked >= 10


def test_stored_json_text_is_masked_exactly_like_the_parsed_document():
    """The text fast path (a document passed through unparsed when nothing in it needs masking) gives the same data
    as masking the parsed document, for every example of every exchanged schema, with and without personal data
    typed into free text, and with characters JSON escapes."""
    import copy
    import json
    from pathlib import Path

    from hub.exchange.canonical import present_document, present_document_json, text_plan
    from hub.exchange.identity import identities

    schemas = Path(__file__).resolve().parents[3] / "schemas"
    passed_through = masked = 0
    for schema in identities():
        for path in sorted((schemas / schema / "examples").glob("*/*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(doc, dict):
                continue
            variants = [doc, {**doc, "catatan": "hubungi budi@contoh.id"},
                        {**doc, "catatan": "NIK 3201234567890001"}, {**doc, "catatan": "Bearer abc.def"},
                        {**doc, "catatan": "nomor ３２０１２３４５６７８９０００１"},
                        {**doc, "uraian": "Café 1234567890123456"}]
            for variant in variants:
                raw = json.dumps(variant)  # how SQLAlchemy stores a JSON column
                shown = present_document_json(schema, raw, personal=False)
                assert json.loads(shown) == present_document(schema, copy.deepcopy(variant), personal=False), path
                assert present_document_json(schema, raw, personal=True) == raw
                if shown is raw:
                    passed_through += 1
                else:
                    masked += 1
            assert not text_plan(schema).untouched(json.dumps({**doc, "catatan": "budi@contoh.id"}))
    assert passed_through and masked  # both paths are exercised


def test_a_personal_property_makes_its_key_a_needle_and_free_form_personal_maps_always_mask():
    from hub.exchange.canonical import TextPlan

    named = TextPlan({"properties": {"kontak_darurat": {"type": "string", "x-personal-data": True},
                                     "kode": {"type": "string"}}})
    assert not named.always
    assert not named.untouched('{"kontak_darurat": "Ibu Sari", "kode": "A1"}')
    assert named.untouched('{"kode": "A1"}')
    free = TextPlan({"properties": {"lain": {"additionalProperties": {"x-personal-data": True}}}})
    assert free.always and not free.untouched('{"kode": "A1"}')
