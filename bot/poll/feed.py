"""Polling one feed, as one story: fetch, parse, classify, build the alerts, commit.

In: a leased `FeedState` (with, for a WebSub push, the pushed document instead of a fetch),
the `Matcher`, and (held by `FeedPoller`) the settings, the store, an HTTP client and the
parse pool. Out: a `PollResult`; new stories stored and their alerts queued in one
transaction (`store.articles.ingest`), or the failure recorded with its reason and a later
retry with backoff (`bot.feeds.schedule`). A pushed story takes the same parse, dedup, match
and outbox path as a polled one (so a push and a poll of one story make one alert). A feed's
health verdict (`bot.poll.health`) is applied here: marked broken or recovered, and people
told once. Network, HTTP and document errors become results; only database errors propagate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

import httpx

from bot.clock import Clock
from bot.feeds import rhythm, schedule
from bot.feeds.baseline import alertable
from bot.feeds.dedup import Plan
from bot.feeds.fetch import Fetched, FetchError, HostGate, Limits, fetch
from bot.feeds.guard import Guard, Resolver
from bot.feeds.pages import fill_page_texts
from bot.feeds.parse import FeedError, ParsedFeed
from bot.feeds.pool import ParsePool, parse_in_thread
from bot.feeds.rhythm import Rhythm
from bot.feeds.state import FeedState, Unchanged
from bot.models import Alert, Article, Feed, FeedKind
from bot.observability.metrics import ALERTS_QUEUED, FETCH_ERRORS, NEW_ARTICLES, POLLS
from bot.poll import health, sec
from bot.poll.alerts import Matcher, story_alerts
from bot.poll.health import Verdict
from bot.poll.notices import Notices, when
from bot.poll.result import PollResult, error_kind
from bot.settings import Settings
from bot.storage.store import Store
from bot.websub.lease import HubSubscription
from bot.websub.watch import HubWatch

log = logging.getLogger(__name__)

FIRST_LOOK = 60.0  # seconds: the longest wait while the fleet's poll budget is not yet known


class FeedPoller:
    """Polls one feed at a time; holds what every poll needs, and nothing a poll changes."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        client: httpx.AsyncClient,
        *,
        clock: Clock,
        resolver: Resolver,
        parse_pool: ParsePool | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.client = client
        self.clock = clock
        # Parsing is pure and slow (feedparser): in worker processes when a pool is given (the
        # app's), else in a thread; either way the loop keeps serving the other fetches.
        self.parse_pool = parse_pool
        self.limits = Limits(max_bytes=settings.max_feed_bytes)
        self.guard = Guard(allow_private=settings.allow_private_feeds, resolver=resolver)
        self.gate = HostGate(settings.per_host_concurrency, {sec.HOST: sec.SPACING})
        self.notices = Notices(store, settings.admin_chat_ids)
        self.bounds = schedule.Bounds(settings.poll_min_interval, settings.poll_max_interval)
        self.hubs = HubWatch(settings, store)  # WebSub: found hubs, pushed feeds' polls
        # The fleet's square-root-rule constant, set by the cycle (`schedule.budget_scale`).
        self.scale: schedule.Share | None = None

    async def poll_feed(
        self,
        state: FeedState,
        matcher: Matcher,
        *,
        since: datetime | None = None,
        pushed: Fetched | None = None,
    ) -> PollResult:
        """Fetch one feed and store what is new; every failure is recorded with its reason.
        `since`: on a feed's first fetch, stories dated after it alert (`bot.feeds.baseline`).
        `pushed`: a document its WebSub hub delivered, taken instead of a fetch."""
        feed = state.feed
        assert feed.id is not None
        POLLS.inc()
        hub = self.hubs.known(feed.id)
        try:
            fetched = pushed or await self._fetch(state)
            self._follow(state, fetched)
            if fetched.body is None:
                now = self.clock()
                self._succeeded(state, now)
                next_at = self._next_poll(state.rhythm, now, feed.interval, fetched.max_age)
                next_at = self.hubs.next_poll(hub, next_at, now)
                return PollResult(feed.id, unchanged=Unchanged(feed.id, now, next_at))
            parsed = await self._parse(fetched, feed)
        except (FetchError, FeedError) as exc:
            FETCH_ERRORS.labels(error_kind(exc)).inc()
            return self._failed(state, exc)
        now = self.clock()
        entries, alerts = await self._classify(state, parsed.articles, matcher, now, since)
        next_at = self._next_poll(state.rhythm, now, feed.interval, fetched.max_age, parsed.ttl)
        new = self.store.articles.ingest(
            feed.id,
            entries,
            now=now,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            next_poll_at=self.hubs.next_poll(hub, next_at, now),
            alerts=alerts,
            warning=f"read with problems: {parsed.warnings[0]}" if parsed.warnings else None,
            since=since,
        )
        learned = [a for _, a in new] if state.rhythm is not None else parsed.articles
        if learned:
            self._learn(state, [a.published or now for a in learned], now, fetched, parsed, hub)
        if pushed is None:
            self.hubs.after_poll(state, hub, fetched, parsed, new_stories=len(new), now=now)
        self._succeeded(state, now)
        NEW_ARTICLES.inc(len(new))
        ALERTS_QUEUED.inc(sum(len(alerts.get(a.entry_id, ())) for _, a in new))
        if new:
            log.info(
                "feed %s (%s): %d new stories",
                feed.id,
                feed.name,
                len(new),
                extra={"feed_id": feed.id, "new_stories": len(new)},
            )
        return PollResult(feed.id, new_stories=len(new))

    def _next_poll(
        self,
        known: Rhythm | None,
        now: datetime,
        interval: int,
        max_age: int | None,
        ttl: int | None = None,
    ) -> datetime:
        """The next poll: by the feed's rhythm (POLL_ADAPTIVE), else the fixed interval."""
        if not self.settings.poll_adaptive:
            return schedule.after_success(now, interval, max_age=max_age, ttl=ttl)
        scale, bounds = self.scale, self.bounds
        table = rhythm.roots(known, now)
        if scale is None:
            # Before the cycle knows the fleet's rhythms (the first fetches): the feed's own
            # budget, and a second look within FIRST_LOOK, by when the fleet is known.
            bounds = replace(bounds, longest=min(bounds.longest, FIRST_LOOK))
            scale = schedule.budget_scale([(table, interval)], bounds)
        return schedule.adaptive(
            now,
            interval,
            rate=rhythm.rate_at(known, now, now),
            next_rate=rhythm.rate_at(known, now + timedelta(hours=1), now),
            scale=scale,
            bounds=bounds,
            max_age=max_age,
            ttl=ttl,
            busy=table is not None and schedule.busy_feed(table, bounds),
        )

    def _learn(
        self,
        state: FeedState,
        times: Sequence[datetime],
        now: datetime,
        fetched: Fetched,
        parsed: ParsedFeed,
        hub: HubSubscription | None,
    ) -> None:
        """Count the new items' dates (all of them on the first fetch) in the feed's rhythm,
        and set the next poll by what was learned."""
        feed = state.feed
        assert feed.id is not None
        learned = rhythm.observe(state.rhythm, times, now)
        next_at = self._next_poll(learned, now, feed.interval, fetched.max_age, parsed.ttl)
        next_at = self.hubs.next_poll(hub, next_at, now)
        self.store.polls.record_rhythm(feed.id, rhythm=rhythm.dumps(learned), next_poll_at=next_at)

    async def _fetch(self, state: FeedState) -> Fetched:
        feed = state.feed
        agent = self.settings.sec_user_agent
        return await fetch(
            self.client,
            feed.url,
            etag=state.etag,
            last_modified=state.last_modified,
            limits=self.limits,
            check=self.guard.check if state.kind is FeedKind.USER else None,
            headers={"User-Agent": agent} if agent and sec.is_sec(feed.url) else None,
            gate=self.gate,
        )

    def _follow(self, state: FeedState, fetched: Fetched) -> None:
        """A permanent redirect: poll the new URL from now on."""
        feed_id, url = state.feed.id, fetched.permanent_redirect
        if feed_id is not None and url and self.store.polls.move_feed(feed_id, url):
            log.info("feed %s moved for good to %s", feed_id, url, extra={"feed_id": feed_id})

    async def _parse(self, fetched: Fetched, feed: Feed) -> ParsedFeed:
        assert fetched.body is not None
        parse = self.parse_pool.parse if self.parse_pool is not None else parse_in_thread
        parsed = await parse(
            fetched.body,
            source=feed.name,
            kind=feed.source,
            url=fetched.url,
            content_type=fetched.content_type,
            now=self.clock(),
        )
        if not parsed.articles and parsed.warnings:
            # Nothing could be read from a broken document: a failure, with its reason.
            raise FeedError(parsed.warnings[0])
        return parsed

    async def _classify(
        self,
        state: FeedState,
        entries: Sequence[Article],
        matcher: Matcher,
        now: datetime,
        since: datetime | None,
    ) -> tuple[Sequence[Article] | Plan, dict[str, list[Alert]]]:
        """The entries placed (which start new stories), and the alerts of the new ones that
        may alert: on a feed's first fetch only those dated after `since` (a baseline)."""
        feed_id = state.feed.id
        if feed_id is None:
            return entries, {}
        plan = self.store.articles.classify(feed_id, entries, now=now)
        stories = alertable(plan.stories, baselined=state.baseline_at is not None, since=since)
        if not stories:
            return plan, {}
        if self.settings.fetch_article_pages:
            plan = await self._with_page_texts(plan, stories)
            chosen = {a.entry_id for a in stories}
            stories = [a for a in plan.stories if a.entry_id in chosen]
        owners = None
        if state.kind is FeedKind.USER:  # alerted only to the chats that added it
            owners = set(self.store.feeds.feed_owner_ids(feed_id))
        oldest = now - timedelta(seconds=self.settings.max_article_age)
        return plan, story_alerts(stories, matcher, oldest=oldest, owners=owners)

    async def _with_page_texts(self, plan: Plan, stories: Sequence[Article]) -> Plan:
        """FETCH_ARTICLE_PAGES: new title-only stories that may alert get their page's text."""
        wanted = [a for a in stories if not a.text]
        if not wanted:
            return plan
        filled = await fill_page_texts(self.client, wanted, check=self.guard.check)
        return plan.replaced({a.entry_id: a for a in filled})

    def _succeeded(self, state: FeedState, now: datetime) -> None:
        """A feed marked broken works again: clear the mark, tell people (once)."""
        verdict = health.decide(state, now, ok=True, broken_after=self._broken_after)
        feed_id = state.feed.id
        if verdict is Verdict.RECOVERED and feed_id and self.store.polls.clear_broken(feed_id):
            self.notices.feed(state, "feeds.notice.recovered", now)

    def _failed(self, state: FeedState, exc: FetchError | FeedError) -> PollResult:
        """Record a failure with its reason; apply the health verdict."""
        feed = state.feed
        assert feed.id is not None
        now, error = self.clock(), str(exc)
        anywhere = None
        if health.overdue(state, now, self._broken_after):
            anywhere = self.store.polls.last_success_anywhere()
        verdict = health.decide(
            state, now, ok=False, broken_after=self._broken_after, last_success_anywhere=anywhere
        )
        since = health.failing_since(state, now)
        if verdict is Verdict.BROKEN and self.store.polls.mark_broken(feed.id, now=now):
            # The error itself, not its English: each language's notice says its phrase.
            self.notices.feed(state, "feeds.notice.broken", now, error=exc, since=when(since))
        self.store.polls.record_failure(
            feed.id,
            now=now,
            error=error,
            phrase=exc.phrase,
            next_poll_at=schedule.after_failure(
                now,
                feed.interval,
                state.error_count + 1,
                retry_after=exc.retry_after if isinstance(exc, FetchError) else None,
                broken=state.broken_at is not None or verdict is Verdict.BROKEN,
            ),
        )
        log.warning(
            "feed %s (%s) failed: %s", feed.id, feed.name, error, extra={"feed_id": feed.id}
        )
        return PollResult(
            feed.id,
            error=error,
            network=isinstance(exc, FetchError) and exc.network,
            outage_since=since if verdict is Verdict.OUTAGE else None,
        )

    @property
    def _broken_after(self) -> timedelta:
        return timedelta(hours=self.settings.feed_broken_after)
