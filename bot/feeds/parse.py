"""The parse stage: the bytes of a feed document become `Article`s.

In: the body of one fetched document (bytes), the feed's configured name (and kind of source,
news by default), and optionally the URL it came from and its Content-Type. Out: a `ParsedFeed`
(feed title, link, TTL, articles, warnings, its WebSub hub and self links)
with every entry cleaned: plain-text title and text, canonical URL, a stable id unique within the
document, a UTC publication date, tickers the feed attached, and SEC EDGAR form/items/CIKs.
Fails with `NotAFeed` for documents that are not feeds (HTML pages, JSON, other XML, text) and
`FeedError` for broken XML nothing could be recovered from; `str()` of either is a short reason
fit for the feed's status. Pure: no I/O, no settings (the clock can be passed in as `now`).

This module reads the document as a whole; the jobs it hands out live beside it: sniff.py (what
is not a feed, and why), html_text.py (fields as plain text), entries.py (entries to articles),
dates.py and feed_tickers.py (two fields of an entry).
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser

from bot.feeds import edgar
from bot.feeds.entries import FeedContext, detail_type, unique_articles
from bot.feeds.html_text import as_text, html_to_text, one_line
from bot.feeds.sniff import FeedError, NotAFeed, describe, not_a_feed, sniff
from bot.feeds.sniff import problem as problem_of
from bot.feeds.urls import canonical_url
from bot.models import Article, SourceKind

# Callers import these from here, the stage's entry point.
__all__ = ["FeedError", "NotAFeed", "ParsedFeed", "html_to_text", "parse_feed"]


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed document: the feed's own title, link and TTL (seconds), its articles, and
    what was wrong with it but did not stop it from being read."""

    title: str
    link: str | None
    ttl: int | None
    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()
    # The document's rel="hub" and rel="self" links as (rel, href): WebSub discovery
    # (bot.websub.discovery) reads them with the fetch's Link header.
    links: tuple[tuple[str, str], ...] = ()


def _hub_links(feed: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The feed-level links WebSub needs: rel="hub" and rel="self", in document order."""
    found = []
    for link in feed.get("links") or ():
        rel, href = str(link.get("rel") or "").lower(), str(link.get("href") or "").strip()
        if rel in ("hub", "self") and href:
            found.append((rel, href))
    return tuple(found)


def _ttl_seconds(value: object) -> int | None:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes * 60 if minutes > 0 else None


def _read(content: bytes, url: str | None, content_type: str | None) -> Any:
    """feedparser's reading of the document; FeedError when feedparser itself fails."""
    headers = {}
    if url:
        headers["content-location"] = url
    if content_type:
        headers["content-type"] = content_type
    # A file object, never bytes: feedparser would try to open short byte strings as file names.
    # We only keep text, so feedparser need not sanitize HTML or rewrite links inside it.
    try:
        return feedparser.parse(
            io.BytesIO(content),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:
        # feedparser's fallback parser for broken XML has bugs of its own (an out-of-range
        # "&#xFFFFFFF;", an empty </height>, a NUL in the declared charset): the document is
        # broken either way, and one bad feed must not stop the others.
        raise FeedError.named("parse.broken", kind=type(exc).__name__, detail=str(exc)) from exc


def _context(
    feed: Mapping[str, Any],
    version: str,
    title: str,
    *,
    source: str,
    base: str | None,
    now: datetime | None,
    kind: SourceKind,
) -> FeedContext:
    """What the entries share: the feed's name, base URL, format, clock and EDGAR company."""
    edgar_company = feed.get("conformed-name")
    if not edgar_company and isinstance(feed.get("cik"), str):
        edgar_company = re.sub(r"\s*\(\d+\)\s*$", "", title) or None
    return FeedContext(
        source=source,
        base=base,
        rss=version.startswith("rss") or not version,
        now=now or datetime.now(UTC),
        edgar_company=one_line(edgar_company) if isinstance(edgar_company, str) else None,
        edgar_cik=edgar.parse_cik(str(feed.get("cik") or "")),
        kind=kind,
    )


def parse_feed(
    content: bytes,
    *,
    source: str,
    url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
    kind: SourceKind = SourceKind.NEWS,
) -> ParsedFeed:
    """Parse one feed document into articles. `source` is the feed's configured name and
    `kind` its kind of source (news, press releases, filings); `url` and
    `content_type` (from the HTTP response) help resolve relative links and the charset; `now`
    is the clock against which future dates are judged. Raises NotAFeed or FeedError."""
    sniff(content)
    doc = _read(content, url, content_type)
    version = doc.get("version") or ""
    entries = doc.get("entries") or []
    problem = doc.get("bozo_exception") if doc.get("bozo") else None
    if not version and not entries:
        raise not_a_feed(content, problem)
    if not entries and isinstance(problem, SAXParseException):
        raise FeedError.told(problem_of(problem, content))

    feed: Mapping[str, Any] = dict(doc.get("feed") or {})
    feed_title = one_line(as_text(str(feed.get("title") or ""), detail_type(feed, "title_detail")))
    base = url or None
    feed_link = canonical_url(str(feed.get("link") or ""), base) or None
    ctx = _context(
        feed, version, feed_title, source=source, base=base or feed_link, now=now, kind=kind
    )
    warnings = [describe(problem, content)] if problem is not None else []
    if not version:
        warnings.append("unknown feed format; entries read anyway")
    return ParsedFeed(
        title=feed_title,
        link=feed_link,
        ttl=_ttl_seconds(feed.get("ttl")) if feed.get("ttl") else None,
        articles=tuple(unique_articles(entries, ctx)),
        warnings=tuple(warnings),
        links=_hub_links(feed),
    )
