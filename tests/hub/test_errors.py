import json

from hub.errors import MalformedJSON, NotFound, RequestInvalid


def test_not_found_suggests_close_names_in_both_languages():
    known = ["kepegawaian/pegawai", "legislasi/produk_hukum"]
    err = NotFound.with_suggestions("what.schema", "kepegawaian/pegwai", known)
    assert err.status == 404
    assert "kepegawaian/pegawai" in err.message("id")
    assert err.message("id").startswith("Skema")
    assert err.message("en").startswith("Schema")
    assert err.problem("en")["suggestions"] == ["kepegawaian/pegawai"]


def test_malformed_json_names_the_position():
    try:
        json.loads('{"a": 1,,}')
    except json.JSONDecodeError as exc:
        err = MalformedJSON.from_decode_error(exc)
    body = err.problem("en")
    assert body["status"] == 400
    assert body["type"] == "urn:simpul:problem:malformed-json"
    assert body["line"] == 1 and body["column"] == 9
    assert "line 1 column 9" in body["detail"]


def test_request_invalid_carries_every_field_error():
    err = RequestInvalid(count=2, extra={"errors": [{"pointer": "/a"}, {"pointer": "/b"}]})
    assert len(err.problem()["errors"]) == 2
    assert "2" in err.message("id")
