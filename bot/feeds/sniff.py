"""Telling feeds from other documents, and saying why a document cannot be used.

In: the bytes of one fetched document (and, after feedparser has read it, the exception it
reported). Out: nothing when the document may be a feed (`sniff`), or the error to raise: a
`NotAFeed` for HTML pages, JSON, other XML and text, a `FeedError` for empty or broken documents,
each with a short reason fit for the feed's status. Pure: it only looks at the bytes.
Each error carries its reason as a catalogue `Phrase` too (`say(lang)`, for the chat that added
the feed), and survives pickling with it: errors cross the parse pool's process boundary.
"""

from __future__ import annotations

import html
import re
from typing import Self
from xml.sax import SAXParseException

from bot.feeds.html_text import one_line
from bot.texts import Phrase


class FeedError(Exception):
    """The document cannot be used; str() is a clear reason for the feed's status (in English:
    logs, the feed's state, error classification), `say(lang)` the same for a user."""

    def __init__(self, reason: str, phrase: Phrase | None = None) -> None:
        super().__init__(reason)
        # In __dict__, which BaseException's pickling restores: the phrase crosses processes.
        self.phrase = phrase

    @classmethod
    def named(cls, key: str, /, **values: object) -> Self:
        """The error whose reason is the catalogue's `key` filled with `values`."""
        return cls.told(Phrase(key, values))

    @classmethod
    def told(cls, phrase: Phrase, reason: str | None = None) -> Self:
        """The error saying `phrase`; `reason` when the log's English differs from it."""
        return cls(reason if reason is not None else phrase.say().strip(), phrase)

    def say(self, lang: str) -> str:
        """The reason in `lang` (in English when it was not written with the catalogue)."""
        return self.phrase.say(lang).strip() if self.phrase is not None else str(self)


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
# expat's commonest complaints, said in the chat's language; others stay as expat wrote them.
_EXPAT = {
    "no element found": "sniff.xml.no_element",
    "not well-formed (invalid token)": "sniff.xml.invalid_token",
    "mismatched tag": "sniff.xml.mismatched_tag",
    "unclosed token": "sniff.xml.unclosed_token",
    "undefined entity": "sniff.xml.undefined_entity",
    "junk after document element": "sniff.xml.junk_after",
    "syntax error": "sniff.xml.syntax",
    "unbound prefix": "sniff.xml.unbound_prefix",
    "duplicate attribute": "sniff.xml.duplicate_attribute",
}


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
        # The log keeps the tag as it was found; a chat gets the title without markup.
        reason = f"not a feed: an HTML page (<title>{title}</title>)"
        return NotAFeed.told(Phrase("sniff.html_titled", {"title": title}), reason)
    return NotAFeed.named("sniff.html")


def sniff(content: bytes) -> None:
    """Reject what is plainly not a feed before feedparser spends time on it."""
    prolog, body = _split_prolog(_head_text(content))
    if not body:
        raise FeedError.named("sniff.empty")
    if body[:1] in ("{", "["):
        raise NotAFeed.named("sniff.json_feed" if "jsonfeed.org" in body[:2000] else "sniff.json")
    if _is_html(prolog, body):
        raise _html_reason(body)


def problem(exc: BaseException, content: bytes) -> Phrase:
    """A problem feedparser reported, as a phrase: broken XML with its line, else the message."""
    if isinstance(exc, SAXParseException):
        line: int = exc.getLineNumber() or 1
        # feedparser puts an XML declaration and a newline before documents that have none.
        if not _XML_DECLARATION.match(_head_text(content[:256])):
            line = max(1, line - 1)
        message = str(exc.getMessage())
        key = _EXPAT.get(message)
        detail: object = Phrase(key) if key else message
        # The line as digits: a locale's grouping ("1,234") is no line number.
        return Phrase("sniff.broken_xml", {"line": str(line), "detail": detail})
    return Phrase("sniff.problem", {"detail": str(exc) or type(exc).__name__})


def describe(exc: BaseException, content: bytes) -> str:
    """The `problem` in English, for the feed's warnings and logs."""
    return problem(exc, content).say()


def not_a_feed(content: bytes, exc: BaseException | None) -> FeedError:
    """Why a document with no feed format and no entries cannot be used."""
    _, body = _split_prolog(_head_text(content))
    if _HTML_ROOT.search(body[:4096]):
        return _html_reason(body)
    if not body.startswith("<"):
        return NotAFeed.named("sniff.text", start=repr(one_line(body)[:40]))
    if isinstance(exc, SAXParseException):
        return FeedError.told(problem(exc, content))
    m = _ROOT.match(body)
    # The element is the value, not the catalogue's: catalogues hold no markup.
    return NotAFeed.named("sniff.xml_root", root=f"<{m.group(1) if m else '?'}>")
