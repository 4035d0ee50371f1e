"""What a front page says about itself, read with the standard library's ``html.parser``."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIP_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class PageFacts:
    lang: str | None = None
    title: str = ""
    has_viewport: bool = False
    fields: list[dict[str, str | None]] = field(default_factory=list)
    label_for: set[str] = field(default_factory=set)
    images: int = 0
    images_without_alt: int = 0

    @property
    def unlabelled(self) -> int:
        return sum(1 for f in self.fields if not (f["wrapped"] or f["aria"] or (f["id"] and f["id"] in self.label_for)))


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in_title = False
        self._label_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "html" and self.facts.lang is None:
            self.facts.lang = a.get("lang") or a.get("xml:lang") or None
        elif tag == "title":
            self._in_title = True
        elif tag == "meta" and a.get("name", "").lower() == "viewport" and a.get("content"):
            self.facts.has_viewport = True
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.facts.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea"):
            if tag == "input" and a.get("type", "text").lower() in _SKIP_INPUT_TYPES:
                return
            self.facts.fields.append({
                "id": a.get("id") or None,
                "aria": "y" if (a.get("aria-label") or a.get("aria-labelledby") or a.get("title")) else None,
                "wrapped": "y" if self._label_depth else None,
            })
        elif tag == "img":
            self.facts.images += 1
            if "alt" not in a:
                self.facts.images_without_alt += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "label":
            self._label_depth = max(0, self._label_depth - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag == "label":
            self._label_depth = max(0, self._label_depth - 1)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.facts.title += data


def audit(html: str) -> PageFacts:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.facts.title = " ".join(parser.facts.title.split())
    return parser.facts
