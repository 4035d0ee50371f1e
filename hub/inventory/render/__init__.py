"""Exports of the inventory and the Monev worksheet: Markdown, printable HTML, XLSX, DOCX and JSON.

    render_inventory(inv, "docx", "en") -> bytes          # md/html/json -> str, xlsx/docx/pdf -> bytes
    render_inventory(inv, "html", run_link="../assessment/{app_id}.html")   # where evidence links point
    render_monev(worksheet, "xlsx")

``run_link``: a template with ``{run_id}``/``{app_id}`` for the link from each piece of evidence to its assessment
report; by default ``SIMPUL_PUBLIC_URL`` + ``/v1/assessments/runs/{run_id}/report``, no link when it is not set.
"""

from __future__ import annotations

from hub.errors import BadRequest
from hub.inventory.models import Inventory, MonevWorksheet

FORMATS = ("md", "html", "xlsx", "docx", "pdf", "json")
MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "json": "application/json",
}
EXTENSIONS = {"md": "md", "html": "html", "xlsx": "xlsx", "docx": "docx", "pdf": "pdf", "json": "json"}


def _check(fmt: str) -> str:
    fmt = (fmt or "").lower().lstrip(".")
    fmt = {"markdown": "md", "htm": "html"}.get(fmt, fmt)
    if fmt not in FORMATS:
        raise BadRequest("inventory.unknown_format", format=fmt, formats=", ".join(FORMATS))
    return fmt


def render_inventory(inv: Inventory, fmt: str, lang: str | None = None, *,
                     run_link: str | None = None) -> bytes | str:
    """The inventory as ``fmt`` in ``lang`` (default: the language it was built with)."""
    from hub.inventory.render.evidence import default_run_link, link_template

    fmt, lang = _check(fmt), ("en" if (lang or inv.lang) == "en" else "id")
    if fmt == "json":
        return inv.model_dump_json(indent=2)
    links = link_template(run_link) if run_link else default_run_link()
    if fmt == "md":
        from hub.inventory.render.markdown import render_markdown
        return render_markdown(inv, lang, links)
    if fmt == "html":
        from hub.inventory.render.html import render_html
        return render_html(inv, lang, links)
    if fmt == "xlsx":
        from hub.inventory.render.xlsx import render_xlsx
        return render_xlsx(inv, lang, links)
    from hub.inventory.render.docx import render_docx
    if fmt == "pdf":  # the DOCX through LibreOffice, contents with page numbers (hub.inventory.pdf)
        from hub.inventory.pdf import with_contents

        return with_contents(lambda **kw: render_docx(inv, lang, links, **kw))
    return render_docx(inv, lang, links)


def render_monev(ws: MonevWorksheet, fmt: str, lang: str = "id", *, names: dict[str, str] | None = None,
                 ) -> bytes | str:
    """The worksheet alone; ``names`` (app_id -> name) shows the applications by name."""
    fmt, lang = _check(fmt), ("en" if lang == "en" else "id")
    if fmt == "json":
        return ws.model_dump_json(indent=2)
    if fmt == "md":
        from hub.inventory.render.markdown import render_monev_markdown
        return render_monev_markdown(ws, lang, names)
    if fmt == "html":
        from hub.inventory.render.html import render_monev_html
        return render_monev_html(ws, lang, names)
    if fmt == "xlsx":
        from hub.inventory.render.xlsx import render_monev_xlsx
        return render_monev_xlsx(ws, lang, names)
    from hub.inventory.render.docx import render_monev_docx
    if fmt == "pdf":
        from hub.inventory.pdf import docx_to_pdf

        return docx_to_pdf(render_monev_docx(ws, lang, names))
    return render_monev_docx(ws, lang, names)
