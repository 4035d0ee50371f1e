"""Generated blocks inside hand-written Markdown: ``<!-- name:start -->`` … ``<!-- name:end -->``.

Catalogs kept as data (assessment checks, inventory rules) render their own tables into the docs; a test per
document calls :func:`sync_blocks` with ``write=False`` so the docs can never drift from the data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path


def sync_blocks(path: Path, blocks: Mapping[str, Callable[[], str]], *, write: bool = True,
                strip: bool = False) -> bool:
    """Regenerate every named block found in ``path``; return True when the file was already up to date."""
    text = path.read_text("utf-8")
    updated = text
    for name, build in blocks.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start in updated and end in updated:
            head, rest = updated.split(start, 1)
            _, tail = rest.split(end, 1)
            body = build().rstrip() if strip else build()
            updated = f"{head}{start}\n{body}\n{end}{tail}"
    if write and updated != text:
        path.write_text(updated, "utf-8")
    return updated == text
