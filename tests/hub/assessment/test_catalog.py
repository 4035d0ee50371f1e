"""The catalog is data with rules: stable well-formed ids, both languages, runnable examples, no reused ids."""

from __future__ import annotations

import re
import string

import pytest
import yaml

from hub.assessment.catalog import (
    CATALOG_PATH,
    ID_PATTERN,
    LEVELS_PATH,
    RETIRED_PATH,
    CatalogError,
    catalog_markdown,
    levels_markdown,
    load_catalog,
    parse_catalog,
)
from hub.assessment.evaluators import EVALUATORS, evaluate
from hub.assessment.models import STANDARDS
from hub.assessment.probes import PROBES
from hub.assessment.runner import fill_message

CATALOG = load_catalog()


def test_ids_are_unique_well_formed_and_match_their_standard():
    ids = [c.id for c in CATALOG.checks]
    assert len(ids) == len(set(ids))
    prefix = {s: CATALOG.standards[s].prefix for s in STANDARDS}
    for check in CATALOG.checks:
        assert ID_PATTERN.match(check.id)
        assert check.id.startswith(prefix[check.standard] + "-")


def test_no_retired_id_is_used():
    retired = {r["id"] for r in (yaml.safe_load(RETIRED_PATH.read_text("utf-8")) or {}).get("retired") or []}
    assert not retired & {c.id for c in CATALOG.checks}


def test_every_standard_has_automated_and_manual_checks():
    for standard in STANDARDS:
        checks = CATALOG.by_standard(standard)
        assert sum(c.automated for c in checks) >= 4, standard
    assert sum(not c.automated for c in CATALOG.checks) >= 5


@pytest.mark.parametrize("check", CATALOG.checks, ids=lambda c: c.id)
def test_texts_exist_in_both_languages(check):
    for text in (check.title, check.message, check.why, check.measure):
        assert text.id.strip() and text.en.strip()
        assert text.id != text.en
    names = [{f for _, f, _, _ in string.Formatter().parse(getattr(check.message, lang)) if f} for lang in ("id", "en")]
    assert names[0] == names[1], "placeholders differ between languages"
    assert check.sources and all(s in CATALOG.sources for s in check.sources)


@pytest.mark.parametrize("check", [c for c in CATALOG.checks if c.automated], ids=lambda c: c.id)
def test_automated_check_has_registered_probe_evaluator_and_good_and_bad_examples(check):
    assert check.probe in PROBES
    assert check.evaluator in EVALUATORS
    expected = {e.expect for e in check.examples}
    assert {"pass", "fail"} <= expected


@pytest.mark.parametrize(
    ("check", "example"),
    [(c, e) for c in CATALOG.checks for e in c.examples],
    ids=lambda v: getattr(v, "id", None) or getattr(v, "name", ""),
)
def test_examples_give_their_expected_status_and_fill_the_message(check, example):
    verdict = evaluate(check, example.observation)
    assert verdict.status.value == example.expect
    if verdict.status.value in ("fail", "warning"):
        message = fill_message(check.message, verdict.params)
        for text in (message.id, message.en):
            assert not re.search(r"{\w+}", text) and "{'id'" not in text


def test_manual_checks_cover_what_no_probe_can_see():
    manual = {c.id: c for c in CATALOG.checks if not c.automated}
    words = " ".join(c.title.en.lower() for c in manual.values())
    for topic in ("source code", "service level agreement", "backup", "training", "personal data"):
        assert topic in words


def test_areas_name_the_canonical_schemas():
    assert CATALOG.schemas_for_area("kepegawaian") == ["kepegawaian/pegawai"]
    assert all(s.startswith("penganggaran/") for s in CATALOG.schemas_for_area("keuangan"))
    assert CATALOG.schemas_for_area("nothing") == []


def _broken(mutate) -> str:
    data = yaml.safe_load(CATALOG_PATH.read_text("utf-8"))
    mutate(data)
    return yaml.safe_dump(data, allow_unicode=True)


@pytest.mark.parametrize(("mutate", "problem"), [
    (lambda d: d["checks"].append(dict(d["checks"][0])), "used twice"),
    (lambda d: d["checks"][0].update(id="REL-1"), "id must match"),
    (lambda d: d["checks"][0].update(id="INT-900"), "prefix does not match"),
    (lambda d: d["checks"][0].update(probe=None), "names a probe"),
    (lambda d: d["checks"][0].update(sources=["hearsay"]), "unknown source"),
])
def test_broken_catalogs_are_refused_with_a_reason(mutate, problem):
    with pytest.raises(CatalogError, match=problem):
        parse_catalog(_broken(mutate), levels_text=LEVELS_PATH.read_text("utf-8"))


def test_a_retired_id_cannot_come_back():
    retired = "retired:\n  - {id: REL-001, retired_in: '2024.1', reason: merged}\n"
    with pytest.raises(CatalogError, match="retired"):
        parse_catalog(CATALOG_PATH.read_text("utf-8"), retired, LEVELS_PATH.read_text("utf-8"))


def test_version_label_changes_with_the_content():
    changed = CATALOG_PATH.read_text("utf-8").replace("p95_max_ms: 1000", "p95_max_ms: 1200")
    assert parse_catalog(changed).label != CATALOG.label
    assert CATALOG.label.startswith(CATALOG.version + "+")


def test_markdown_table_lists_every_check_in_both_languages():
    for lang in ("id", "en"):
        text = catalog_markdown(lang)
        for check in CATALOG.checks:
            assert f"| {check.id} | {check.title.get(lang)}" in text
    assert "| 5 | Optimalisasi |" in levels_markdown("id")
    assert "| 4 | Collaboration |" in levels_markdown("en")


def test_levels_are_the_five_spbe_levels():
    assert [lv.name.id for lv in CATALOG.levels] == ["Informasi", "Interaksi", "Transaksi", "Kolaborasi",
                                                     "Optimalisasi"]


def test_the_guide_shows_the_current_catalog():
    from pathlib import Path

    from hub.assessment.catalog import sync_docs

    doc = Path(__file__).resolve().parents[3] / "docs" / "assessment.md"
    assert sync_docs(doc, write=False), "run sync_docs(Path('docs/assessment.md')) after changing the catalog"
