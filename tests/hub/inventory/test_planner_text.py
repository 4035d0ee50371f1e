"""What a planner reads: every placeholder filled, every command named in a message exists, no developer notes or
internal ids, citations instead of nicknames, one Tabel II.11 row per program."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from docx import Document
from openpyxl import load_workbook
from typer.testing import CliRunner

from hub.cli import app
from hub.inventory import render_inventory, render_monev
from hub.inventory.render.tables import gaps_table

from .factories import example_inventory

ROOT = Path(__file__).resolve().parents[3]
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
PLANNER_FORMATS = ("md", "html", "xlsx", "docx")
LINK = "../assessment/{app_id}.html"


@pytest.fixture(scope="module")
def inv():  # type: ignore[no-untyped-def]
    return example_inventory()


def text_of(data: bytes | str, fmt: str) -> str:
    """Everything a reader of the file sees (DOCX: body, tables, header and footer; XLSX: every cell)."""
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(data))  # type: ignore[arg-type]
        return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                         if c.value is not None)
    if fmt == "docx":
        doc = Document(io.BytesIO(data))  # type: ignore[arg-type]
        parts = [doc.element.xml]
        for section in doc.sections:
            parts += [section.header._element.xml, section.footer._element.xml]
        return "\n".join(re.sub(r"<[^>]+>", " ", p) for p in parts)
    return data if isinstance(data, str) else data.decode("utf-8")


@pytest.fixture(scope="module")
def reports(inv):  # type: ignore[no-untyped-def]
    out = {}
    for lang in ("id", "en"):
        for fmt in (*PLANNER_FORMATS, "json"):
            out[(fmt, lang)] = text_of(render_inventory(inv, fmt, lang, run_link=LINK), fmt)
            out[(f"monev-{fmt}", lang)] = text_of(render_monev(inv.monev, fmt, lang), fmt)
    return out


def test_no_report_in_any_format_has_an_unfilled_placeholder(reports):  # type: ignore[no-untyped-def]
    left = {key: sorted(set(PLACEHOLDER.findall(text))) for key, text in reports.items() if PLACEHOLDER.search(text)}
    assert not left, left


def test_planner_reports_carry_no_internal_ids_or_developer_notes(reports):  # type: ignore[no-untyped-def]
    internal = re.compile(r"GAP-\d{3}|PRG-\d{3}|\bR[8A]-(?:BAIK|SEDANG|BURUK)\b|hub/inventory|readiness\.yaml|"
                          r"app=|@run|supplier\.source_code_held|integration\.connector|jdih-[12]\b|Studi Medan")
    for (fmt, lang), text in reports.items():
        if fmt.endswith("json"):
            continue
        found = sorted(set(internal.findall(text)))
        assert not found, (fmt, lang, found)


def test_the_json_keeps_the_ids_and_the_raw_evidence(reports):  # type: ignore[no-untyped-def]
    data = json.loads(reports[("json", "id")])
    gap = next(g for g in data["gaps"] if g["id"] == "GAP-006/e-pajak")
    assert gap["evidence"][0]["fields"]["supplier.source_code_held"] is False
    assert data["roadmap"]["items"][0]["program_id"].startswith("PRG-")


def test_evidence_is_in_words_with_a_link_to_the_assessment(inv):  # type: ignore[no-untyped-def]
    md = render_inventory(inv, "md", run_link=LINK)
    assert "SIMPEG Kota Blitar — registri mencatat beroperasi; skor Interoperabel 55,6, " \
           "Mudah diintegrasikan (Integrateable) 30 ([laporan penilaian 30 Jun 2025](../assessment/simpeg.html))" in md
    html = render_inventory(inv, "html", run_link=LINK)
    assert '<a href="../assessment/simpeg.html">laporan penilaian 30 Jun 2025</a>' in html


def test_the_wrong_texts_of_the_issue_are_gone(inv, reports):  # type: ignore[no-untyped-def]
    md = reports[("md", "id")]
    assert "INT 30" not in md and "Mudah diintegrasikan (Integrateable) 30" in md  # was "INT 55.6, INT 30"
    assert "connectors check" not in md and "simpul check" in md
    assert "Butir {item}" not in md and "Suhendra & Ginting (2018)" in md
    assert "Matra Pembaruan 2(3): 185–195" in md  # the full citation is in the appendix


def test_gaps_of_one_kind_and_one_opd_are_one_row_listing_the_applications(inv):  # type: ignore[no-untyped-def]
    table = gaps_table(inv, "id")
    hosting = [row for row in table.rows if row[1] == "Hosting di luar pusat data"]
    assert len(hosting) == 1, "seven rows saying 'migrasi ke pusat data' are one program"
    members = [g for g in inv.gaps if g.kind == "GAP-007"]
    assert len(members) > 1
    names = {a.app_id: a.name for a in inv.applications}
    for gap in members:
        assert names[gap.app_ids[0]] in hosting[0][3]  # each application's current state is listed
    assert str(hosting[0][4]).count("Program: migrasi ke pusat data") == 1


# --- commands named in messages ------------------------------------------------------------------------------

QUOTED = re.compile(r"[`'\"](simpul(?: [^`'\"]+)?)[`'\"]")
BARE = re.compile(r"\bsimpul((?: [a-z][a-z0-9_-]*)+)")


def _texts() -> list[str]:
    """Every message a user can read: the catalogs of every area and the inventory's data files."""
    out: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    files = sorted((ROOT / "hub" / "i18n" / "catalog").glob("*.yaml"))
    files += [ROOT / "hub" / "inventory" / name for name in ("gaps.yaml", "readiness.yaml", "costs.yaml",
                                                               "sources.yaml")]
    for path in files:
        walk(yaml.safe_load(path.read_text("utf-8")))
    return out


