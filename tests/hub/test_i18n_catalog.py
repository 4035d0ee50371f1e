"""The message catalog is complete: every key in both languages, every key the code names exists, every problem
type has a title in both languages."""

from __future__ import annotations

import importlib
import pkgutil
import re
import string
from pathlib import Path

import pytest

import hub
from hub.errors import SimpulError
from hub.i18n import LANGS, catalog

ROOT = Path(__file__).resolve().parents[2]
# t("key"), msg("key"), both("key"), an error raised with a message key, NotFound.with_suggestions("what.key")
KEY_USE = re.compile(
    r"""(?<![\w.])(?:t|msg|both|with_suggestions|SimpulError|BadRequest|NotFound|Conflict|Forbidden|"""
    r"""RequestInvalid|Unauthenticated|UsageError|PayloadTooLarge|UnsupportedMediaType|PreconditionFailed|"""
    r"""MalformedJSON|ServiceUnavailable|PreconditionRequired)\(\s*["']([a-z][a-z0-9_]*(?:\.[a-z0-9_\-]+)+)["']""")


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_both_languages_with_the_same_placeholders():
    problems = []
    for key, texts in catalog().items():
        for lang in LANGS:
            if not str(texts.get(lang) or "").strip():
                problems.append(f"{key}: no {lang} text")
        if all(texts.get(lang) for lang in LANGS) and _placeholders(texts["id"]) != _placeholders(texts["en"]):
            problems.append(f"{key}: placeholders {_placeholders(texts['id'])} ≠ {_placeholders(texts['en'])}")
    assert not problems, "\n".join(problems)


def test_every_key_named_in_the_code_is_in_the_catalog():
    known = catalog()
    missing = []
    for path in sorted((ROOT / "hub").rglob("*.py")):
        for match in KEY_USE.finditer(path.read_text(encoding="utf-8")):
            if match.group(1) not in known:
                missing.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert not missing, "keys used but not in hub/i18n/catalog/*.yaml:\n" + "\n".join(missing)


def _all_error_classes() -> list[type[SimpulError]]:
    for info in pkgutil.walk_packages(hub.__path__, "hub."):
        if ".templates" in info.name:
            continue
        try:
            importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed
            continue
    seen: list[type[SimpulError]] = []
    todo = [SimpulError]
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


def test_every_problem_type_has_a_title_in_both_languages():
    from hub.services.connections import USAGE_KEYS

    codes = {cls.code for cls in _all_error_classes()} | {code for _, code, _ in USAGE_KEYS.values()}
    codes |= {"connector-config", "method-not-allowed"}
    missing = sorted(code for code in codes if f"problem.{code}" not in catalog())
    assert not missing, f"add problem.<code> titles to hub/i18n/catalog/core.yaml: {missing}"


@pytest.mark.parametrize("lang", LANGS)
def test_a_problem_carries_its_title_in_the_asked_language(lang: str):
    from hub.errors import NotFound

    body = NotFound("error.route_not_found", path="/x").problem(lang)
    assert body["title"] == {"id": "Tidak ditemukan", "en": "Not found"}[lang]
    assert body["type"] == "urn:simpul:problem:not-found"  # the type never changes with the language
