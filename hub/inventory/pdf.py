"""PDF of the DOCX chapter through LibreOffice, with the page numbers of the contents filled in.

LibreOffice lays the document out but does not update a table of contents when it converts one, so the PDF is
made in two passes: the first DOCX carries a probe (a PAGEREF field per heading and caption, which LibreOffice does
compute) after the last page; its PDF says on which page each heading landed; the second DOCX, without the probe,
pre-fills the contents with those numbers. Needs ``soffice`` (Debian: ``libreoffice-writer``) and ``pdftotext``
(``poppler-utils``); :func:`available` says whether both are installed.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from hub.errors import SimpulError

PROBE_LINE = re.compile(r"SIMPUL-PAGE (_Toc\d+) (\d+)")


class PdfUnavailable(SimpulError):
    """LibreOffice or pdftotext is not installed, or the conversion failed."""

    status = 503
    code = "pdf-unavailable"
    title = "PDF conversion unavailable"
    message_key = "inventory.pdf.unavailable"


def tools() -> tuple[str | None, str | None]:
    return shutil.which("soffice") or shutil.which("libreoffice"), shutil.which("pdftotext")


def available() -> bool:
    return all(tools())


def docx_to_pdf(data: bytes, *, timeout: float = 180.0) -> bytes:
    """Convert a DOCX to PDF with LibreOffice (a private profile per call, so conversions may run side by side)."""
    soffice, _ = tools()
    if soffice is None:
        raise PdfUnavailable(detail="soffice")
    with tempfile.TemporaryDirectory(prefix="simpul-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "document.docx"
        source.write_bytes(data)
        cmd = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(folder), str(source)]
        try:
            subprocess.run(cmd, check=True, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL)  # noqa: S603
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PdfUnavailable(detail=type(exc).__name__) from exc
        target = folder / "document.pdf"
        if not target.exists():
            raise PdfUnavailable(detail="no output")
        return target.read_bytes()


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of every page (``pdftotext -layout``; pages are separated by form feeds)."""
    _, pdftotext = tools()
    if pdftotext is None:
        raise PdfUnavailable(detail="pdftotext")
    with tempfile.TemporaryDirectory(prefix="simpul-pdf-") as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(pdf)
        try:
            out = subprocess.run([pdftotext, "-layout", str(path), "-"], check=True, capture_output=True,  # noqa: S603
                                 timeout=60)
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
            raise PdfUnavailable(detail=type(exc).__name__) from exc
    pages = out.stdout.decode("utf-8", "replace").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def with_contents(render: Callable[..., bytes]) -> bytes:
    """``render(toc_pages=..., probe=...)`` → the PDF whose contents show the page of every entry."""
    first = docx_to_pdf(render(toc_pages=None, probe=True))
    pages = {name: int(page) for name, page in PROBE_LINE.findall("\n".join(pdf_pages(first)))}
    return docx_to_pdf(render(toc_pages=pages, probe=False))
