from hub.i18n import both, catalog, negotiate, t


def test_every_message_exists_in_both_languages():
    for key, texts in catalog().items():
        assert texts["id"].strip(), key
        assert texts["en"].strip(), key


def test_placeholders_match_between_languages():
    import string

    for key, texts in catalog().items():
        names = [{f for _, f, _, _ in string.Formatter().parse(texts[lang]) if f} for lang in ("id", "en")]
        assert names[0] == names[1], f"{key}: placeholders differ between id and en"


def test_translation_fills_parameters_and_defaults_to_indonesian():
    assert t("error.body_too_large", limit=10) == "Isi permintaan terlalu besar: batasnya 10 byte."
    assert both("error.body_too_large", limit=10)["en"] == "Request body too large: the limit is 10 bytes."


def test_missing_parameter_is_left_visible_instead_of_crashing():
    assert "{limit}" in t("error.body_too_large", "en")


def test_accept_language_negotiation():
    assert negotiate(None) == "id"
    assert negotiate("en-US,en;q=0.9") == "en"
    assert negotiate("fr, en;q=0.5, id;q=0.8") == "id"
    assert negotiate("de") == "id"
    assert negotiate("id;q=0.1, en;q=0.2") == "en"
