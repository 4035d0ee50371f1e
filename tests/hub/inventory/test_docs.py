"""docs/inventory.md shows the rules as they are in the YAML files."""

from __future__ import annotations

from pathlib import Path

from hub.inventory.docs import DOC_BLOCKS, sync_docs

DOC = Path(__file__).resolve().parents[3] / "docs" / "inventory.md"


def test_the_guide_is_generated_from_the_rules():
    text = DOC.read_text("utf-8")
    for name in DOC_BLOCKS:
        assert f"<!-- {name}:start -->" in text, name
    assert sync_docs(DOC, write=False), "docs/inventory.md is out of date: run hub.inventory.docs.sync_docs"


def test_the_guide_comes_in_indonesian_first_then_english():
    text = DOC.read_text("utf-8")
    assert text.index("## Bahasa Indonesia") < text.index("## English")
    assert "RA-BAIK" in text and "GAP-012" in text and "4 × 4 ÷ 2 = 8" in text
