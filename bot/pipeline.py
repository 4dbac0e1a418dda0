"""The polling pipeline: fetch -> parse -> dedup -> match -> render -> outbox, for each due feed.

In: the settings, the `Store`, the `Matcher` (ticker universe + subscription index) and an HTTP
client. Out: new articles stored and their alerts queued in the outbox, in one transaction per
feed. A feed that fails (network, HTTP error, not a feed) gets its reason recorded and a later
retry with backoff; it never stops the other feeds.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from telegram.ext import ContextTypes

from bot.clock import Clock, utc_now
from bot.feeds.fetch import FetchError, fetch
from bot.feeds.parse import FeedError, parse_feed
from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article
from bot.render.message import RenderedAlert, render_alert, render_plain
from bot.settings import Settings
from bot.storage.store import FeedState, OutboxRow, Store

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(days=1)
JobCallback = Callable[[ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tickers are detected once per article, then the one index finds every chat's hits."""

    universe: TickerUniverse
    index: MatchIndex

    def alerts(self, article: Article) -> list[Alert]:
        return self.index.match(article, detect_tickers(article, self.universe))


@dataclass(frozen=True, slots=True)
class PollResult:
    feed_id: int
    new_stories: int = 0
    error: str | None = None


def next_poll(now: datetime, interval: int, errors: int = 0) -> datetime:
    """When to poll again: after the interval, doubled for each consecutive error, at most a day."""
    delay = timedelta(seconds=interval) * (1 << min(errors, 16))
    return now + min(delay, MAX_BACKOFF)


def buttons_json(rendered: RenderedAlert) -> str:
    return json.dumps(
        [
            [
                {
                    k: v
                    for k, v in (
                        ("label", b.label),
                        ("callback_data", b.callback_data),
                        ("url", b.url),
                    )
                    if v is not None
                }
                for b in row
            ]
            for row in rendered.buttons
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


class Pipeline:
    """Polls due feeds and fills the outbox."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        matcher: Matcher,
        client: httpx.AsyncClient,
        *,
        clock: Clock = utc_now,
        concurrency: int = 8,
    ) -> None:
        self.settings = settings
        self.store = store
        self.matcher = matcher
        self.client = client
        self.clock = clock
        self._slots = asyncio.Semaphore(concurrency)

    async def poll_due(self) -> list[PollResult]:
        """Poll every feed whose time has come."""
        states = self.store.feed_states(due_at=self.clock())
        return list(await asyncio.gather(*(self._poll_bounded(s) for s in states)))

    async def _poll_bounded(self, state: FeedState) -> PollResult:
        async with self._slots:
            return await self.poll(state)

    async def poll(self, state: FeedState) -> PollResult:
        """Fetch one feed and store what is new; every failure is recorded with its reason."""
        feed = state.feed
        assert feed.id is not None
        try:
            fetched = await fetch(
                self.client, feed.url, etag=state.etag, last_modified=state.last_modified
            )
            if fetched.body is None:
                now = self.clock()
                self.store.record_unchanged(
                    feed.id, now=now, next_poll_at=next_poll(now, feed.interval)
                )
                return PollResult(feed.id)
            parsed = parse_feed(
                fetched.body, source=feed.name, url=fetched.url, content_type=fetched.content_type
            )
        except (FetchError, FeedError) as exc:
            now = self.clock()
            error = str(exc)
            self.store.record_failure(
                feed.id,
                now=now,
                error=error,
                next_poll_at=next_poll(now, feed.interval, state.error_count + 1),
            )
            log.warning("feed %s (%s) failed: %s", feed.id, feed.name, error)
            return PollResult(feed.id, error=error)
        now = self.clock()
        new = self.store.ingest(
            feed.id,
            parsed.articles,
            now=now,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            next_poll_at=next_poll(now, feed.interval),
            alerts_for=lambda stories: self.outbox_rows(stories, now),
        )
        if new:
            log.info("feed %s (%s): %d new stories", feed.id, feed.name, len(new))
        return PollResult(feed.id, new_stories=len(new))

    def outbox_rows(self, stories: Sequence[tuple[int, Article]], now: datetime) -> list[OutboxRow]:
        """Match and render new stories; stories published too long ago are not alerted."""
        oldest = now - timedelta(seconds=self.settings.max_article_age)
        rows = []
        for article_id, article in stories:
            if article.published is not None and article.published < oldest:
                continue
            for alert in self.matcher.alerts(article):
                rendered = render_alert(
                    alert,
                    disclaimer=self.settings.disclaimer,
                    summary_length=self.settings.summary_length,
                )
                rows.append(
                    OutboxRow(
                        chat_id=alert.chat_id,
                        article_id=article_id,
                        text=rendered.text,
                        plain_text=render_plain(alert, disclaimer=self.settings.disclaimer),
                        buttons=buttons_json(rendered),
                    )
                )
        return rows


class PollJob:
    """The poll job for PTB's JobQueue: poll due feeds, then wake the delivery job when new
    alerts were queued. Only one run at a time."""

    def __init__(self, pipeline: Pipeline, on_new_alerts: JobCallback) -> None:
        self.pipeline = pipeline
        self.on_new_alerts = on_new_alerts
        self._running = asyncio.Lock()

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            results = await self.pipeline.poll_due()
        if any(r.new_stories for r in results):
            await self.on_new_alerts(context)
