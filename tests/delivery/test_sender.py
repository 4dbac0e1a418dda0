"""The sender against the fake Bot API with faults injected at the edge: flood control for one
chat while others are served, 5xx, a chat that blocks the bot mid fan-out, a migrated group,
a message Telegram refuses, and the outbox's record of each."""

from __future__ import annotations

from bot.delivery.failures import FAILURES_TO_DEACTIVATE
from bot.models import Kind
from bot.storage.store import Store
from tests.delivery.conftest import NOW, SetClock, deliver, queue_alerts, store_articles
from tests.fakes.telegram_api import FakeBotAPI

CHATS = [101, 102, 103, 104]


def fan_out(store: Store, chats: list[int], per_chat: int = 1) -> None:
    ids = store_articles(store, per_chat)
    for chat in chats:
        queue_alerts(store, chat, ids, now=NOW)


def test_every_alert_is_sent_once_and_marked_with_its_message_id(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, CHATS, per_chat=2)
    deliver(fake, store, clock, rounds=2)
    assert {chat: fake.accepted_count(chat) for chat in CHATS} == dict.fromkeys(CHATS, 2)
    assert store.outbox.delivery_counts() == {"sent": 8}
    deliver(fake, store, clock)  # nothing left: nothing sent again
    assert sum(fake.accepted.values()) == 8


def test_flood_control_pauses_only_the_chat_it_concerns(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, CHATS)
    fake.fail_next("sendMessage", chat_id=102, retry_after=7)
    (report,) = deliver(fake, store, clock)
    assert report.postponed == 1
    assert [fake.accepted_count(c) for c in CHATS] == [1, 0, 1, 1]
    clock.advance(seconds=6)
    deliver(fake, store, clock)
    assert fake.accepted_count(102) == 0  # still inside retry_after
    clock.advance(seconds=2)
    deliver(fake, store, clock)
    assert [fake.accepted_count(c) for c in CHATS] == [1, 1, 1, 1]


def test_server_errors_are_retried_with_backoff(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, [101])
    fake.fail_next("sendMessage", error_code=500, times=2)
    deliver(fake, store, clock)
    clock.advance(seconds=5)  # first retry after 5 s
    deliver(fake, store, clock)
    assert fake.accepted_count(101) == 0
    clock.advance(seconds=9)
    deliver(fake, store, clock)
    assert fake.accepted_count(101) == 0  # second retry waits 10 s
    clock.advance(seconds=1)
    deliver(fake, store, clock)
    assert fake.accepted_count(101) == 1
    assert store.outbox.delivery_counts() == {"sent": 1}


def test_a_chat_that_blocks_the_bot_mid_fan_out_is_dropped_after_repeated_failures(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, CHATS)
    deliver(fake, store, clock)
    fake.block_chat(103)  # between two alerts of the fan-out
    more = store_articles(store, 2, start=10)
    for chat in CHATS:
        queue_alerts(store, chat, more, now=NOW)
    deactivated = []
    for _ in range(FAILURES_TO_DEACTIVATE):
        for report in deliver(fake, store, clock, rounds=2):
            deactivated += report.chats_deactivated
        assert store.chats.chat_settings(103) is not None
        clock.advance(seconds=60)
    assert [fake.accepted_count(c) for c in CHATS] == [3, 3, 1, 3]
    assert deactivated == [103]
    assert store.outbox.delivery_counts(103) == {"sent": 1, "dropped": 2}
    # The user writes again: the chat is back, with a clean count of failures.
    fake.unblock_chat(103)
    store.chats.upsert_chat(103, "private", None, NOW)
    queue_alerts(store, 103, store_articles(store, 1, start=50), now=clock())
    deliver(fake, store, clock)
    assert fake.accepted_count(103) == 2


def test_a_chat_deactivated_by_the_sender_moves_the_subscriptions_revision(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    """A `--role worker` process follows deactivations only through the revision (its
    `on_unreachable` is None): a chat that blocked the bot must move it, or the worker goes
    on matching the chat."""
    store.chats.upsert_chat(103, "private", None, NOW)
    store.subscriptions.add_subscription(103, Kind.TICKER, "AMZN", NOW)
    fan_out(store, [103], per_chat=FAILURES_TO_DEACTIVATE)
    before = store.subscriptions.subscriptions_revision()
    fake.block_chat(103)
    for _ in range(FAILURES_TO_DEACTIVATE):
        deliver(fake, store, clock)
        clock.advance(seconds=60)
    assert store.outbox.delivery_counts(103) == {"dropped": FAILURES_TO_DEACTIVATE}
    assert store.subscriptions.subscriptions_revision() != before
    assert store.subscriptions.active_subscriptions() == []


def test_one_failure_then_success_keeps_the_chat(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, [101], per_chat=2)
    fake.fail_next("sendMessage", error_code=403, chat_id=101)
    deliver(fake, store, clock)
    clock.advance(seconds=60)
    deliver(fake, store, clock, rounds=3)
    assert fake.accepted_count(101) >= 1
    settings = store.chats.chat_settings(101)
    assert settings is not None
    assert store.outbox.delivery_counts(101).get("dropped", 0) == 0


def test_a_migrated_group_is_followed_to_its_new_id(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    ids = store_articles(store, 2)
    queue_alerts(store, -5001, ids, now=NOW, chat_type="group")
    fake.fail_next("sendMessage", chat_id=-5001, migrate_to_chat_id=-1005001)
    deliver(fake, store, clock, rounds=3)
    assert fake.accepted_count(-5001) == 0
    assert fake.accepted_count(-1005001) == 2
    assert store.outbox.delivery_counts(-1005001) == {"sent": 2}


def test_a_message_telegram_refuses_goes_out_as_plain_text(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, [101])
    fake.fail_next(
        "sendMessage", error_code=400, description="Bad Request: can't parse entities: oops"
    )
    deliver(fake, store, clock)
    (message,) = fake.sent(101)
    assert "parse_mode" not in message["params"]
    assert message["text"].startswith("$AMZN · Example Wire\nStory 0 about Amazon\n")
    assert store.outbox.delivery_counts() == {"sent": 1}


def test_an_alert_is_rendered_in_its_chats_language_when_it_is_sent(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    fan_out(store, [101, 102])
    store.chats.update_chat_settings(102, lang="zh_Hans")  # after it was queued
    deliver(fake, store, clock)
    (english,) = fake.sent(101)
    (other,) = fake.sent(102)
    assert "Why: $AMZN" in english["text"]
    assert "匹配原因：$AMZN" in other["text"]
    labels = [b["text"] for row in other["params"]["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["屏蔽 $AMZN", "暂停提醒", "阅读原文"]


def test_a_notice_to_an_operator_who_never_wrote_goes_out_once_they_do(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    """What the poll job does for a broken feed (`enqueue_notice` to ADMIN_CHAT_IDS): the
    notice used to fail on the chats foreign key and be lost."""
    assert store.outbox.enqueue_notice([900], "Feed A is broken.", now=NOW) == 1
    deliver(fake, store, clock)
    assert fake.accepted_count(900) == 0  # the bot cannot write first
    store.chats.upsert_chat(900, "private", "Operator", NOW)  # /start
    deliver(fake, store, clock)
    assert [m["text"] for m in fake.chat_messages(900)] == ["Feed A is broken."]
