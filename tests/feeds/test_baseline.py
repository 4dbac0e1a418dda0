"""The baseline rule: on a feed's first fetch only stories dated after the bot's start (or
the feed's addition) alert; afterwards every new story may."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.feeds.baseline import alertable
from bot.models import Article

SINCE = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def story(published: datetime | None) -> Article:
    return Article(
        key="https://n.example/1",
        entry_id="g-1",
        title="t",
        url="https://n.example/1",
        text="",
        published=published,
        source="Wire",
    )


@pytest.mark.parametrize(
    ("baselined", "since", "published", "alerts"),
    [
        (True, None, None, True),
        (True, SINCE, SINCE - timedelta(days=1), True),
        (False, SINCE, SINCE + timedelta(seconds=1), True),
        (False, SINCE, SINCE, False),
        (False, SINCE, SINCE - timedelta(minutes=1), False),
        (False, SINCE, None, False),
        (False, None, SINCE + timedelta(days=1), False),
    ],
    ids=[
        "after the baseline: any new story",
        "after the baseline: even an old one (MAX_ARTICLE_AGE decides later)",
        "first fetch: dated after since",
        "first fetch: dated exactly at since is the baseline",
        "first fetch: dated before since is the baseline",
        "first fetch: undated is the baseline",
        "first fetch without since: all baseline",
    ],
)
def test_alertable(
    baselined: bool, since: datetime | None, published: datetime | None, alerts: bool
) -> None:
    article = story(published)
    assert alertable([article], baselined=baselined, since=since) == ([article] if alerts else [])
