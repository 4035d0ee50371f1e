"""NDJSON files are validated line by line: the same documents, locations, errors and report as reading them whole."""

from __future__ import annotations

import io
import json

import pytest

from hub.errors import SimpulError
from hub.validation.inputs import iter_ndjson, parse_ndjson
from hub.validation.service import validate_files
from hub.validation.store import SchemaStore
from hub.validation.validator import validate_documents
from tests.hub.validation.validation_testkit import VALID, write_schemas

GOOD = json.dumps(VALID)
BODIES = {
    "plain": f"{GOOD}\n{GOOD}\n".encode(),
    "bom, crlf and blank lines": f"\ufeff{GOOD}\r\n\r\n  {GOOD}  \r\n\n".encode(),
    "no final newline": f"{GOOD}\n{GOOD}".encode(),
    "line separators inside": f'{GOOD}\n{{"nama": "a\u2028b"}}\n\x85{GOOD}\n'.encode(),
    "non-ascii": f'{{"nama": "Ñoño – ✓"}}\n{GOOD}\n'.encode(),
    "malformed third line": f'{GOOD}\n{GOOD}\n{{"nama": }}\n'.encode(),
    "NaN on a line after a carriage return": f'{GOOD}\r{{"a": 1}}\n{{"gaji": NaN}}\n'.encode(),
    "number too large": f'{GOOD}\n  {{"gaji": 1e999}}\n'.encode(),
    "not utf-8": f"{GOOD}\n".encode() + b'{"nama": "\xff"}\n',
    "not utf-8 after a bom": b"\xef\xbb\xbf" + f"{GOOD}\n".encode() + b'{"nama": "\xc3"}\n',
    "only blank lines": b"\n \n\r\n",
    "too deep": f"{GOOD}\n".encode() + b"[" * 70 + b"]" * 70 + b"\n",
}


def _outcome(read) -> object:
    try:
        return [(d.data, d.location.model_dump()) for d in read()]
    except SimpulError as err:
        return type(err).__name__, err.key, err.params, err.extra


@pytest.mark.parametrize("body", list(BODIES.values()), ids=list(BODIES))
def test_reading_line_by_line_gives_what_reading_the_whole_file_gives(body):
    from hub.validation.inputs import check_depth

    whole = _outcome(lambda: [check_depth(d) for d in parse_ndjson(body, file="data.ndjson")])
    streamed = _outcome(lambda: list(iter_ndjson(io.BytesIO(body), file="data.ndjson")))
    assert streamed == whole


def test_the_document_limit_holds_when_streaming():
    body = (GOOD + "\n") * 3
    assert _outcome(lambda: list(iter_ndjson(io.BytesIO(body.encode()), limit=2)))[1] == \
        "validation.too_many_documents"


def test_documents_are_read_as_the_validator_asks_for_them(tmp_path):
    path = tmp_path / "big.ndjson"
    path.write_text(f"{GOOD}\n" * 5 + "{broken\n", encoding="utf-8")
    with path.open("rb") as handle:
        docs = iter_ndjson(handle)
        seen = [next(docs).location.line for _ in range(5)]  # the five good lines come before the broken one is read
        assert seen == [1, 2, 3, 4, 5]
        with pytest.raises(SimpulError):
            next(docs)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return SchemaStore(write_schemas(tmp_path_factory.mktemp("schemas")))


def test_validating_an_ndjson_file_gives_the_report_of_its_documents_read_whole(store, tmp_path):
    lines = [VALID, {**VALID, "tanggal_lahir": "17-08-1985"}, {**VALID, "nama": ""}, VALID]
    path = tmp_path / "pegawai.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in lines), encoding="utf-8")
    streamed = validate_files("uji/pegawai", [path], store=store, rules=False)
    whole = validate_documents("uji/pegawai", parse_ndjson(path.read_bytes(), file=str(path)), store=store,
                               rules=False)
    assert streamed.to_dict() | {"generated_at": None} == whole.to_dict() | {"generated_at": None}
    assert streamed.summary.invalid == 2
    assert [d.location.line for d in streamed.documents if not d.valid] == [2, 3]


def test_a_missing_second_file_is_still_a_usage_error(store, tmp_path):
    path = tmp_path / "a.ndjson"
    path.write_text(GOOD + "\n", encoding="utf-8")
    with pytest.raises(SimpulError) as caught:
        validate_files("uji/pegawai", [path, tmp_path / "missing.ndjson"], store=store)
    assert caught.value.key == "error.file_not_found"
