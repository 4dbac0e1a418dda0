"""Feed entries become `Article`s: text, title, ids, dates, tickers and EDGAR fields together.

In: feedparser's entries of one document and what they share (`FeedContext`: the feed's name,
base URL, format, clock, and for EDGAR company feeds the company). Out: the document's articles
in order, with plain-text title and text, a canonical URL, and an id unique within the document;
each with its kind of source (the feed's; filings for an EDGAR filing) and its event types
(`bot.matching.events`); entries with neither title nor text are left out. An item's <source>
names its publisher (Google News: the outlet, not "Google News"); a Google News item gets the
story's own link where its link carries one, and its description's related coverage as text
(`bot.feeds.google_news`).
Total: odd entries give less, never an error.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.feeds import edgar
from bot.feeds.dates import published as published_at
from bot.feeds.feed_tickers import feed_tickers
from bot.feeds.google_news import description_text, is_google_news, story_link
from bot.feeds.html_text import HTML_TYPES, as_text, one_line
from bot.feeds.urls import canonical_url
from bot.matching.events import classify
from bot.models import Article, SourceKind

# A title made from the text when an entry has none: its first line, at most this long.
_TITLE_FALLBACK_LEN = 120


@dataclass(frozen=True, slots=True)
class FeedContext:
    """What every entry of one document shares."""

    source: str
    base: str | None
    rss: bool
    now: datetime
    edgar_company: str | None
    edgar_cik: int | None
    kind: SourceKind = SourceKind.NEWS  # the feed's kind of source


def detail_type(entry: Mapping[str, Any], key: str) -> str | None:
    """The type feedparser recorded for a field ("title_detail" -> "text/html"), if any."""
    detail = entry.get(key)
    return detail.get("type") if isinstance(detail, Mapping) else None


def _entry_text(entry: Mapping[str, Any], rss: bool) -> str:
    """The longer of the entry's content and summary, as plain text."""
    best = ""
    summary = entry.get("summary")
    if isinstance(summary, str) and summary:
        best = as_text(summary, detail_type(entry, "summary_detail") or "text/html")
    for content in entry.get("content") or ():
        kind = content.get("type") or "text/plain"
        value = content.get("value") or ""
        # In RSS, plain-text "content" is feedparser's home for <media:description>, a photo
        # caption; EDGAR's content is XML data, not prose.
        if not value or (rss and kind == "text/plain") or kind not in HTML_TYPES | {"text/plain"}:
            continue
        text = as_text(value, kind)
        if len(text) > len(best):
            best = text
    return best


def _without_title(text: str, title: str, publisher: str | None) -> str:
    """Text that merely repeats the title (Google News: headline link + publisher) is no text;
    a first paragraph that is the title is dropped."""
    if not text or not title:
        return text
    folded_title = title.casefold()
    if text.casefold().startswith(folded_title):
        rest = text[len(title) :].strip()
        if not rest or (publisher and rest.casefold() == publisher.casefold()):
            return ""
    first, sep, others = text.partition("\n\n")
    if sep and first.casefold() == folded_title:
        return others
    return text


def _title_fallback(text: str) -> str:
    first = text.split("\n", 1)[0]
    if len(first) <= _TITLE_FALLBACK_LEN:
        return first
    return first[: _TITLE_FALLBACK_LEN - 1].rsplit(" ", 1)[0] + "…"


def _hash_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return "sha256:" + digest[:32]


def _edgar_fields(
    entry: Mapping[str, Any], title: str, link: str, text: str, ctx: FeedContext
) -> tuple[str, str | None, tuple[str, ...], tuple[int, ...]]:
    """Title, form, 8-K items and CIKs of an EDGAR entry."""
    parsed = edgar.parse_title(title)
    form = next(
        (
            (t.get("term") or "").strip().upper()
            for t in entry.get("tags") or ()
            if (t.get("label") or "").lower() == "form type" and t.get("term")
        ),
        parsed.form if parsed else None,
    )
    ciks: dict[int, None] = {}
    for cik in (parsed.cik if parsed else None, edgar.cik_from_link(link), ctx.edgar_cik):
        if cik:
            ciks.setdefault(cik, None)
    items: tuple[str, ...] = ()
    if form and form.startswith(("8-K", "6-K")):
        items = edgar.item_numbers(text, str(entry.get("items-desc") or ""))
    company = (parsed.company if parsed else None) or ctx.edgar_company
    description = parsed.description if parsed else None
    if form and company:
        title = " - ".join(p for p in (form, company, description) if p)
    return title, form, items, tuple(ciks)


