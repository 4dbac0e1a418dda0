"""The first alerts come: a feed's first fetch is a baseline, except for the stories dated after
the bot started (or after the feed was added), which alert like any new story. Real HTTP
feed server and database; time is the poller's settable clock (the cycle starts at START)."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.matching.tickers import TickerUniverse
from bot.models import Feed
from bot.storage.store import Store
from tests.fakes.feed_server import FeedServer
from tests.poll.test_feed import (
    START,
    STORY,
    USER_CHAT,
    Poller,
    alerts_for,
    catalogue,
    poller,
    server,
    watch,
)

__all__ = ["poller", "server"]  # fixtures, imported for the tests below


def rss(items: Sequence[tuple[str, datetime | None]]) -> bytes:
    """An RSS document with (guid, published) items about Amazon; None: no date at all."""
    body = "".join(
        f"<item><guid>{guid}</guid><link>https://n.example/{guid}</link>"
        f"<title>Amazon story {guid}</title><description>{STORY}</description>"
        + (f"<pubDate>{email.utils.format_datetime(when)}</pubDate>" if when else "")
        + "</item>"
        for guid, when in items
    )
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>https://wire.example.com/</link>{body}</channel></rss>"
    ).encode()


def test_a_story_dated_after_the_start_alerts_on_the_first_fetch(
    server: FeedServer, poller: Poller
) -> None:
    watch(poller, USER_CHAT, "AMZN")
    url = server.set(
        "/a.rss",
        rss(
            [
                ("before", START - timedelta(minutes=5)),
                ("undated", None),
                ("after", START + timedelta(seconds=30)),
            ]
        ),
    )
    catalogue(poller.store, url)
    poller.clock.advance(minutes=1)
    poller.due()
    assert server.hits("/a.rss") == 1
    assert alerts_for(poller, USER_CHAT) == 1  # "after" only: the others are the baseline
    poller.clock.advance(minutes=10)
    poller.due()
    assert alerts_for(poller, USER_CHAT) == 1  # and never twice


def test_a_feed_that_fails_at_first_still_alerts_what_came_after_the_start(
    server: FeedServer, poller: Poller
) -> None:
    watch(poller, USER_CHAT, "AMZN")
    url = server.set("/a.rss", b"down", status=503)
    catalogue(poller.store, url)
    poller.due()
    server.set("/a.rss", rss([("after", START + timedelta(minutes=3))]))
    poller.clock.advance(hours=1)
    poller.due()
    assert alerts_for(poller, USER_CHAT) == 1


def test_a_feed_added_while_running_counts_from_when_it_appeared(
    server: FeedServer, poller: Poller
) -> None:
    watch(poller, USER_CHAT, "AMZN")
    poller.due()  # the bot's first cycle, with no feed yet
    poller.clock.advance(hours=2)
    url = server.set(
        "/late.rss",
        rss(
            [("old", START + timedelta(hours=1)), ("fresh", START + timedelta(hours=2, seconds=1))]
        ),
    )
    catalogue(poller.store, url)
    poller.due()  # first found now: "old" (after the start, before the feed) is the baseline
    assert alerts_for(poller, USER_CHAT) == 1
    server.set(
        "/late.rss",
        rss([("old", START + timedelta(hours=1)), ("newer", START + timedelta(hours=2))]),
    )
    poller.clock.advance(minutes=10)
    poller.due()
    assert alerts_for(poller, USER_CHAT) == 2  # after the baseline, as before


def test_a_user_feed_counts_from_when_the_chat_added_it(
    server: FeedServer, store: Store, universe: TickerUniverse
) -> None:
    store.chats.upsert_chat(USER_CHAT, "private", "User", START)
    url = server.set(
        "/mine.rss",
        rss([("earlier", START - timedelta(hours=3)), ("since", START - timedelta(minutes=30))]),
    )
    # Added an hour before this process started (the bot was restarted before its first poll).
    store.feeds.add_user_feed(USER_CHAT, Feed("Mine", url, 300), now=START - timedelta(hours=1))
    poller = Poller(store, universe, allow_private_feeds=True)
    watch(poller, USER_CHAT, "AMZN")
    poller.due()
    assert alerts_for(poller, USER_CHAT) == 1
