from hub.logging import mask_text, redact_event


def test_personal_data_is_masked_in_free_text():
    text = "NIK 3572014508900002 NIP 196711101992031001 mail budi.santoso@blitarkota.go.id"
    masked = mask_text(text)
    assert "3572014508900002" not in masked
    assert "196711101992031001" not in masked
    assert "budi.santoso@" not in masked
    assert masked.startswith("NIK 357201")


def test_secret_keys_are_redacted_whatever_their_value():
    event = redact_event(None, "info", {"event": "call", "headers": {"Authorization": "Bearer abc"}, "api_key": "x"})
    assert event["api_key"] == "***"
    assert event["headers"]["Authorization"] == "***"


def test_bearer_tokens_in_text_are_masked():
    assert "s3cr3t" not in mask_text("curl -H 'Authorization: Bearer s3cr3t' http://x")
