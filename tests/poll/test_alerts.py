"""The alerts new stories make: matched, keyed by entry, filtered by age and owners."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Article, Kind, Subscription
from bot.poll.alerts import Matcher, story_alerts

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
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
    alerts = story_alerts([story], matcher, oldest=NOW - timedelta(days=2), owners=owners)
    assert sorted(a.chat_id for a in alerts.get("g-1", [])) == chats
    assert set(alerts) <= {"g-1"}


def test_an_alert_holds_the_story_and_why_not_a_rendering(matcher: Matcher) -> None:
    """What to say, for the outbox: the story, the chat and the hit that matched it; the text
    is rendered when it is sent, in the chat's language."""
    (alert, _) = story_alerts([STORY], matcher, oldest=NOW - timedelta(days=2))["g-1"]
    assert alert.article is STORY
    assert [(h.subscription.kind, h.subscription.value) for h in alert.hits] == [
        (Kind.TICKER, "AMZN")
    ]
    assert alert.hits[0].sentence  # the why: the sentence naming the company
