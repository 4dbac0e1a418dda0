"""The poll stage against real HTTP servers on 127.0.0.1 and a real database: conditional GET,
the server's hints, backoff, broken feeds and outages, limits, bad documents, duplicate
stories, EDGAR's rules, user feeds and per-ticker templates. Time is a settable clock."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.delivery.compose import Style, compose
from bot.feeds.fetch import Limits, make_client
from bot.feeds.pool import ParsePool
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Feed, Kind
from bot.poll.alerts import Matcher
from bot.poll.cycle import PollCycle
from bot.poll.result import PollResult
from bot.settings import Settings
from bot.storage.schema import article_sources, articles, deliveries
from bot.storage.store import FeedState, Store
from tests.fakes.feed_server import FeedServer
from tests.texts.test_no_english import english_left

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
ADMIN = 7001
USER_CHAT = 7002
STORY = (
    "Amazon.com, Inc. (NASDAQ: AMZN) said on Tuesday that it has more than one million "
    "Trainium chips in production."
)


def rss(items: Sequence[tuple[str, str, str]] = (), *, ttl: int | None = None) -> bytes:
    """An RSS 2.0 document with (guid, link, title) items, dated at START."""
    body = "".join(
        f"<item><guid>{guid}</guid><link>{link}</link><title>{title}</title>"
        f"<description>{STORY}</description>"
        "<pubDate>Thu, 26 Nov 2026 11:59:00 +0000</pubDate></item>"
        for guid, link, title in items
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example.com/</link>{ttl_tag}{body}</channel></rss>"
    ).encode()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as feeds_server:
        yield feeds_server


class Poller:
    """A PollCycle with a settable clock; each cycle runs in its own event loop and client."""

    def __init__(self, store: Store, universe: TickerUniverse, **settings: object) -> None:
        values: dict[str, object] = {"admin_chat_ids": frozenset({ADMIN}), **settings}
        self.settings = Settings(_env_file=None, **values)  # type: ignore[call-arg]
        self.store = store
        self.clock = Clock()
        self.index = MatchIndex(universe)
        self.cycle = PollCycle(
            self.settings,
            store,
            Matcher(universe, self.index),
            make_client(),
            clock=self.clock,
        )

    def run(self, states: Sequence[FeedState] | None = None) -> list[PollResult]:
        """Poll these feeds (default: every enabled feed) now."""

        async def go() -> list[PollResult]:
            async with make_client() as client:
                self.cycle.feeds.client = client
                chosen = self.store.feeds.feed_states() if states is None else states
                return await self.cycle.poll_many(chosen)

        return asyncio.run(go())

    def due(self) -> list[PollResult]:
        async def go() -> list[PollResult]:
            async with make_client() as client:
                self.cycle.feeds.client = client
                return await self.cycle.poll_due()

        return asyncio.run(go())

    def state(self, url: str) -> FeedState:
        (found,) = [s for s in self.store.feeds.feed_states() if s.feed.url == url] or [
            h.state
            for h in self.store.feeds.feed_health(now=self.clock.now)
            if h.state.feed.url == url
        ]
        return found

    def only(self, url: str) -> list[PollResult]:
        return self.run([self.state(url)])

    def notices(self) -> list[tuple[int, str]]:
        with self.store.engine.connect() as conn:
            rows = conn.execute(
                select(deliveries.c.chat_id, deliveries.c.plain_text)
                .where(deliveries.c.kind == "notice")
                .order_by(deliveries.c.id)
            ).all()
        return [(r.chat_id, r.plain_text) for r in rows]


def catalogue(store: Store, *urls: str, interval: int = 300) -> None:
    store.feeds.sync_catalogue(
        [Feed(name=f"Feed {n}", url=u, interval=interval) for n, u in enumerate(urls)]
    )


@pytest.fixture
def poller(store: Store, universe: TickerUniverse) -> Poller:
    store.chats.upsert_chat(ADMIN, "private", "Operator", START)
    store.chats.upsert_chat(USER_CHAT, "private", "User", START)
    return Poller(store, universe)


# ------------------------------------------------------------------------------ conditional GET


def test_an_unchanged_feed_is_asked_conditionally_and_answers_304(
    server: FeedServer, poller: Poller
) -> None:
    url = server.set("/a.rss", rss([("g1", "https://n.example/1", "One")]), etag="v1")
    catalogue(poller.store, url)
    poller.run()
    poller.clock.advance(minutes=5)
    (result,) = poller.run()
    assert result.error is None
    assert server.requests("/a.rss")[1]["If-None-Match"] == '"v1"'
    state = poller.state(url)
    assert state.last_success_at == poller.clock.now
    assert state.next_poll_at == poller.clock.now + timedelta(seconds=300)


def test_many_feeds_parsed_in_worker_processes_then_unchanged_are_recorded_together(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    # Each cycle runs in its own event loop: no semaphore may be waited on across cycles.
    poller = Poller(store, universe, per_host_concurrency=5)
    urls = [
        server.set(f"/{n}.rss", rss([(f"g{n}", f"https://n.example/{n}", f"Story {n}")]), etag="v")
        for n in range(5)
    ]
    catalogue(poller.store, *urls)
    pool = ParsePool(2)
    poller.cycle.feeds.parse_pool = pool
    try:
        first = poller.run()
    finally:
        pool.close()
    assert [r.error for r in first] == [None] * 5
    with poller.store.engine.connect() as conn:
        titles = conn.execute(select(articles.c.title)).scalars().all()
    assert sorted(titles) == [f"Story {n}" for n in range(5)]
    poller.clock.advance(minutes=5)
    assert [r.error for r in poller.run()] == [None] * 5  # five 304s, one transaction
    for url in urls:
        state = poller.state(url)
        assert (state.last_success_at, state.last_fetch_at) == (poller.clock.now,) * 2
        assert state.next_poll_at == poller.clock.now + timedelta(seconds=300)


def test_an_empty_200_counts_as_unchanged(server: FeedServer, poller: Poller) -> None:
    url = server.set("/a.rss", rss([("g1", "https://n.example/1", "One")]))
    catalogue(poller.store, url)
    poller.run()
    server.set("/a.rss", b"")
    (result,) = poller.run()
    assert result.error is None
    assert poller.state(url).error_count == 0


@pytest.mark.parametrize(
    ("headers", "ttl", "delay"),
    [
        ({"Cache-Control": "max-age=3600"}, None, timedelta(hours=1)),
        ({}, 120, timedelta(hours=2)),
        ({"Cache-Control": "max-age=10"}, None, timedelta(seconds=300)),
        ({"Cache-Control": "max-age=9999999"}, None, timedelta(days=1)),
    ],
    ids=["max-age", "rss-ttl", "never-sooner-than-interval", "at-least-daily"],
)
def test_the_servers_hints_set_the_next_poll_within_bounds(
    server: FeedServer,
    poller: Poller,
    headers: dict[str, str],
    ttl: int | None,
    delay: timedelta,
) -> None:
    url = server.set("/a.rss", rss([("g", "https://n.example/1", "One")], ttl=ttl), headers=headers)
    catalogue(poller.store, url)
    poller.run()
    assert poller.state(url).next_poll_at == START + delay


def test_retry_after_on_503_is_honoured(server: FeedServer, poller: Poller) -> None:
    url = server.set("/a.rss", b"busy", status=503, headers={"Retry-After": "7200"})
    catalogue(poller.store, url)
    (result,) = poller.run()
    assert result.error
    assert "503" in result.error
    assert poller.state(url).next_poll_at == START + timedelta(hours=2)


# ------------------------------------------------------------------------------ failures


def test_backoff_then_broken_once_then_recovery(server: FeedServer, poller: Poller) -> None:
    good = server.set("/good.rss", rss([("g", "https://n.example/1", "One")]))
    bad = server.set("/bad.rss", b"oops", status=500)
    catalogue(poller.store, good, bad)
    poller.store.feeds.add_user_feed(USER_CHAT, Feed("Bad", bad, 300), now=START)
    delays = []
    for _ in range(3):
        poller.only(bad)
        delays.append(poller.state(bad).next_poll_at - poller.clock.now)  # type: ignore[operator]
        poller.clock.advance(hours=1)
    assert delays == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert poller.state(bad).error_count == 3

    poller.clock.now = START + timedelta(hours=49)
    poller.only(good)  # another feed works: the failure is the feed's, not ours
    poller.only(bad)
    state = poller.state(bad)
    assert state.broken_at == poller.clock.now
    assert state.next_poll_at == poller.clock.now + timedelta(hours=6)  # slow, not stopped
    poller.clock.advance(hours=6)
    poller.only(bad)  # still broken: nobody is told twice
    told = poller.notices()
    assert sorted(chat for chat, _ in told) == [ADMIN, USER_CHAT]
    assert all("marked broken" in message and "HTTP 500" in message for _, message in told)

    server.set("/bad.rss", rss([("g2", "https://n.example/2", "Two")]))
    poller.clock.advance(hours=6)
    (result,) = poller.only(bad)
    assert result.error is None
    state = poller.state(bad)
    assert state.broken_at is None
    assert state.error_count == 0
    assert state.failing_since is None
    recovered = [(chat, m) for chat, m in poller.notices() if "” works again" in m]
    assert sorted(chat for chat, _ in recovered) == [ADMIN, USER_CHAT]


def test_an_outage_failing_every_feed_marks_none_broken_and_tells_the_operator(
    poller: Poller,
) -> None:
    # Nothing listens on port 9 of these loopback addresses: every fetch fails, no answer.
    urls = [f"http://127.0.0.{n}:9/feed.rss" for n in range(1, 5)]
    catalogue(poller.store, *urls)
    for hours in (0, 10, 30, 49, 60):
        poller.clock.now = START + timedelta(hours=hours)
        for _ in range(5):
            poller.run()
    assert all(s.broken_at is None for s in poller.store.feeds.feed_states())
    told = poller.notices()
    assert len(told) == 1
    assert told[0][0] == ADMIN
    assert "network" in told[0][1]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (
            lambda s: s.set(
                "/f", b"<!DOCTYPE html><html><body>Hi</body></html>", content_type="text/html"
            ),
            "HTML",
        ),
        (
            lambda s: s.set(
                "/f",
                b'<?xml version="1.0"?><rss version="2.0"><channel><title>T'
                b"</title><item><title>x</titl",
            ),
            "broken XML",
        ),
        (
            lambda s: s.set("/f", b'{"error": "rate limited"}', content_type="application/json"),
            "JSON",
        ),
        (lambda s: s.set("/f", b"x" * 5000), "larger than"),
        (lambda s: s.set("/f", b"<rss>" + b" " * 3_000_000, gzip=True), "larger than"),
        (
            lambda s: (
                [s.redirect(f"/r{n}", f"/r{n + 1}", status=302) for n in range(6)]
                and s.redirect("/f", "/r0")
            ),
            "more than 5 redirects",
        ),
    ],
    ids=["html-page", "broken-xml", "json-error", "oversize", "gzip-bomb", "redirect-cap"],
)
def test_a_bad_document_gives_a_reason_and_never_stops_the_other_feeds(
    server: FeedServer, store: Store, universe: TickerUniverse, setup: object, reason: str
) -> None:
    poller = Poller(store, universe, max_feed_bytes=4096)
    setup(server)  # type: ignore[operator]
    good = server.set("/good.rss", rss([("g", "https://n.example/1", "One")]))
    catalogue(store, server.url("/f"), good)
    results = {r.feed_id: r for r in poller.run()}
    bad_state, good_state = poller.state(server.url("/f")), poller.state(good)
    assert reason.lower() in (bad_state.last_error or "").lower()
    assert results[good_state.feed.id].error is None  # type: ignore[index]
    assert good_state.baseline_at is not None


def test_a_document_read_despite_problems_shows_them_in_the_status(
    server: FeedServer, poller: Poller
) -> None:
    url = server.set(
        "/a.rss",
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>a</title>'
        b"<link>https://n.example/1</link></item><item><title>b & c</title></channel></rss>",
    )
    catalogue(poller.store, url)
    (result,) = poller.run()
    state = poller.state(url)
    assert result.error is None
    assert state.error_count == 0
    assert state.baseline_at is not None
    assert "read with problems: broken XML" in (state.last_error or "")


def test_a_server_stalling_mid_body_times_out(server: FeedServer, poller: Poller) -> None:
    url = server.set("/slow.rss", rss([("g", "https://n.example/1", "One")] * 50))
    server.stall("/slow.rss", 3)
    catalogue(poller.store, url)
    poller.cycle.feeds.limits = Limits(read_timeout=0.3, total_timeout=0.8)
    (result,) = poller.run()
    assert result.error
    assert "timed out" in result.error or "longer than" in result.error


def test_a_permanent_redirect_updates_the_stored_url(server: FeedServer, poller: Poller) -> None:
    new = server.set("/new.rss", rss([("g", "https://n.example/1", "One")]))
    server.redirect("/old.rss", "/new.rss", status=308)
    catalogue(poller.store, server.url("/old.rss"))
    poller.run()
    assert [s.feed.url for s in poller.store.feeds.feed_states()] == [new]
    poller.run()
    assert server.hits("/old.rss") == 1
    assert server.hits("/new.rss") == 2


# ------------------------------------------------------------------------------ content


def alerts_for(poller: Poller, chat_id: int) -> int:
    with poller.store.engine.connect() as conn:
        return len(
            conn.execute(
                select(deliveries.c.id).where(
                    deliveries.c.chat_id == chat_id, deliveries.c.kind == "alert"
                )
            ).all()
        )


def watch(poller: Poller, chat_id: int, ticker: str) -> None:
    sub = poller.store.subscriptions.add_subscription(chat_id, Kind.TICKER, ticker, START)
    assert sub is not None
    poller.index.add(sub)


def test_a_feed_whose_guids_change_on_every_fetch_alerts_nothing_new(
    server: FeedServer, poller: Poller
) -> None:
    watch(poller, USER_CHAT, "AMZN")
    url = server.set("/a.rss", rss([("g-1", "https://n.example/amzn?utm_source=x", STORY[:60])]))
    catalogue(poller.store, url)
    poller.run()
    for n in range(2, 5):
        server.set("/a.rss", rss([(f"g-{n}", "https://n.example/amzn?utm_source=y", STORY[:60])]))
        (result,) = poller.run()
        assert result.new_stories == 0
    assert alerts_for(poller, USER_CHAT) == 0


def test_the_same_story_from_two_outlets_is_one_article_alerted_once(
    server: FeedServer, poller: Poller
) -> None:
    watch(poller, USER_CHAT, "AMZN")
    a = server.set("/a.rss", rss())
    b = server.set("/b.rss", rss())
    catalogue(poller.store, a, b)
    poller.run()  # baselines
    title = "Amazon says it has more than one million Trainium chips in production"
    server.set("/a.rss", rss([("a-1", "https://wire-a.example/story/1", title + " - Wire A")]))
    server.set("/b.rss", rss([("b-9", "https://outlet-b.example/amzn-chips", title + "!")]))
    poller.run([poller.state(a)])
    poller.clock.advance(minutes=20)
    poller.run([poller.state(b)])
    with poller.store.engine.connect() as conn:
        assert len(conn.execute(select(articles.c.id)).all()) == 1
        assert len(conn.execute(select(article_sources.c.feed_id)).all()) == 2
    assert alerts_for(poller, USER_CHAT) == 1


# ------------------------------------------------------------------------------ sources


def test_edgar_feeds_stay_off_without_sec_user_agent(
    poller: Poller, caplog: pytest.LogCaptureFixture
) -> None:
    catalogue(
        poller.store,
        "https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&type=8-K&output=atom",
    )
    with caplog.at_level(logging.WARNING, logger="bot.poll"):
        assert poller.due() == []
        assert poller.due() == []
    assert len([r for r in caplog.records if "SEC_USER_AGENT" in r.getMessage()]) == 1
    assert poller.store.feeds.feed_states()[0].last_fetch_at is None


def test_a_user_feed_on_loopback_is_refused_unless_private_feeds_are_allowed(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    store.chats.upsert_chat(USER_CHAT, "private", "User", START)
    url = server.set("/mine.rss", rss([("g", "https://n.example/1", "One")]))
    store.feeds.add_user_feed(USER_CHAT, Feed("Mine", url, 300), now=START)
    (refused,) = Poller(store, universe).run()
    assert refused.error
    assert "loopback" in refused.error
    assert server.hits("/mine.rss") == 0
    (allowed,) = Poller(store, universe, allow_private_feeds=True).run()
    assert allowed.error is None
    assert server.hits("/mine.rss") == 1


def test_ticker_templates_follow_the_watched_tickers(server: FeedServer, poller: Poller) -> None:
    server.set("/t/AMZN.rss", rss([("g", "https://n.example/amzn", "Amazon news")]))
    poller.store.feeds.sync_catalogue(
        [Feed(name="News for {ticker}", url=server.url("/t/{ticker}.rss"), interval=1)]
    )
    assert poller.due() == []  # a template is never polled itself
    watch(poller, USER_CHAT, "AMZN")
    poller.clock.advance(seconds=2)
    poller.due()  # instantiated, given its place in the interval
    poller.clock.advance(seconds=2)
    poller.due()
    assert server.hits("/t/AMZN.rss") >= 1
    (state,) = poller.store.feeds.feed_states()
    assert (state.feed.name, state.kind) == ("News for AMZN", "ticker")
    poller.store.subscriptions.remove_subscriptions(USER_CHAT, "AMZN")
    poller.clock.advance(seconds=2)
    poller.due()
    assert poller.store.feeds.feed_states() == []  # retired when nobody watches it


def test_new_feeds_are_polled_at_once(server: FeedServer, poller: Poller) -> None:
    urls = [server.set(f"/{n}.rss", rss()) for n in range(5)]
    catalogue(poller.store, *urls, interval=3600)
    poller.due()  # the first cycle, right at start-up: not within the hour
    assert [server.hits(f"/{n}.rss") for n in range(5)] == [1] * 5
    assert all(s.baseline_at == START for s in poller.store.feeds.feed_states())


def test_a_title_only_item_is_summarised_from_its_page_when_asked(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    store.chats.upsert_chat(USER_CHAT, "private", "User", START)
    poller = Poller(store, universe, fetch_article_pages=True, allow_private_feeds=True)
    watch(poller, USER_CHAT, "AMZN")
    page = server.set(
        "/story",
        "<html><body><nav>Home | Markets</nav><article><h1>Chips</h1>"
        f"<p>{STORY}</p><p>Analysts expect the chips to add billions in revenue.</p>"
        "</article><footer>Cookie settings</footer></body></html>",
        content_type="text/html",
    )
    feed = server.set("/titles.rss", rss())
    catalogue(store, feed)
    poller.run()  # baseline
    title_only = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Titles</title>'
        f"<item><guid>t-1</guid><link>{page}</link><title>Amazon chips update</title>"
        "<pubDate>Thu, 26 Nov 2026 11:59:00 +0000</pubDate></item></channel></rss>"
    )
    server.set("/titles.rss", title_only)
    poller.run()
    (row,) = store.outbox.pending(poller.clock.now)
    stories = store.outbox.stories([row.content.article_id or 0])
    text = compose(row.content, row.chat_id, stories, lang=row.lang, style=Style()).text
    assert "Trainium chips in production" in text  # from the page: the feed had a title only
    assert "Cookie settings" not in text
    assert server.hits("/story") == 1


def test_an_operator_who_never_wrote_to_the_bot_is_told_too(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    # No chat row for ADMIN: the notice once failed on the foreign key and was lost.
    poller = Poller(store, universe)
    good = server.set("/good.rss", rss([("g", "https://n.example/1", "One")]))
    bad = server.set("/bad.rss", b"oops", status=500)
    catalogue(store, good, bad)
    poller.only(bad)
    poller.clock.now = START + timedelta(hours=49)
    poller.only(good)
    poller.only(bad)
    assert poller.state(bad).broken_at == poller.clock.now
    ((chat, message),) = poller.notices()
    assert chat == ADMIN
    assert "marked broken" in message


# ------------------------------------------------------------------------------ languages

ZH_PAGE = "<!doctype html><html><head><title>新浪财经首页</title></head><body>你好</body></html>"
ZH_CHAT = 7003


@pytest.mark.parametrize(
    ("allow_private", "chinese", "english"),
    [
        (
            True,
            "不是订阅源：这是一个 HTML 网页（标题为“新浪财经首页”）",
            "not a feed: an HTML page (<title>新浪财经首页</title>)",
        ),
        (
            False,
            "已拒绝：127.0.0.1 → 127.0.0.1 是回环地址",
            "refused: 127.0.0.1 -> 127.0.0.1 is a loopback address",
        ),
    ],
    ids=["not-a-feed", "guard-blocked"],
)
def test_a_broken_feeds_notice_says_its_reason_in_each_readers_language(
    server: FeedServer,
    store: Store,
    universe: TickerUniverse,
    allow_private: bool,
    chinese: str,
    english: str,
) -> None:
    for chat, lang in ((ADMIN, "en"), (USER_CHAT, "en"), (ZH_CHAT, "zh_Hans")):
        store.chats.upsert_chat(chat, "private", "Reader", START, lang=lang)
    poller = Poller(store, universe, allow_private_feeds=allow_private)
    good = server.set("/good.rss", rss([("g", "https://n.example/1", "One")]))
    page = server.set("/page.html", ZH_PAGE, content_type="text/html; charset=utf-8")
    catalogue(store, good)
    store.feeds.add_user_feed(ZH_CHAT, Feed("美股快讯", page, 300), now=START)
    store.feeds.add_user_feed(USER_CHAT, Feed("美股快讯", page, 300), now=START)
    poller.only(page)
    poller.clock.now = START + timedelta(hours=49)
    poller.only(good)  # another feed works: the failure is the feed's, not ours
    poller.only(page)

    told = dict(poller.notices())
    assert sorted(told) == [ADMIN, USER_CHAT, ZH_CHAT]
    assert f"现已标记为失效：{chinese}。" in told[ZH_CHAT], told[ZH_CHAT]
    assert english_left(told[ZH_CHAT].replace(page, "")) == [], told[ZH_CHAT]
    # English readers: word for word the reason the log holds, as before.
    assert f"marked broken: {english}." in told[ADMIN], told[ADMIN]
    assert told[USER_CHAT] == told[ADMIN]
