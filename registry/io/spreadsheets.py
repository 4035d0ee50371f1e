"""Spreadsheet safety, in one place for every reader and writer of CSV/XLSX in Simpul.

Reading: an XLSX file is a zip archive. A few hundred kilobytes can unpack to gigabytes (a *zip bomb*, or a
shared-strings table of millions of entries) and openpyxl holds the shared strings in memory even in read-only
mode. :func:`check_xlsx` reads only the zip directory (no decompression) and refuses a workbook whose parts unpack
past :data:`MAX_UNPACKED_BYTES` in total or whose large parts are packed more densely than
:data:`MAX_RATIO` (ordinary spreadsheet XML packs 5-20 times; a bomb packs hundreds or thousands of times).
Python's zipfile never unpacks more than a member's declared size, so the directory is a sound bound.

Writing: a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage return before one) is
run as a formula by Excel, LibreOffice and Google Sheets when a CSV is opened — ``=HYPERLINK(...)`` or
``=cmd|' /C calc'!A0`` in an application name would run on the planner's desktop (OWASP "CSV injection").
:func:`csv_cell` prefixes such text with an apostrophe (the spreadsheet then shows it as text) and
:func:`protect_workbook` stores such XLSX cells as text with Excel's *quote prefix*, so the value is kept exactly
and still never becomes a formula, not even when the cell is edited. Plain signed numbers and telephone numbers
(``-5``, ``+62 342 801234``) are left alone: they cannot call anything. :func:`csv_uncell` undoes the apostrophe
on import, so a registry export still round-trips.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""All parts of one workbook together, unpacked (a 20 MiB upload of ordinary XML unpacks to ~100-400 MiB)."""
MAX_RATIO = 100
"""Largest unpacked/packed ratio of one part bigger than :data:`RATIO_FROM_BYTES`."""
RATIO_FROM_BYTES = 4 * 1024 * 1024

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_HARMLESS = re.compile(r"[+-]?\d[\d ]*([.,]\d+)?")


class UnpackTooLarge(ValueError):
    """A workbook that unpacks to too much; ``params`` name the part and the limit for the message."""

    def __init__(self, part: str, size: int, limit: int, ratio: int | None = None) -> None:
        self.params = {"part": part[:100], "size": size, "limit": limit, "ratio": ratio or 0}
        super().__init__(f"{part}: {size} bytes unpacked")


def check_xlsx(content: bytes | str | os.PathLike[str], *, max_unpacked: int = MAX_UNPACKED_BYTES,
               max_ratio: int = MAX_RATIO) -> None:
    """Refuse an XLSX that would unpack past the limits; a file that is no zip at all is left to the reader.
    ``content`` is the workbook's bytes or the path of a workbook on disk (only its zip directory is read)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content) if isinstance(content, bytes) else content) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: openpyxl reports it as unreadable
    total = 0
    for member in members:
        total += member.file_size
        if total > max_unpacked:
            raise UnpackTooLarge(member.filename, total, max_unpacked)
        if member.file_size > RATIO_FROM_BYTES and member.file_size > max_ratio * max(member.compress_size, 1):
            raise UnpackTooLarge(member.filename, member.file_size, max_ratio * max(member.compress_size, 1),
                                 ratio=member.file_size // max(member.compress_size, 1))


def formula_like(value: Any) -> bool:
    """Text a spreadsheet would run as a formula (signed numbers and phone numbers excepted)."""
    return (isinstance(value, str) and value.startswith(FORMULA_START)
            and not _HARMLESS.fullmatch(value))


def _needs_apostrophe(value: Any) -> bool:
    """Text that a spreadsheet would run as a formula once the apostrophes before it are taken off: formula-like
    text, and such text that already starts with apostrophes (so that ``'=x`` typed by a user survives)."""
    return isinstance(value, str) and formula_like(value.lstrip("'"))


def csv_cell(value: Any) -> Any:
    """A value for a CSV cell: formula-like text gets a leading apostrophe (and so does ``'=…``, so that
    :func:`csv_uncell` gives back exactly what was written)."""
    return "'" + value if _needs_apostrophe(value) else value


def csv_uncell(value: Any) -> Any:
    """The value :func:`csv_cell` wrote: one apostrophe is taken off, only where it stands before formula-like text
    (``=`` ``+`` ``-`` ``@`` or a tab/CR/LF before one; signed numbers and phone numbers excepted) — exactly
    where the exporter put one. Every other apostrophe is the user's and stays."""
    if isinstance(value, str) and value.startswith("'") and _needs_apostrophe(value[1:]):
        return value[1:]
    return value


def protect_workbook(book: Any) -> Any:
    """Every cell of an openpyxl workbook that holds formula-like text becomes a text cell with a quote prefix
    (openpyxl itself turns any text starting with ``=`` into a formula). Call it just before saving."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if formula_like(value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book
