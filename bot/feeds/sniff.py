"""Telling feeds from other documents, and saying why a document cannot be used.

In: the bytes of one fetched document (and, after feedparser has read it, the exception it
reported). Out: nothing when the document may be a feed (`sniff`), or the error to raise: a
`NotAFeed` for HTML pages, JSON, other XML and text, a `FeedError` for empty or broken documents,
each with a short reason fit for the feed's status. Pure: it only looks at the bytes.
"""

from __future__ import annotations

import html
import re
from xml.sax import SAXParseException

from bot.feeds.html_text import one_line


class FeedError(Exception):
    """The document cannot be used; str() is a clear reason for the feed's status."""


class NotAFeed(FeedError):
    """The document is something other than a feed: an HTML page, JSON, other XML, text."""


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SNIFF_BYTES = 65536
# Prolog that may come before the first element: XML declaration, processing instructions,
# comments, a doctype.
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.I
)
_XML_DECLARATION = re.compile(r"\s*<\?xml\s")
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html\b", re.IGNORECASE)
_HTML_ROOT = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)
_FEED_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)[\s>/]", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def _head_text(content: bytes) -> str:
    """The start of the document as text, good enough to sniff what kind of document it is."""
    head = content[:_SNIFF_BYTES]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    return head.decode("utf-8", errors="replace")


def _split_prolog(text: str) -> tuple[str, str]:
    """The prolog before the first element, and the rest of the document from that element."""
    pos = 0
    while (m := _PROLOG.match(text, pos)) and m.end() > pos:
        pos = m.end()
    return text[:pos], text[pos:].lstrip()


def _is_html(prolog: str, body: str) -> bool:
    # A page whose root is <html>, or that declares itself HTML and has no feed root (HTML5 may
    # leave out <html>); a feed behind a stray HTML doctype is still a feed.
    if _HTML_ROOT.match(body):
        return True
    return _HTML_DOCTYPE.search(prolog) is not None and not _FEED_ROOT.match(body)


def _html_reason(text: str) -> NotAFeed:
    m = _HTML_TITLE.search(text)
    title = one_line(html.unescape(m.group(1)))[:80] if m else ""
    if title:
        return NotAFeed(f"not a feed: an HTML page (<title>{title}</title>)")
    return NotAFeed("not a feed: an HTML page")


def sniff(content: bytes) -> None:
    """Reject what is plainly not a feed before feedparser spends time on it."""
    prolog, body = _split_prolog(_head_text(content))
    if not body:
        raise FeedError("empty document")
    if body[:1] in ("{", "["):
        kind = "a JSON Feed (not supported)" if "jsonfeed.org" in body[:2000] else "JSON"
        raise NotAFeed(f"not a feed: {kind}")
    if _is_html(prolog, body):
        raise _html_reason(body)


def describe(exc: BaseException, content: bytes) -> str:
    """A problem feedparser reported, as a reason: broken XML with its line, else the message."""
    if isinstance(exc, SAXParseException):
        line: int = exc.getLineNumber() or 1
        # feedparser puts an XML declaration and a newline before documents that have none.
        if not _XML_DECLARATION.match(_head_text(content[:256])):
            line = max(1, line - 1)
        return f"broken XML at line {line}: {exc.getMessage()}"
    return str(exc) or type(exc).__name__


def not_a_feed(content: bytes, exc: BaseException | None) -> FeedError:
    """Why a document with no feed format and no entries cannot be used."""
    _, body = _split_prolog(_head_text(content))
    if _HTML_ROOT.search(body[:4096]):
        return _html_reason(body)
    if not body.startswith("<"):
        return NotAFeed(f"not a feed: text, not XML (starts with {one_line(body)[:40]!r})")
    if isinstance(exc, SAXParseException):
        return FeedError(describe(exc, content))
    m = _ROOT.match(body)
    root = m.group(1) if m else "?"
    return NotAFeed(f"not a feed: an XML document with root element <{root}>")
