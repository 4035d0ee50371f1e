"""Fixtures of the hostile-input suite: the hub's registry fixtures (API, CLI, web sign-in), hostile files, and
``bounded()`` — the peak of Python memory allocated while a block runs (tracemalloc), for generous bounds."""

from __future__ import annotations

import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import structlog

from tests.hub.conftest import registry_api, registry_db, registry_key, registry_loaded  # noqa: F401
from tests.hub.web.conftest import _web_key, sign_in, web, web_db  # noqa: F401

MIB = 1024 * 1024


@dataclass
class Peak:
    bytes: int = 0

    @property
    def mib(self) -> float:
        return self.bytes / MIB


@contextmanager
def bounded(limit_mib: float) -> Iterator[Peak]:
    """Fails the test when the block allocates more than ``limit_mib`` MiB at its peak (all threads)."""
    peak = Peak()
    started = tracemalloc.is_tracing()
    if not started:
        tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    try:
        yield peak
    finally:
        peak.bytes = tracemalloc.get_traced_memory()[1] - base
        if not started:
            tracemalloc.stop()
    assert peak.mib < limit_mib, f"peak {peak.mib:.1f} MiB, bound {limit_mib} MiB"


@pytest.fixture(autouse=True)
def _release_cli_logging() -> Iterator[None]:
    """``simpul`` binds its logger to the stderr of the moment; CliRunner closes that stream after each run."""
    yield
    structlog.reset_defaults()


CONTENT_TYPES = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                 '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                 '<Default Extension="xml" ContentType="application/xml"/>'
                 '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="'
                 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="'
                 '/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
                 'sharedStrings+xml"/></Types>')
RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            '<sheet name="applications" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                 'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://'
                 'schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                 'Target="sharedStrings.xml"/></Relationships>')
SHEET_HEAD = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _xlsx(shared: bytes, sheet: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/sharedStrings.xml", shared)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


def huge_shared_strings(entries: int = 300_000) -> bytes:
    """A 300 KB workbook whose shared-strings table unpacks to ~65 MB (openpyxl would hold all of it)."""
    shared = (b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              + (b"<si><t>" + b"x" * 200 + b"</t></si>") * entries
              + b"</sst>")
    sheet = SHEET_HEAD.encode() + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    return _xlsx(shared, sheet)


def zip_bomb(unpacked_mib: int = 64) -> bytes:
    """A sheet of ``unpacked_mib`` MiB of blank space: a few hundred kilobytes packed."""
    sheet = SHEET_HEAD.encode() + b" " * (unpacked_mib * MIB) + b"<sheetData/></worksheet>"
    return _xlsx(b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
                 sheet)


def alias_bomb(levels: int = 9, width: int = 10) -> bytes:
    """The "billion laughs" of YAML: ``width ** levels`` list items if the aliases were expanded."""
    lines = ["a0: &a0 [" + ",".join(["lol"] * width) + "]"]
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * width) + "]" for i in range(1, levels)]
    return ("\n".join(lines) + "\napplications:\n- id: e-bom\n  name: Bom\n  kode_pemda: '35.72'\n"
            f"  kode_opd: 5.01.5.05.0.00.01.0000\n  tags: *a{levels - 1}\n  other_areas: *a{levels - 1}\n").encode()
