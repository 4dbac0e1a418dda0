"""/feedhealth with WebSub, end to end through the fake Bot API: an operator sees how a hub
pushes a feed, in the language their Telegram speaks (English, Simplified Chinese), and
never the hub's credentials or the subscription's secret."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.websub.lease import HubLink
from tests.chat.conftest import OPERATOR, StartBot
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

HUB = "https://operator:hunter2@hub.example.com/hub?token=t0k"
SECRET = "c0ffee" * 8


def say_as(telegram: FakeBotAPI, command: str, language_code: str) -> str:
    before = len(telegram.sent(chat_id=OPERATOR))
    telegram.user_sends(command, chat_id=OPERATOR, user_id=OPERATOR, language_code=language_code)
    return str(telegram.wait_for_sent(before + 1, chat_id=OPERATOR)[-1]["text"])


@pytest.mark.parametrize(
    ("language_code", "head", "pushed"),
    [
        ("en", "1 feeds: 1 new", "  pushed by hub.example.com, lease until "),
        ("zh-hans", "1 个订阅源：1 个新加入", "  由 hub.example.com 推送，租约至 "),
    ],
    ids=["en", "zh"],
)
def test_an_operator_sees_which_hub_pushes_a_feed(
    start_bot: StartBot,
    telegram: FakeBotAPI,
    feed_server: FeedServer,
    language_code: str,
    head: str,
    pushed: str,
) -> None:
    bot = start_bot()
    store = bot.svc.store
    (state,) = store.feeds.feed_states()
    assert state.feed.id is not None
    link = HubLink(HUB, feed_server.url("/a.rss"))
    store.websub.discovered(state.feed.id, link, secret=SECRET, guarded=False)
    sub = store.websub.get(feed_id=state.feed.id)
    assert sub is not None
    now = datetime.now(UTC)
    assert store.websub.requested(sub, now=now, wait=timedelta(minutes=5))
    assert store.websub.verified(sub.id, link.topic, lease_seconds=3600, now=now)

    health = say_as(telegram, "/feedhealth", language_code)
    assert health.startswith(head)
    (line,) = [x for x in health.splitlines() if "hub.example.com" in x]
    assert line.startswith(pushed)
    for hidden in (SECRET, "hunter2", "t0k"):
        assert hidden not in health
