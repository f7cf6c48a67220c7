"""Reading raw HTML without a browser: a real parser and the browser's CSS selectors.

Replies to HTTP submits (the replay path, a followed redirect) are parsed by
lxml, which recovers from broken markup the way browsers do, and queried
with the profile's CSS selectors translated to XPath by cssselect: the same
selectors, with the same meaning, that the browser path hands to Chromium.
A selector cssselect cannot evaluate is refused when the profile is
validated (``selector_error``), never met for the first time at the release
instant and never silently replaced by the whole page's text.
"""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from cssselect import HTMLTranslator, SelectorError
from lxml import etree

_SPACE = re.compile(r"\s+")
_PARSER = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
_TRANSLATOR = HTMLTranslator()
_INVISIBLE = ("script", "style", "template", "noscript")


class SelectorInvalid(ValueError):
    """A CSS selector that cssselect cannot turn into XPath."""


@lru_cache(maxsize=512)
def _xpath(css: str) -> etree.XPath:
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(css))
    except SelectorError as exc:
        raise SelectorInvalid(f"{css!r}: {exc}") from None


def selector_error(css: str) -> str | None:
    """Why ``css`` cannot be evaluated on a parsed page, or None when it can."""
    try:
        _xpath(css)
    except SelectorInvalid as exc:
        return str(exc)
    return None


def parse(html: str | bytes) -> lxml.html.HtmlElement:
    """The document tree of ``html`` (an empty tree for an empty or unparsable page)."""
    data = html.encode("utf-8", errors="replace") if isinstance(html, str) else html
    if not data.strip():
        return lxml.html.fromstring("<html></html>")
    try:
        return lxml.html.document_fromstring(data, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return lxml.html.fromstring("<html></html>")


def select(document: lxml.html.HtmlElement, css: str) -> list:
    """Every element of ``document`` matching ``css``, in document order."""
    return _xpath(css)(document)


def _text(element) -> str:
    return _collapse(" ".join(_flow(element)))


def _flow(element):
    """The text of ``element`` in reading order, without scripts and styles."""
    if not isinstance(element.tag, str) or element.tag in _INVISIBLE:
        return
    if element.text:
        yield element.text
    for child in element:
        yield from _flow(child)
        if child.tail:
            yield child.tail


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def element_text(html: str | lxml.html.HtmlElement, css: str, index: int = 0) -> str | None:
    """The ``index``-th matching element's text (whitespace collapsed), or None if absent."""
    document = parse(html) if isinstance(html, str | bytes) else html
    found = select(document, css)
    if len(found) <= index:
        return None
    return _text(found[index])


def attribute(
    html: str | lxml.html.HtmlElement, css: str, name: str, index: int = 0
) -> str | None:
    """An attribute of the ``index``-th matching element, or None."""
    document = parse(html) if isinstance(html, str | bytes) else html
    found = select(document, css)
    if len(found) <= index:
        return None
    return found[index].get(name)


def page_text(html: str | lxml.html.HtmlElement) -> str:
    """The page's readable text (no scripts or styles), whitespace collapsed."""
    document = parse(html) if isinstance(html, str | bytes) else html
    body = document.find("body")
    return _collapse(" ".join(_flow(body if body is not None else document)))
