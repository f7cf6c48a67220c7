"""Text of an element in raw HTML, for replies read without a browser.

Supports the simple selectors a reply message needs: ``tag``, ``#id``,
``.class``, ``tag#id``, ``tag.class``. Anything fancier returns None and
the caller classifies the page's whole text instead.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SIMPLE = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)?(?:#([\w-]+)|\.([\w-]+))?$")
_VOID = {"br", "img", "input", "meta", "link", "hr", "area", "base", "col", "source", "wbr"}


class _Finder(HTMLParser):
    def __init__(self, tag: str | None, ident: str | None, cls: str | None):
        super().__init__(convert_charrefs=True)
        self.want = (tag, ident, cls)
        self.depth = 0  # >0 while inside the matched element
        self.parts: list[str] = []
        self.done = False
        self.all_text: list[str] = []

    def _matches(self, tag: str, attrs: list) -> bool:
        want_tag, ident, cls = self.want
        attributes = dict(attrs)
        if want_tag and tag != want_tag.lower():
            return False
        if ident and attributes.get("id") != ident:
            return False
        return not (cls and cls not in (attributes.get("class") or "").split())

    def handle_starttag(self, tag, attrs):
        if tag in _VOID:
            return
        if self.depth:
            self.depth += 1
        elif not self.done and self._matches(tag, attrs):
            self.depth = 1

    def handle_endtag(self, tag):
        if tag in _VOID:
            return
        if self.depth:
            self.depth -= 1
            if not self.depth:
                self.done = True

    def handle_data(self, data):
        if self.depth:
            self.parts.append(data)
        self.all_text.append(data)


def element_text(html: str, css: str) -> str | None:
    """The first matching element's text, or None (no match or unsupported selector)."""
    match = _SIMPLE.match(css.strip())
    if not match or not any(match.groups()):
        return None
    finder = _Finder(*match.groups())
    finder.feed(html)
    if not finder.parts and not finder.done:
        return None
    return " ".join("".join(finder.parts).split())


def page_text(html: str) -> str:
    """All visible-ish text of a page, whitespace collapsed (scripts included: harmless)."""
    finder = _Finder(None, None, None)
    finder.feed(html)
    return " ".join(" ".join(finder.all_text).split())