def _link_and_guid(entry: Mapping[str, Any], ctx: FeedContext) -> tuple[str, str]:
    """The entry's canonical link and its GUID (on one line)."""
    raw_link = entry.get("link") or ""
    link = canonical_url(raw_link, ctx.base) if isinstance(raw_link, str) else ""
    guid = entry.get("id") or ""
    guid = one_line(guid) if isinstance(guid, str) else ""
    # Yahoo gives some items the tail of their link's query ("?src=A00220&yptr=yahoo") as GUID,
    # the same for several items: a bare query or fragment identifies nothing.
    if guid[:1] in ("?", "#", "&") and link:
        guid = link
    return link, guid


def _title_and_publisher(entry: Mapping[str, Any]) -> tuple[str, str | None]:
    """The entry's title as plain text on one line, and the publisher its <source> names."""
    raw_title = entry.get("title") or ""
    title = one_line(as_text(raw_title, detail_type(entry, "title_detail")))
    source_info = entry.get("source")
    publisher = source_info.get("title") if isinstance(source_info, Mapping) else None
    publisher = one_line(publisher) if isinstance(publisher, str) else None
    # Google News appends " - Publisher"; strip it only when <source> names that publisher.
    if publisher and title.endswith(" - " + publisher) and len(title) > len(publisher) + 3:
        title = title[: -len(publisher) - 3].rstrip()
    return title, publisher


def _google_news_item(
    entry: Mapping[str, Any], link: str, title: str, publisher: str | None
) -> tuple[str, str]:
    """A Google News item's link (the story's own where it carries one) and text (its
    description's related coverage; "" when the description only repeats the headline)."""
    own = story_link(link)
    summary = entry.get("summary")
    text = description_text(summary, title, publisher) if isinstance(summary, str) else ""
    return (canonical_url(own) or link if own else link), text


def _article(entry: Mapping[str, Any], ctx: FeedContext) -> tuple[Article, str, str] | None:
    """The article for one entry, with its id candidates (GUID, link); None if it is empty."""
    link, guid = _link_and_guid(entry, ctx)
    title, publisher = _title_and_publisher(entry)
    if is_google_news(link):
        link, text = _google_news_item(entry, link, title, publisher)
    else:
        text = _without_title(_entry_text(entry, ctx.rss), title, publisher)
    if not title and not text:
        return None

    form: str | None = None
    items: tuple[str, ...] = ()
    ciks: tuple[int, ...] = ()
    key = link
    if edgar.is_edgar(guid, link):
        title, form, items, ciks = _edgar_fields(entry, title, link, text, ctx)
        # The same filing appears in the company feed and the latest-filings feed, once per
        # company involved, under different links: the accession number is its identity.
        if guid.startswith("urn:tag:sec.gov"):
            key = guid
    article = Article(
        key=key or guid,
        entry_id=guid,
        title=title or _title_fallback(text),
        url=link,
        text=text,
        published=published_at(entry, ctx.now),
        source=publisher or ctx.source,
        feed_tickers=feed_tickers(entry),
        form=form,
        items=items,
        ciks=ciks,
        kind=SourceKind.FILINGS if form else ctx.kind,
    )
    # Tagged here, once per story, so that the event is stored with it for rendering.
    article = replace(article, events=classify(article))
    return article, guid, link


def unique_articles(entries: Iterable[Mapping[str, Any]], ctx: FeedContext) -> Iterator[Article]:
    """Articles with ids unique within the document: a repeated GUID falls back to the link,
    then to a hash; an entry repeated whole is dropped; EDGAR's one-entry-per-company copies of
    a filing are merged into one article with all their CIKs."""
    used: set[str] = set()
    seen: set[tuple[str, ...]] = set()
    filings: dict[str, Article] = {}
    order: list[str | Article] = []
    for entry in entries:
        # A plain dict: FeedParserDict's own lookups remap keys and warn about deprecations.
        made = _article(dict(entry), ctx)
        if made is None:
            continue
        article, guid, link = made
        if article.form and article.key.startswith("urn:tag:sec.gov"):
            earlier = filings.get(article.key)
            if earlier is not None:
                merged = dict.fromkeys(earlier.ciks + article.ciks)
                filings[article.key] = replace(earlier, ciks=tuple(merged))
                continue
            filings[article.key] = article
            used.add(article.entry_id)
            order.append(article.key)
            continue
        stamp = article.published.isoformat() if article.published else ""
        whole = (guid, link, article.title, stamp, article.text)
        if whole in seen:  # the same item listed twice
            continue
        seen.add(whole)
        for candidate in (guid, link, _hash_id(article.title, stamp, link, article.text)):
            if candidate and candidate not in used:
                used.add(candidate)
                order.append(replace(article, entry_id=candidate, key=article.key or candidate))
                break
    for item in order:
        yield filings[item] if isinstance(item, str) else item
