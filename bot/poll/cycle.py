"""One poll cycle: the due feeds leased, polled side by side, their results recorded together.

In: the settings, the store, the `Matcher` (ticker universe + subscription index), an HTTP
client. Out: the cycle's `PollResult`s. Template feeds follow the watched tickers first; new
feeds are polled at once, and on a feed's first fetch the stories dated after the bot
started, or after the feed was added, alert; with several workers each due feed is leased to
one of them. Without SEC_USER_AGENT the SEC's feeds are not polled (said once). At most
FETCH_CONCURRENCY feeds are polled at a time; the unchanged ones are recorded in one
transaction afterwards; the operators are told when the polls all fail without an answer (our
network) and when they work again. The poll budget (`bot.feeds.schedule.budget_scale`) is
worked out from every feed's rhythm once a minute. Documents WebSub hubs pushed are taken
from the inbox (`poll_pushed`) and go through their feed's poll. Fails only with the
database's errors.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from bot.clock import Clock, utc_now
from bot.feeds import rhythm, schedule
from bot.feeds.fetch import Fetched
from bot.feeds.guard import Resolver, system_resolver
from bot.feeds.pool import ParsePool
from bot.feeds.state import FeedState
from bot.models import FeedKind
from bot.poll import sec
from bot.poll.alerts import Matcher
from bot.poll.feed import FeedPoller
from bot.poll.notices import when
from bot.poll.outage import Change, OutageWatch
from bot.poll.result import PollResult
from bot.settings import Settings
from bot.storage.store import Store

log = logging.getLogger(__name__)

SCALE_EVERY = timedelta(minutes=1)


class PollCycle:
    """Polls due feeds and fills the outbox; `matcher` may be replaced between cycles."""

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
        started: datetime | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.matcher = matcher
        self.clock = clock
        self.owner = owner
        self.feeds = FeedPoller(
            settings, store, client, clock=clock, resolver=resolver, parse_pool=parse_pool
        )
        self.outage = OutageWatch()
        self._slots = asyncio.Semaphore(concurrency or settings.fetch_concurrency)
        self._sec_off_told = False
        # From when a never-fetched feed's stories count as news: the feeds there at start-up
        # from the bot's start, those that appear later (a watched ticker's feed) from the
        # cycle that first finds them; user feeds from when a chat added them.
        self.started = started or clock()
        self._news_since: dict[int, datetime] = {}
        self._cycled = False
        self._scaled_at: datetime | None = None

    def next_due(self) -> datetime | None:
        """When the earliest scheduled poll comes (None: no feed has one yet)."""
        return self.store.polls.next_due()

    async def poll_due(self) -> list[PollResult]:
        """Poll every feed whose time has come."""
        now = self.clock()
        self.store.feeds.sync_templates(self.store.subscriptions.watched_tickers())
        # Leased for the poll, so that with several workers each due feed is fetched by one
        # of them. WORKER_LEASE outlasts any poll (a fetch is cut at 60 s); the lease is given
        # back afterwards, so only a worker that dies mid-poll delays its feeds (by the lease).
        lease = timedelta(seconds=self.settings.worker_lease)
        self._refresh_scale(now)
        claimed = self.store.polls.claim_due_feeds(now, owner=self.owner, lease=lease)
        try:
            return await self.poll_many(self._allowed(claimed))
        finally:
            self.store.polls.release_feeds(
                [s.feed.id for s in claimed if s.feed.id], owner=self.owner
            )

    async def poll_many(self, states: Sequence[FeedState]) -> list[PollResult]:
        """Poll these feeds now, at most FETCH_CONCURRENCY at a time; record the unchanged ones
        together (most polls are 304s: one commit for them all); then watch for outages."""
        matcher = self.matcher
        since = {s.feed.id: self._news_from(s) for s in states if s.baseline_at is None}
        self._cycled = True
        done = await asyncio.gather(
            *(self._bounded(s, matcher, since.get(s.feed.id)) for s in states),
            return_exceptions=True,
        )
        results = [r for r in done if isinstance(r, PollResult)]
        self.store.polls.record_unchanged([r.unchanged for r in results if r.unchanged])
        for failure in done:
            if isinstance(failure, BaseException):
                raise failure
        self._watch_outage(results, states)
        return results

    async def _bounded(
        self, state: FeedState, matcher: Matcher, since: datetime | None
    ) -> PollResult:
        async with self._slots:
            return await self.feeds.poll_feed(state, matcher, since=since)

    def pushes_waiting(self) -> bool:
        """Whether hubs pushed documents that no worker has taken (one cheap read)."""
        return self.settings.websub_on and self.store.websub.pushes_waiting(self.clock())

    async def poll_pushed(self) -> list[PollResult]:
        """The documents WebSub hubs pushed (kept by the web role), each through its feed's
        poll with the document instead of a fetch, oldest first."""
        if not self.settings.websub_on:
            return []
        now = self.clock()
        lease = timedelta(seconds=self.settings.worker_lease)
        pushes = self.store.websub.take_pushes(owner=self.owner, now=now, lease=lease)
        if not pushes:
            return []
        ids = sorted({p.feed_id for p in pushes})
        states = {s.feed.id: s for s in self.store.feeds.feed_states(ids=ids)}
        results = []
        for push in pushes:
            state = states.get(push.feed_id)
            if state is None:  # the feed was disabled meanwhile
                continue
            since = self._news_from(state) if state.baseline_at is None else None
            document = Fetched(
                body=push.body,
                url=state.feed.url,
                etag=state.etag,
                last_modified=state.last_modified,
                content_type=push.content_type,
            )
            results.append(
                await self.feeds.poll_feed(state, self.matcher, since=since, pushed=document)
            )
        self.store.websub.done_pushes([p.id for p in pushes])
        return results

    def _refresh_scale(self, now: datetime) -> None:
        """The fleet's square-root-rule constant, from every feed's rhythm, once a minute (the
        rhythms change slowly; reading them all each cycle would cost more than it tells)."""
        if not self.settings.poll_adaptive:
            return
        known = self.feeds.scale is not None
        if known and self._scaled_at is not None and now - self._scaled_at < SCALE_EVERY:
            return
        self._scaled_at = now
        rows = self.store.polls.rhythms()
        self.feeds.scale = schedule.budget_scale(
            ((rhythm.roots(rhythm.loads(text), now), interval) for text, interval in rows),
            self.feeds.bounds,
        )

    def _news_from(self, state: FeedState) -> datetime:
        """For a feed never fetched: the moment after which its stories are news."""
        feed_id = state.feed.id
        assert feed_id is not None
        since = self._news_since.setdefault(feed_id, self.clock() if self._cycled else self.started)
        if state.kind is FeedKind.USER:
            added = self.store.feeds.first_added(feed_id)
            if added is not None:
                since = min(since, added)
        return since

    def _allowed(self, states: list[FeedState]) -> list[FeedState]:
        """Without SEC_USER_AGENT, the states without the SEC's feeds; say so once."""
        if self.settings.sec_user_agent:
            return states
        kept = sec.without_sec(states)
        if len(kept) < len(states) and not self._sec_off_told:
            self._sec_off_told = True
            log.warning("%s", sec.ADVICE)
        return kept

    def _watch_outage(self, results: Sequence[PollResult], states: Sequence[FeedState]) -> None:
        """Tell the operators when an outage begins (seen by a feed failing for long while
        nothing else worked, or by the last polls), and again when it ends."""
        now = self.clock()
        began = [r.outage_since for r in results if r.outage_since is not None]
        if began and self.outage.begin(min(began)) is Change.BEGAN:
            self.feeds.notices.operators_only(
                "feeds.notice.outage", now, error=True, since=when(min(began))
            )
        hosts = {s.feed.id: urlsplit(s.feed.url).hostname or "" for s in states}
        change = self.outage.observe(
            ((hosts.get(r.feed_id, ""), r.error is None, r.network) for r in results), now
        )
        if change is Change.BEGAN:
            self.feeds.notices.operators_only(
                "feeds.notice.outage", now, error=True, since=when(now)
            )
        elif change is Change.ENDED:
            self.feeds.notices.operators_only("feeds.notice.outage_over", now)
