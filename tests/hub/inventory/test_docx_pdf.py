"""The chapter as a planner prints it: the DOCX through LibreOffice to PDF. The contents show the page each
heading landed on, every page has the header and "Halaman x dari y", and the columns keep their widths.

Needs LibreOffice Writer and poppler-utils (Debian: ``apt-get install libreoffice-writer poppler-utils``);
skipped, saying so, where they are not installed.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from hub.inventory import render_inventory
from hub.inventory.pdf import available, pdf_pages, tools

from .factories import example_inventory

pytestmark = pytest.mark.skipif(not available(), reason="LibreOffice (soffice) and pdftotext are not installed: "
                                                        "apt-get install libreoffice-writer poppler-utils")
PT_PER_CM = 72 / 2.54


@pytest.fixture(scope="module")
def pdf() -> bytes:
    data = render_inventory(example_inventory(), "pdf")
    assert isinstance(data, bytes) and data.startswith(b"%PDF")
    return data


@pytest.fixture(scope="module")
def pages(pdf):  # type: ignore[no-untyped-def]
    return pdf_pages(pdf)


def test_every_page_has_the_header_and_its_number(pages):  # type: ignore[no-untyped-def]
    n = len(pages)
    assert n > 5
    for i, page in enumerate(pages, start=1):
        assert "Masterplan Smart City Kota Blitar — Buku II" in page
        assert f"Halaman {i} dari {n}" in page


def test_the_contents_show_the_page_of_every_heading(pages):  # type: ignore[no-untyped-def]
    contents = pages[0] + pages[1]
    entries = re.findall(r"^\s*(\d+\. .+?)\s*\.{3,}\s*(\d+)\s*$", contents, flags=re.M)
    assert len(entries) >= 8
    for title, page in entries:
        assert title in pages[int(page) - 1], (title, page)
    captions = re.findall(r"^\s*(Tabel IV\.\d+) [^\n]*?\.{3,}\s*(\d+)\s*$", contents, flags=re.M)
    assert len(captions) >= 15
    for caption, page in captions:
        assert re.search(rf"^\s*{re.escape(caption)} ", pages[int(page) - 1], flags=re.M), (caption, page)


def test_columns_keep_their_widths(pdf):  # type: ignore[no-untyped-def]
    """Tabel II.11: 'No' is a narrow column, the strategy a wide one (LibreOffice used to make them all equal)."""
    _, pdftotext = tools()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "chapter.pdf"
        path.write_bytes(pdf)
        html = subprocess.run([pdftotext, "-bbox", str(path), "-"], check=True, capture_output=True,
                              text=True).stdout
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>')
    pages = [[(float(x), float(y), w) for x, y, w in word.findall(page)] for page in html.split("<page")[1:]]
    page = next(p for p in pages if any(a[2] == "Tabel" and b[2] == "IV.3" for a, b in itertools.pairwise(p))
                and any(w[2] == "No" for w in p))  # the table's page, not the list of tables
    no = next(w for w in page if w[2] == "No")
    head = [w for w in page if abs(w[1] - no[1]) < 2]  # the header row
    at = {w[2]: w[0] for w in head}
    assert at["Kesenjangan"] - no[0] < 1.3 * PT_PER_CM, "the No column is narrow"
    assert at["Penanggung"] - at["Strategi,"] > 5 * PT_PER_CM, "the strategy column is wide"
