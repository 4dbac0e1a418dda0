"""The alerts new stories make: matched, rendered, keyed by entry, filtered by age and owners."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Article, Kind, Subscription
from bot.poll.alerts import Matcher, RenderOptions, outbox_rows

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
OPTIONS = RenderOptions(disclaimer="Not investment advice.", summary_length=500)
STORY = Article(
    key="https://n.example/amzn",
    entry_id="g-1",
    title="Amazon has more than one million Trainium chips in production",
    url="https://n.example/amzn",
    text="Amazon.com, Inc. (NASDAQ: AMZN) said on Tuesday that its chips are in production.",
    published=NOW - timedelta(hours=1),
    source="Wire",
)


@pytest.fixture
def matcher(universe: TickerUniverse) -> Matcher:
    index = MatchIndex(universe)
    for sub_id, chat in ((1, 10), (2, 20)):
        index.add(Subscription(sub_id, chat, Kind.TICKER, "AMZN"))
    return Matcher(universe, index)


@pytest.mark.parametrize(
    ("published", "owners", "chats"),
    [
        (NOW - timedelta(hours=1), None, [10, 20]),
        (None, None, [10, 20]),
        (NOW - timedelta(days=3), None, []),
        (NOW - timedelta(hours=1), {20}, [20]),
        (NOW - timedelta(hours=1), set(), []),
    ],
    ids=["recent", "undated", "too-old", "user-feed-owners-only", "user-feed-no-owner"],
)
def test_who_is_alerted(
    matcher: Matcher, published: datetime | None, owners: set[int] | None, chats: list[int]
) -> None:
    story = replace(STORY, published=published)
    rows = outbox_rows(
        [story], matcher, oldest=NOW - timedelta(days=2), options=OPTIONS, owners=owners
    )
    assert sorted(r.chat_id for r in rows.get("g-1", [])) == chats
    assert set(rows) <= {"g-1"}


def test_a_row_holds_the_rendered_alert_and_its_keyboard(matcher: Matcher) -> None:
    (row, _) = outbox_rows([STORY], matcher, oldest=NOW - timedelta(days=2), options=OPTIONS)["g-1"]
    assert row.article_id == 0  # set by the commit, for a story whose insert won
    assert "Not investment advice." in row.text
    assert "Not investment advice." in row.plain_text
    assert json.loads(row.matched) == [["ticker", "AMZN"]]
    buttons = [b for line in json.loads(row.buttons) for b in line]
    assert any(b.get("url") == STORY.url for b in buttons)  # open the article
    assert any(b.get("callback_data") for b in buttons)  # mute, for the bot
