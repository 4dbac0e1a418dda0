"""`python -m bot scan`: the pipeline's pure stages run once over URLs or files, for people.

In: sources (http(s) URLs or local files), optional tickers and keyword queries. Out: the alerts
that would be sent, printed as text or as JSON lines (`title`, `url`, `published`, `source`,
`tickers` (most-about first), `about` (the tickers the story is about), `events` (its event
types), `keywords`, `text`). With no tickers and no keywords every article is printed with all
tickers detected in it. A source that cannot be read or parsed is reported on stderr and
makes the exit status 1; the other sources are still scanned. Bad tickers or queries raise
`ScanUsageError` (exit status 2).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TextIO

import httpx

from bot.feeds.fetch import FetchError, fetch, make_client
from bot.feeds.parse import FeedError, parse_feed
from bot.matching.about import Story, read_story
from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.keywords import QueryError, parse_query
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article, Hit, Kind, Subscription
from bot.render.message import render_alert
from bot.settings import Settings


class ScanUsageError(ValueError):
    """A ticker or query given to scan cannot be used; str() says why."""


def build_index(
    universe: TickerUniverse, tickers: Sequence[str], keywords: Sequence[str]
) -> MatchIndex:
    index = MatchIndex(universe)
    number = 0
    for word in tickers:
        company = universe.company(word)
        if company is None:
            hint = ", ".join(c.tickers[0] for c in universe.suggest(word))
            raise ScanUsageError(
                f"unknown ticker {word!r}" + (f" (did you mean {hint}?)" if hint else "")
            )
        number += 1
        index.add(Subscription(number, 0, Kind.TICKER, company.tickers[0]))
    for query in keywords:
        try:
            parsed = parse_query(query)
        except QueryError as exc:
            raise ScanUsageError(f"bad keyword query {query!r}: {exc}") from None
        number += 1
        index.add(Subscription(number, 0, Kind.KEYWORD, parsed.text))
    return index


def detected_alert(article: Article, story: Story) -> Alert:
    """Every ticker found in the article, most-about first, as if each were watched."""
    # Each ticker its own (made-up) subscription, so that the "why" names each one.
    hits = tuple(
        Hit(
            Subscription(number, 0, Kind.TICKER, r.mention.symbol),
            r.mention.terms,
            r.mention.sentence,
        )
        for number, r in enumerate(story.ranked, start=1)
    )
    return Alert(0, article, hits)


async def _read(source: str, client: httpx.AsyncClient) -> tuple[bytes, str | None, str | None]:
    """The document's bytes, its URL (if fetched) and its content type (if told)."""
    if source.startswith(("http://", "https://")):
        fetched = await fetch(client, source)
        if fetched.body is None:
            raise FetchError("the server sent an empty document")
        return fetched.body, fetched.url, fetched.content_type
    return await asyncio.to_thread(Path(source).read_bytes), None, None


async def scan(
    settings: Settings,
    sources: Sequence[str],
    *,
    tickers: Sequence[str] = (),
    keywords: Sequence[str] = (),
    as_json: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Scan each source and print its alerts; returns the exit status."""
    universe = TickerUniverse.load(settings.tickers_file, settings.data_dir)
    index = build_index(universe, tickers, keywords)
    filtering = bool(tickers or keywords)
    status = 0
    async with make_client() as client:
        for source in sources:
            try:
                body, url, content_type = await _read(source, client)
                parsed = parse_feed(body, source=source, url=url, content_type=content_type)
            except (FetchError, FeedError, OSError) as exc:
                print(f"{source}: {exc}", file=err)
                status = 1
                continue
            name = parsed.title or source
            for article in parsed.articles:
                article = replace(article, source=name)
                mentions = detect_tickers(article, universe)
                story = read_story(article, universe, mentions)
                alerts = (
                    index.match(article, mentions)
                    if filtering
                    else [detected_alert(article, story)]
                )
                for alert in alerts:
                    _print(alert, story, settings, as_json, out)
    return status


def _print(alert: Alert, story: Story, settings: Settings, as_json: bool, out: TextIO) -> None:
    rendered = render_alert(
        alert, disclaimer=settings.disclaimer, summary_length=settings.summary_length
    )
    if not as_json:
        print(rendered.text, end="\n\n", file=out)
        return
    article = alert.article
    record = {
        "title": article.title,
        "url": article.url,
        "published": article.published.isoformat() if article.published else None,
        "source": article.source,
        "tickers": list(story.tickers),
        "about": list(story.about),
        "events": list(story.events),
        "keywords": list(alert.keywords),
        "text": rendered.text,
    }
    print(json.dumps(record, ensure_ascii=False), file=out)
