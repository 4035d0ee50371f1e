"""Headers and pointers with non-ASCII digits (found by Schemathesis: '³'.isdigit() is True)."""

from hub.validation import get_store
from hub.validation.service import validate_payload


def test_csv_header_with_superscript_digit_is_a_field_name_not_a_crash():
    report = validate_payload("kepegawaian/pegawai", "nama.³\nBudi\n".encode(), "text/csv")
    assert report.valid is False
    assert get_store().get("kepegawaian/pegawai")
