"""The polling pipeline: fetch -> parse -> dedup -> match -> render -> outbox, for each due feed.

In: the settings, the `Store`, the `Matcher` (ticker universe + subscription index) and an HTTP
client. Out: new articles stored and their alerts queued in the outbox, in one transaction per
feed. A feed that fails (network, HTTP error, not a feed) gets its reason recorded and a later
retry with backoff (bot.feeds.schedule); it never stops the other feeds. A feed failing for
FEED_BROKEN_AFTER hours while other feeds work is marked broken and the operators and the chats
that depend on it are told once (through the outbox), and again when it recovers; when every
feed fails at once the operators are told of a likely network outage instead. User feeds go
through the SSRF guard at every hop and alert only the chats that added them. Feeds on sec.gov
are polled only with SEC_USER_AGENT (sent as the User-Agent, at most 10 requests a second).
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
from telegram.ext import ContextTypes

from bot.clock import Clock, utc_now
from bot.feeds import schedule
from bot.feeds.fetch import Fetched, FetchError, HostGate, Limits, fetch
from bot.feeds.guard import Guard, Resolver, system_resolver
from bot.feeds.pages import fill_page_texts
from bot.feeds.parse import FeedError, NotAFeed, ParsedFeed
from bot.feeds.pool import ParsePool, parse_in_thread
from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article
from bot.observability.metrics import (
    ALERTS_QUEUED,
    FETCH_ERRORS,
    MATCHES,
    NEW_ARTICLES,
    POLLS,
)
from bot.settings import Settings
from bot.storage.feeds import USER
from bot.storage.store import FeedState, OutboxRow, Store
from bot.texts import text

log = logging.getLogger(__name__)

SEC_HOST = "sec.gov"
SEC_SPACING = 0.1  # seconds between two requests to the SEC: its limit is 10 per second
# Chats that received an alert carried by a catalogue feed this recently depend on it.
DEPENDENT_WINDOW = timedelta(days=30)
# An outage: the last OUTAGE_WINDOW polls all failed without an HTTP answer, across at least
# OUTAGE_HOSTS hosts.
OUTAGE_WINDOW = 20
OUTAGE_HOSTS = 3
# Unchanged feeds (304s, most polls) are recorded together, up to this many per transaction.
UNCHANGED_BATCH = 200
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
    network: bool = False  # failed without an HTTP answer


def is_sec(url: str) -> bool:
    """Whether `url` is on the SEC's servers (EDGAR's rules apply)."""
    host = (urlsplit(url).hostname or "").lower()
    return host == SEC_HOST or host.endswith("." + SEC_HOST)


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
        concurrency: int | None = None,
        resolver: Resolver = system_resolver,
        owner: str = "worker",
        parse_pool: ParsePool | None = None,
    ) -> None:
        self.settings = settings
        # Parsing is pure and slow (feedparser): in worker processes when a pool is given (the
        # app's), else in a thread; either way the loop keeps serving the other fetches.
        self.parse_pool = parse_pool
        self.owner = owner
        self.store = store
        self.matcher = matcher
        self.client = client
        self.clock = clock
        self.limits = Limits(max_bytes=settings.max_feed_bytes)
        self.guard = Guard(allow_private=settings.allow_private_feeds, resolver=resolver)
        self.gate = HostGate(settings.per_host_concurrency, {SEC_HOST: SEC_SPACING})
        self._slots = asyncio.Semaphore(concurrency or settings.fetch_concurrency)
        self._sec_off_logged = False
        self._recent: deque[tuple[str, bool]] = deque(maxlen=OUTAGE_WINDOW)
        self._outage_since: datetime | None = None
        # (feed id, polled at, next poll) of unchanged feeds not yet written; see poll_many.
        self._unchanged: list[tuple[int, datetime, datetime]] = []
        self._batching = 0

    async def poll_due(self) -> list[PollResult]:
        """Poll every feed whose time has come. Template feeds follow the watched tickers;
        a feed polled for the first time is first given its place in its interval."""
        now = self.clock()
        self.store.feeds.sync_templates(self.store.subscriptions.watched_tickers())
        ready = []
        # Leased for the poll, so that with several workers each due feed is fetched by one
        # of them. WORKER_LEASE outlasts any poll (a fetch is cut at 60 s); the lease is given
        # back afterwards, so only a worker that dies mid-poll delays its feeds (by the lease).
        lease = timedelta(seconds=self.settings.worker_lease)
        claimed = self.store.feeds.claim_due_feeds(now, owner=self.owner, lease=lease)
        try:
            for state in self._allowed(claimed):
                if state.next_poll_at is None and state.last_fetch_at is None:
                    assert state.feed.id is not None
                    offset = schedule.first_offset(state.feed.url, state.feed.interval)
                    self.store.feeds.schedule(state.feed.id, now + offset)
                    if offset >= timedelta(seconds=1):
                        continue
                ready.append(state)
            return await self.poll_many(ready)
        finally:
            self.store.feeds.release_feeds(
                [s.feed.id for s in claimed if s.feed.id], owner=self.owner
            )

    async def poll_many(self, states: Sequence[FeedState]) -> list[PollResult]:
        """Poll these feeds now, at most FETCH_CONCURRENCY at a time; then watch for outages."""
        self._batching += 1
        try:
            results = list(await asyncio.gather(*(self._poll_bounded(s) for s in states)))
        finally:
            self._batching -= 1
            self._flush_unchanged()
        self._watch_outage(results, states)
        return results

    def _flush_unchanged(self) -> None:
        polls, self._unchanged = self._unchanged, []
        self.store.feeds.record_unchanged_many(polls)

    def _allowed(self, states: list[FeedState]) -> list[FeedState]:
        """Without SEC_USER_AGENT the SEC's feeds are not polled (the SEC refuses anonymous
        clients and asks that they identify themselves); say so once."""
        if self.settings.sec_user_agent:
            return states
        kept = [s for s in states if not is_sec(s.feed.url)]
        if len(kept) < len(states) and not self._sec_off_logged:
            self._sec_off_logged = True
            log.warning(
                "SEC_USER_AGENT is not set: the SEC (EDGAR) feeds are not polled; the SEC "
                'requires a User-Agent naming you, e.g. SEC_USER_AGENT="Jane Doe jane@example.com"'
            )
        return kept

    async def _poll_bounded(self, state: FeedState) -> PollResult:
        async with self._slots:
            return await self.poll(state)

    async def _fetch(self, state: FeedState) -> Fetched:
        feed = state.feed
        agent = self.settings.sec_user_agent
        return await fetch(
            self.client,
            feed.url,
            etag=state.etag,
            last_modified=state.last_modified,
            limits=self.limits,
            check=self.guard.check if state.kind == USER else None,
            headers={"User-Agent": agent} if agent and is_sec(feed.url) else None,
            gate=self.gate,
        )

    async def _parse(self, fetched: Fetched, source: str) -> ParsedFeed:
        assert fetched.body is not None
        parse = self.parse_pool.parse if self.parse_pool is not None else parse_in_thread
        return await parse(
            fetched.body,
            source=source,
            url=fetched.url,
            content_type=fetched.content_type,
            now=self.clock(),
        )

    async def poll(self, state: FeedState) -> PollResult:
        """Fetch one feed and store what is new; every failure is recorded with its reason."""
        feed = state.feed
        assert feed.id is not None
        POLLS.inc()
        try:
            fetched = await self._fetch(state)
            if fetched.permanent_redirect and self.store.feeds.move_feed(
                feed.id, fetched.permanent_redirect
            ):
                log.info(
                    "feed %s moved for good to %s",
                    feed.id,
                    fetched.permanent_redirect,
                    extra={"feed_id": feed.id},
                )
            if fetched.body is None:
                now = self.clock()
                next_at = schedule.after_success(now, feed.interval, max_age=fetched.max_age)
                # Within poll_many, written with the others (one commit for many 304s).
                self._unchanged.append((feed.id, now, next_at))
                if not self._batching or len(self._unchanged) >= UNCHANGED_BATCH:
                    self._flush_unchanged()
                self._recovered(state, now)
                return PollResult(feed.id)
            parsed = await self._parse(fetched, feed.name)
            if not parsed.articles and parsed.warnings:
                # Nothing could be read from a broken document: a failure, with its reason.
                raise FeedError(parsed.warnings[0])
        except (FetchError, FeedError) as exc:
            FETCH_ERRORS.labels(error_kind(exc)).inc()
            return self._failed(state, exc)
        articles = await self._with_page_texts(state, parsed.articles)
        now = self.clock()
        new = self.store.articles.ingest(
            feed.id,
            articles,
            now=now,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            next_poll_at=schedule.after_success(
                now, feed.interval, max_age=fetched.max_age, ttl=parsed.ttl
            ),
            alerts_for=lambda stories: self.outbox_rows(stories, now, feed_state=state),
            warning=f"read with problems: {parsed.warnings[0]}" if parsed.warnings else None,
        )
        self._recovered(state, now)
        NEW_ARTICLES.inc(len(new))
        if new:
            log.info(
                "feed %s (%s): %d new stories",
                feed.id,
                feed.name,
                len(new),
                extra={"feed_id": feed.id, "new_stories": len(new)},
            )
        return PollResult(feed.id, new_stories=len(new))

    async def _with_page_texts(
        self, state: FeedState, articles: Sequence[Article]
    ) -> Sequence[Article]:
        """FETCH_ARTICLE_PAGES: new title-only items get their page's main text (not on a
        feed's first fetch, whose items are not alerted)."""
        if not self.settings.fetch_article_pages or state.baseline_at is None:
            return articles
        assert state.feed.id is not None
        bare = [a for a in articles if not a.text]
        unseen = self.store.articles.unseen_entries(state.feed.id, [a.entry_id for a in bare])
        wanted = [a for a in bare if a.entry_id in unseen]
        if not wanted:
            return articles
        filled = await fill_page_texts(self.client, wanted, check=self.guard.check)
        by_id = {a.entry_id: a for a in filled}
        return [by_id.get(a.entry_id, a) for a in articles]

    def _failed(self, state: FeedState, exc: FetchError | FeedError) -> PollResult:
        """Record a failure with its reason; mark the feed broken after FEED_BROKEN_AFTER
        hours of failures, unless nothing else worked meanwhile (then it is an outage)."""
        feed = state.feed
        assert feed.id is not None
        now = self.clock()
        error = str(exc)
        network = isinstance(exc, FetchError) and exc.network
        failing_since = state.failing_since or now
        broken = state.broken_at is not None
        if not broken and now - failing_since >= timedelta(hours=self.settings.feed_broken_after):
            last_success = self.store.feeds.last_success_anywhere()
            if last_success is not None and last_success > failing_since:
                broken = True
                if self.store.feeds.mark_broken(feed.id, now=now):
                    self._notify_feed(
                        feed.id,
                        "feeds.notice.broken",
                        now,
                        name=feed.name,
                        url=feed.url,
                        error=error,
                        since=_when(failing_since),
                    )
            else:
                self._outage_notice(now, failing_since)
        self.store.feeds.record_failure(
            feed.id,
            now=now,
            error=error,
            next_poll_at=schedule.after_failure(
                now,
                feed.interval,
                state.error_count + 1,
                retry_after=exc.retry_after if isinstance(exc, FetchError) else None,
                broken=broken,
            ),
        )
        log.warning(
            "feed %s (%s) failed: %s", feed.id, feed.name, error, extra={"feed_id": feed.id}
        )
        return PollResult(feed.id, error=error, network=network)

    def _recovered(self, state: FeedState, now: datetime) -> None:
        feed = state.feed
        if (
            state.broken_at is not None
            and feed.id is not None
            and self.store.feeds.clear_broken(feed.id)
        ):
            self._notify_feed(feed.id, "feeds.notice.recovered", now, name=feed.name, url=feed.url)

    def _notify_feed(self, feed_id: int, key: str, now: datetime, **values: str) -> None:
        """Tell the operators and the chats that depend on the feed, through the outbox."""
        chats = set(self.settings.admin_chat_ids)
        chats.update(self.store.feeds.feed_dependents(feed_id, since=now - DEPENDENT_WINDOW))
        log.warning("%s", text(key, **values))
        self._notice(sorted(chats), text(key, **values), now)

    def _notice(self, chat_ids: Sequence[int], message: str, now: datetime) -> None:
        try:
            self.store.outbox.enqueue_notice(chat_ids, message, now=now)
        except Exception:  # a chat unknown to the chats table (an operator who never wrote)
            for chat_id in chat_ids:
                try:
                    self.store.outbox.enqueue_notice([chat_id], message, now=now)
                except Exception as exc:
                    log.warning("cannot queue a notice for chat %s: %s", chat_id, exc)

    def _outage_notice(self, now: datetime, since: datetime) -> None:
        if self._outage_since is not None:
            return
        self._outage_since = since
        message = text("feeds.notice.outage", since=_when(since))
        log.error("%s", message)
        self._notice(sorted(self.settings.admin_chat_ids), message, now)

    def _watch_outage(self, results: Sequence[PollResult], states: Sequence[FeedState]) -> None:
        """Tell the operators when the last polls all failed without an answer across several
        hosts (our network, not the feeds), and again when polls work again."""
        hosts = {s.feed.id: urlsplit(s.feed.url).hostname or "" for s in states}
        for result in results:
            self._recent.append((hosts.get(result.feed_id, ""), result.network))
        if not results:
            return
        now = self.clock()
        if any(r.error is None for r in results) and self._outage_since is not None:
            self._outage_since = None
            message = text("feeds.notice.outage_over")
            log.warning("%s", message)
            self._notice(sorted(self.settings.admin_chat_ids), message, now)
            return
        distinct = {host for host, _ in self._recent}
        if (
            len(self._recent) == self._recent.maxlen
            and len(distinct) >= OUTAGE_HOSTS
            and all(network for _, network in self._recent)
        ):
            self._outage_notice(now, now)

    def outbox_rows(
        self,
        stories: Sequence[tuple[int, Article]],
        now: datetime,
        *,
        feed_state: FeedState | None = None,
    ) -> list[OutboxRow]:
        """Match new stories (they are rendered when sent); stories published too long ago are
        not alerted. The stories of a user feed are alerted only to the chats that added it."""
        oldest = now - timedelta(seconds=self.settings.max_article_age)
        owners: set[int] | None = None
        if feed_state is not None and feed_state.kind == USER and feed_state.feed.id is not None:
            owners = set(self.store.feeds.feed_owner_ids(feed_state.feed.id))
        rows = []
        for article_id, article in stories:
            if article.published is not None and article.published < oldest:
                continue
            for alert in self.matcher.alerts(article):
                if owners is not None and alert.chat_id not in owners:
                    continue
                MATCHES.inc()
                rows.append(OutboxRow(alert.chat_id, article_id, alert.hits))
        ALERTS_QUEUED.inc(len(rows))
        return rows