def commands_named(text: str, top: dict[str, bool]) -> list[list[str]]:
    """Command paths a text names: quoted ('simpul examples serve'), or bare when the word after 'simpul' is a
    command — then that word, and the next one when the command is a group ('simpul pertukaran data' is
    Indonesian for an exchange node, not a command). ``top``: command name -> is a group."""
    found = [m.split()[1:] for m in QUOTED.findall(text)]
    for words in BARE.findall(text):
        parts = words.split()
        if parts and parts[0] in top:
            found.append(parts[:2] if top[parts[0]] else parts[:1])
    return [f for f in found if f]


def _commands(node: Any) -> dict[str, bool]:
    """Top-level command -> whether it is a group (Typer vendors Click: duck-typed)."""
    ctx = node.context_class(node)
    return {name: hasattr(node.get_command(ctx, name), "list_commands") for name in node.list_commands(ctx)}


def words_before_options(words: list[str]) -> list[str]:
    return words[:next((i for i, w in enumerate(words) if w.startswith("-")), len(words))]


def parses(words: list[str]) -> tuple[bool, str]:
    """``simpul <words> --help`` through the Typer app, as a user would type it (groups that take an
    application id in place of a sub-command, like ``simpul assess e-planning``, parse it their way)."""
    result = CliRunner().invoke(app, [*words_before_options(words), "--help"])
    return result.exit_code == 0, result.output


def test_every_command_a_message_names_parses(inv):  # type: ignore[no-untyped-def]
    top = _commands(typer.main.get_command(app))
    texts = _texts() + [text_of(render_inventory(inv, "md", lang), "md") for lang in ("id", "en")]
    named = {tuple(words_before_options(words)) for text in texts for words in commands_named(text, top)}
    assert ("check", "ID") in named  # GAP-008 names the connection check
    assert ("validate",) in named and ("conformance",) in named  # GAP-009
    broken = {words: out.splitlines()[-2:] for words in sorted(named) for ok, out in [parses(list(words))] if not ok}
    assert not broken, broken


def test_a_command_that_does_not_exist_is_caught():
    top = _commands(typer.main.get_command(app))
    [words] = commands_named("uji dengan simpul connectors check", top)
    assert not parses(words)[0]
    assert commands_named("jadikan satu aplikasi simpul pertukaran data", top) == []
