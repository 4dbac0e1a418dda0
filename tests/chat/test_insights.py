"""/test, /trend and /feeds tell the truth, end to end through the fake Bot API: a story counts
on the day it was published (not the day the bot first saw it), /test shows publication times,
today's bar has its date, and /feeds says "off" and "not polled yet" where that is so."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.chat.insights import Trend, chart_png, cjk_family, feed_status, labelled_days
from bot.feeds.state import FeedState
from bot.matching.tickers import Company
from bot.models import Article, Feed
from bot.storage.store import Store
from tests.chat.conftest import StartBot, seed_articles
from tests.chat.test_feed_commands import USER, say
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
EDGAR = "https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&type=8-K&output=atom"
EMPTY = '<?xml version="1.0"?><rss version="2.0"><channel><title>Deep News</title></channel></rss>'


def state(url: str = "https://n.example/rss", **values: object) -> FeedState:
    defaults: dict[str, object] = {
        "etag": None,
        "last_modified": None,
        "baseline_at": None,
        "error_count": 0,
        "last_success_at": None,
        "last_error": None,
        "next_poll_at": None,
        "last_fetch_at": None,
    }
    return FeedState(feed=Feed("Wire", url, 300, id=1), **{**defaults, **values})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("feed", "sec_enabled", "says"),
    [
        (state(EDGAR), False, "off (set SEC_USER_AGENT)"),
        (state(EDGAR, last_fetch_at=NOW), False, "off (set SEC_USER_AGENT)"),
        (state(EDGAR, last_fetch_at=NOW), True, "ok"),
        (state(EDGAR), True, "not polled yet"),
        (state(), False, "not polled yet"),
        (state(error_count=3, last_fetch_at=NOW), False, "failing (3 errors in a row)"),
        (state(last_fetch_at=NOW), False, "ok"),
    ],
    ids=[
        "edgar without agent",
        "edgar fetched once, agent since removed",
        "edgar with agent",
        "edgar with agent, never fetched",
        "never fetched",
        "failing",
        "fetched",
    ],
)
def test_feed_status(feed: FeedState, sec_enabled: bool, says: str) -> None:
    assert feed_status(feed, sec_enabled=sec_enabled) == says


@pytest.mark.parametrize(
    ("count", "labelled"),
    [(30, [4, 9, 14, 19, 24, 29]), (1, [0]), (6, [0, 5]), (7, [1, 6])],
    ids=["thirty days", "one day", "six days", "seven days"],
)
def test_todays_bar_always_has_its_date(count: int, labelled: list[int]) -> None:
    assert labelled_days(count) == labelled
    assert labelled[-1] == count - 1


def put(
    store: Store, article: Article, number: int, *, seen: datetime, published: datetime | None
) -> None:
    """Store one story as the poller does: first seen at `seen`, dated `published`."""
    feed_id = store.feeds.feed_states()[0].feed.id
    assert feed_id is not None
    story = replace(
        article,
        key=f"{article.key}#{number}",
        entry_id=f"story-{number}",
        title=f"{article.title} ({number})",
        published=published,
    )
    store.articles.ingest(
        feed_id, [story], now=seen, etag=None, last_modified=None, next_poll_at=seen
    )


def test_test_counts_and_shows_when_stories_were_published(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer, seed_article_path: Path
) -> None:
    feed_server.set("/a.rss", EMPTY)
    bot = start_bot()
    now = bot.svc.clock()
    (article,) = seed_articles(seed_article_path)
    store = bot.svc.store
    # Seen in the last hour, but published three days ago (a feed's late catch-up).
    put(store, article, 1, seen=now - timedelta(hours=1), published=now - timedelta(days=3))
    published = (now - timedelta(hours=2)).replace(microsecond=0)
    put(store, article, 2, seen=now - timedelta(minutes=30), published=published)
    put(store, article, 3, seen=now - timedelta(hours=5), published=None)
    found = say(telegram, "/test Trainium")
    assert "2 of the last 24 hours' 2 articles" in found
    assert "(1)" not in found  # the three-day-old story is not among the last 24 hours'
    assert f"published {published.strftime('%d %b %H:%M')} UTC" in found
    seen = (now - timedelta(hours=5)).strftime("%d %b %H:%M")
    assert f"undated, first seen {seen} UTC" in found


def test_trend_counts_a_story_on_the_day_it_was_published(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer, seed_article_path: Path
) -> None:
    feed_server.set("/a.rss", EMPTY)
    bot = start_bot()
    now = bot.svc.clock()
    (article,) = seed_articles(seed_article_path)
    store = bot.svc.store
    day = now - timedelta(days=5)
    # All seen today (the bot started today); three published five days ago, one today.
    for n in range(3):
        put(store, article, n, seen=now - timedelta(minutes=n), published=day)
    put(store, article, 9, seen=now, published=now - timedelta(minutes=1))
    telegram.user_sends("/trend AMZN", chat_id=USER, user_id=USER)
    (photo,) = telegram.wait_for_sent(1, chat_id=USER, method="sendPhoto", timeout=20)
    caption = photo["text"]
    assert "AMZN: 4 articles" in caption
    assert f"{day.astimezone(UTC).strftime('%d %b')}: 3" in caption
    assert f"{now.astimezone(UTC).strftime('%d %b')}: 1" in caption


def test_feeds_says_off_and_not_polled_yet(
    start_bot: StartBot, telegram: FakeBotAPI, feed_server: FeedServer
) -> None:
    feed_server.set("/a.rss", EMPTY)
    feed_server.stall("/a.rss", 6)  # the first poll is under way, not done
    bot = start_bot()
    store = bot.svc.store
    store.feeds.sync_catalogue(
        [Feed("Deep News", feed_server.url("/a.rss"), 60), Feed("SEC 8-K filings", EDGAR, 60)]
    )
    telegram.wait_for(lambda: feed_server.hits("/a.rss") > 0, timeout=10)
    listed = say(telegram, "/feeds")
    assert "Deep News: not polled yet" in listed
    assert "SEC 8-K filings: off (set SEC_USER_AGENT)" in listed
    telegram.wait_for(
        lambda: all(s.last_fetch_at for s in store.feeds.feed_states() if "a.rss" in s.feed.url),
        timeout=20,
    )
    assert "Deep News: ok" in say(telegram, "/feeds")


@pytest.mark.parametrize(
    ("families", "chosen"),
    [
        (["DejaVu Sans", "DejaVu Serif"], None),
        (["DejaVu Sans", "Noto Sans CJK JP", "Noto Sans CJK SC"], "Noto Sans CJK SC"),
        (["DejaVu Sans", "Noto Serif CJK JP"], "Noto Serif CJK JP"),
        (["WenQuanYi Zen Hei", "DejaVu Sans"], "WenQuanYi Zen Hei"),
        (["Source Han Sans CN", "Source Han Sans TW"], "Source Han Sans CN"),
        (["Microsoft YaHei"], "Microsoft YaHei"),
    ],
    ids=["none", "noto-prefers-sc", "noto-serif", "wenquanyi", "source-han-cn", "yahei"],
)
def test_the_chart_draws_chinese_with_an_installed_cjk_font(
    families: list[str], chosen: str | None
) -> None:
    assert cjk_family(families) == chosen


def _chinese_trend() -> Trend:
    today = datetime(2026, 12, 7, tzinfo=UTC).date()
    days = [today - timedelta(days=n) for n in range(29, -1, -1)]
    nvidia = Company(cik=1045810, name="Nvidia", tickers=("NVDA",), exchange="Nasdaq")
    return Trend(nvidia, days, [n % 3 for n in range(30)], {})


def test_a_chinese_chart_is_drawn_without_missing_glyphs() -> None:
    """Warnings are errors: a Chinese word drawn in a font without it ("Glyph missing") fails.
    With a CJK font installed the chart is in Chinese, without one in English."""
    png = chart_png(_chinese_trend(), "zh_Hans")
    assert png.startswith(b"\x89PNG")


@pytest.mark.skipif(
    not shutil.which("fc-list")
    or not subprocess.run(
        ["fc-list", ":lang=zh"], capture_output=True, text=True, check=False
    ).stdout.strip(),
    reason="no CJK font installed (Debian: fonts-noto-cjk)",
)
def test_with_a_cjk_font_the_chart_is_in_chinese() -> None:
    from matplotlib import font_manager

    family = cjk_family(f.name for f in font_manager.fontManager.ttflist)
    assert family is not None, "fontconfig has one; matplotlib should find it too"
    assert chart_png(_chinese_trend(), "zh_Hans") != chart_png(_chinese_trend(), "en")
