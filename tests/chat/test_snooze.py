"""An alert's Snooze button end to end: the real application, the fake Bot API, a real database.

The alert is made the way the poll stage makes it (the live match index over a stored story)
and sent by the delivery job; the user presses Snooze, picks a span, and the subscription is
quiet until then and comes back by itself.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import update

from bot.poll.alerts import Matcher, story_alerts
from bot.storage.schema import subscriptions
from tests.chat.conftest import ChatBot, StartBot, seed_articles
from tests.chat.test_commands import USER, last_message, press, say
from tests.fakes.telegram_api import FakeBotAPI


def _alert_story(bot: ChatBot, seed_article_path: Path, number: int) -> int:
    """Store a new story about Amazon as the poll stage does; how many alerts it made."""
    svc = bot.svc
    index = svc.subscriptions.index
    assert index is not None
    now = svc.clock()
    (seed,) = seed_articles(seed_article_path)[:1]
    story = replace(seed, key=f"{seed.key}#{number}", entry_id=f"s{number}", published=now)
    alerts = story_alerts([story], Matcher(svc.universe, index), oldest=now - timedelta(days=1))
    feed_id = svc.store.feeds.feed_states()[0].feed.id
    assert feed_id is not None
    svc.store.articles.ingest(
        feed_id,
        [story],
        now=now,
        etag=None,
        last_modified=None,
        next_poll_at=now + timedelta(hours=1),
        alerts=alerts,
    )
    return sum(len(a) for a in alerts.values())


def _buttons(message: dict[str, Any]) -> list[list[tuple[str, str]]]:
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [[(b["text"], b.get("callback_data", "")) for b in row] for row in rows]


def _first_alert(bot: ChatBot, telegram: FakeBotAPI, seed_article_path: Path) -> dict[str, Any]:
    """/watch AMZN, then a story about Amazon: the alert as the chat received it."""
    assert "AMZN" in say(telegram, "/watch AMZN")
    feed_id = bot.svc.store.feeds.feed_states()[0].feed.id
    assert feed_id is not None
    now = bot.svc.clock()
    # The feed's first fetch, a baseline: stories seen after it are alerted.
    bot.svc.store.articles.ingest(
        feed_id, [], now=now, etag=None, last_modified=None, next_poll_at=now
    )
    before = len(telegram.sent(chat_id=USER))
    assert _alert_story(bot, seed_article_path, 1) == 1
    telegram.wait_for_sent(before + 1, chat_id=USER, timeout=15)
    return last_message(telegram)


def test_snooze_a_ticker_from_its_alert_and_it_comes_back(
    start_bot: StartBot, telegram: FakeBotAPI, seed_article_path: Path
) -> None:
    bot = start_bot()
    assert "AMZN" in say(telegram, "/watch AMZN")
    (sub,) = bot.svc.store.subscriptions.chat_subscriptions(USER)
    feed_id = bot.svc.store.feeds.feed_states()[0].feed.id
    now = bot.svc.clock()
    bot.svc.store.articles.ingest(  # the feed's first fetch, a baseline
        feed_id,
        [],
        now=now,
        etag=None,
        last_modified=None,
        next_poll_at=now,  # type: ignore[arg-type]
    )
    before = len(telegram.sent(chat_id=USER))
    assert _alert_story(bot, seed_article_path, 1) == 1
    telegram.wait_for_sent(before + 1, chat_id=USER, timeout=15)
    alert = last_message(telegram)
    shown = _buttons(alert["result"])
    assert shown[0] == [("Mute $AMZN", f"mute:{sub.id}"), ("Snooze", f"snooze:{sub.id}")]

    # Snooze offers its spans in place of the row; the rest of the keyboard stays.
    offered = press(telegram, alert, f"snooze:{sub.id}")
    assert _buttons(offered)[0] == [
        ("1 hour", f"snooze:{sub.id}:1h"),
        ("1 day", f"snooze:{sub.id}:1d"),
        ("1 week", f"snooze:{sub.id}:1w"),
    ]
    assert _buttons(offered)[1:] == shown[1:]
    restored = press(telegram, alert, f"snooze:{sub.id}:1d")
    assert _buttons(restored) == shown
    assert any("$AMZN is quiet until" in a.get("text", "") for a in telegram.callback_answers)
    until = bot.svc.store.subscriptions.snoozed(USER)[sub.id]
    assert timedelta(hours=23) < until - now < timedelta(hours=25)

    # Quiet: a new story about Amazon makes no alert; /list says until when.
    assert _alert_story(bot, seed_article_path, 2) == 0
    assert f"(snoozed until {until:%d %b %H:%M} UTC)" in say(telegram, "/list")

    # Time passes: the poll job wakes the subscription by itself, and alerts come again.
    with bot.svc.store.engine.begin() as conn:
        conn.execute(update(subscriptions).values(snoozed_until=now - timedelta(seconds=1)))
    index = bot.svc.subscriptions.index
    assert index is not None
    assert len(index) == 0
    telegram.wait_for(lambda: len(index) == 1, timeout=40)
    assert _alert_story(bot, seed_article_path, 3) == 1
    assert bot.svc.store.subscriptions.snoozed(USER) == {}
    assert "snoozed" not in say(telegram, "/list")


def test_a_snooze_of_a_subscription_removed_meanwhile_says_so(
    start_bot: StartBot, telegram: FakeBotAPI, seed_article_path: Path
) -> None:
    bot = start_bot()
    alert = _first_alert(bot, telegram, seed_article_path)
    (sub,) = bot.svc.store.subscriptions.chat_subscriptions(USER)
    offered = press(telegram, alert, f"snooze:{sub.id}")
    assert "Stopped watching AMZN" in say(telegram, "/remove AMZN")
    telegram.press_button(offered, f"snooze:{sub.id}:1w", user_id=USER)
    telegram.wait_for(
        lambda: any("no longer exists" in a.get("text", "") for a in telegram.callback_answers)
    )
    assert bot.svc.store.subscriptions.snoozed(USER) == {}