def error_kind(exc: FetchError | FeedError) -> str:
    """A small fixed set of labels for the fetch-errors metric."""
    if isinstance(exc, FeedError):
        return "not_a_feed" if isinstance(exc, NotAFeed) else "parse"
    reason = str(exc)
    if exc.network:
        return "network"
    if reason.startswith("HTTP "):
        return "http"
    if "timed out" in reason or "longer than" in reason:
        return "timeout"
    if "larger than" in reason:
        return "too_large"
    return "other"


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


class PollJob:
    """The poll job for PTB's JobQueue: poll due feeds, then wake the delivery job when new
    alerts were queued. Only one run at a time."""

    def __init__(
        self,
        pipeline: Pipeline,
        on_new_alerts: JobCallback,
        fresh_matcher: Callable[[], Matcher | None] | None = None,
    ) -> None:
        self.pipeline = pipeline
        self.on_new_alerts = on_new_alerts
        # For a worker process: a new Matcher when the subscriptions changed elsewhere.
        self.fresh_matcher = fresh_matcher
        self._running = asyncio.Lock()

    async def __call__(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        if self._running.locked():
            return
        async with self._running:
            if self.fresh_matcher is not None:
                matcher = self.fresh_matcher()
                if matcher is not None:
                    self.pipeline.matcher = matcher
            results = await self.pipeline.poll_due()
        if any(r.new_stories for r in results):
            await self.on_new_alerts(context)
