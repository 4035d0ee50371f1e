"""Fixtures of the validation tests: ``tree`` is a schema tree with two versions of uji/barang."""

from tests.hub.validation.schemaver_testkit import tree  # noqa: F401 - a fixture, found by name
