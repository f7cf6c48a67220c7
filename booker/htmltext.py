"""Reading raw HTML without a browser: a real parser and the browser's CSS selectors.

Replies to HTTP submits (the replay path, a followed redirect) are parsed by
lxml, which recovers from broken markup the way browsers do, and queried
with the profile's CSS selectors translated to XPath by cssselect: the same
selectors, with the same meaning, that the browser path hands to Chromium.
A selector that cssselect cannot evaluate, or that only cssselect knows, is
refused when the profile is validated (``selector_error``), never met for
the first time at the release instant and never silently replaced by the
whole page's text. Text is read as a browser's ``innerText`` reads it:
inline elements join their neighbours, blocks break, scripts, styles and
hidden elements are left out.
"""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.html
from cssselect import HTMLTranslator, SelectorError
from lxml import etree

Html = str | bytes | lxml.html.HtmlElement

_SPACE = re.compile(r"\s+")
_TRANSLATOR = HTMLTranslator()
_INVISIBLE = frozenset(("script", "style", "template", "noscript", "head"))
# Elements whose edges break the text; inline ones (b, span, a...) do not.
_BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "br", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hr", "li", "main", "nav", "ol", "option", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
))  # fmt: skip
# cssselect extensions no browser knows: a profile must work on both paths.
_NOT_IN_BROWSERS = re.compile(r":contains\(|!=")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


class SelectorInvalid(ValueError):
    """A CSS selector that cssselect cannot turn into XPath."""


@lru_cache(maxsize=512)
def _xpath(css: str) -> etree.XPath:
    try:
        return etree.XPath(_TRANSLATOR.css_to_xpath(css))
    except SelectorError as exc:
        raise SelectorInvalid(f"{css!r}: {exc}") from None


def selector_error(css: str) -> str | None:
    """Why ``css`` cannot be evaluated both on a parsed page and in a browser, or None."""
    if _NOT_IN_BROWSERS.search(css):
        return f"{css!r}: ':contains()' and '!=' are cssselect's own; browsers refuse them"
    try:
        _xpath(css)
    except SelectorInvalid as exc:
        return str(exc)
    return None


@lru_cache(maxsize=16)
def _parser(encoding: str | None) -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(encoding=encoding, remove_comments=True)


def _empty() -> lxml.html.HtmlElement:
    return lxml.html.fromstring("<html></html>")


def parse(html: str | bytes, encoding: str | None = None) -> lxml.html.HtmlElement:
    """The document tree of ``html`` (an empty tree for an empty or unparsable page).

    Bytes are decoded as ``encoding`` (the ``Content-Type`` charset) when it
    is given, else as the page itself declares (``<meta charset>``), else UTF-8.
    """
    if isinstance(html, str):
        data, encoding = html.encode("utf-8", errors="replace"), "utf-8"
    else:
        data = html
    if not data.strip():
        return _empty()
    for attempt in (encoding, None):  # an unknown charset name: let lxml decide
        try:
            return lxml.html.document_fromstring(data, parser=_parser(attempt))
        except LookupError:
            continue
        except (etree.ParserError, ValueError):
            return _empty()
    return _empty()


def _document(html: Html) -> lxml.html.HtmlElement:
    return parse(html) if isinstance(html, str | bytes) else html


def select(document: lxml.html.HtmlElement, css: str) -> list:
    """Every element of ``document`` matching ``css``, in document order."""
    return _xpath(css)(document)


def _hidden(element) -> bool:
    return (
        element.tag in _INVISIBLE
        or element.get("hidden") is not None
        or (element.tag == "input" and element.get("type") == "hidden")
        or bool(_HIDDEN_STYLE.search(element.get("style") or ""))
    )


def _flow(element):
    """The pieces of ``element``'s text in reading order, with breaks around blocks."""
    if not isinstance(element.tag, str) or _hidden(element):
        return
    block = element.tag in _BLOCKS
    if block:
        yield " "
    if element.text:
        yield element.text
    for child in element:
        yield from _flow(child)
        if child.tail:
            yield child.tail
    if block:
        yield " "


def _text(element) -> str:
    return _SPACE.sub(" ", "".join(_flow(element))).strip()


def element_text(html: Html, css: str, index: int = 0) -> str | None:
    """The ``index``-th matching element's text (whitespace collapsed), or None if absent."""
    found = select(_document(html), css)
    return _text(found[index]) if len(found) > index else None


def attribute(html: Html, css: str, name: str, index: int = 0) -> str | None:
    """An attribute of the ``index``-th matching element, or None."""
    found = select(_document(html), css)
    return found[index].get(name) if len(found) > index else None


def page_text(html: Html) -> str:
    """The page's readable text, whitespace collapsed."""
    document = _document(html)
    body = document.find("body")
    return _text(body if body is not None else document)
