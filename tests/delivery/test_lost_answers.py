"""Sends whose answer is lost, against the fake Bot API: a message Telegram delivered but whose
answer never came back (a dropped connection, a timeout, a proxy's 502 after delivery) is looked
for in its chat and not sent again; a send Telegram certainly refused (429) or that never left
(no connection) is retried as it is; a probe holds up only its own chat."""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import timedelta

import pytest

from bot.delivery.botapi import BotAPI
from bot.delivery.failures import SendReport
from bot.delivery.limits import Limits, RateLimiter
from bot.delivery.sender import SendOptions, send_pending
from bot.models import DeliveryKind, DeliveryStatus
from bot.storage.schema import deliveries
from bot.storage.sends import UNANSWERED
from bot.storage.store import Store
from tests.delivery.conftest import DISCLAIMER, NOW, SetClock, queue_alerts, store_articles
from tests.fakes.telegram_api import Chaos, FakeBotAPI

CHAT = 5150
OTHER = 5151


def rounds(
    fake: FakeBotAPI,
    store: Store,
    clock: SetClock,
    *,
    count: int = 1,
    read_timeout: float = 30.0,
    url: str | None = None,
) -> list[SendReport]:
    """Delivery rounds through the bot's own client, `clock` moved 5 s (the first backoff)
    after each."""

    async def run() -> list[SendReport]:
        reports = []
        options = SendOptions(disclaimer=DISCLAIMER, retry_base=5.0, owner="w1")
        async with BotAPI(url or fake.url, fake.token, read_timeout=read_timeout) as api:
            for _ in range(count):
                limiter = RateLimiter(Limits.lifted())
                reports.append(
                    await send_pending(api, store, clock=clock, options=options, limiter=limiter)
                )
                clock.advance(seconds=5)
        return reports

    return asyncio.run(run())


def one_alert(store: Store, chat: int = CHAT) -> None:
    queue_alerts(store, chat, store_articles(store, 1, start=chat), now=NOW)


def sends(fake: FakeBotAPI) -> list[dict[str, object]]:
    return [c for c in fake.calls if c["method"] == "sendMessage"]


def probes(fake: FakeBotAPI) -> list[dict[str, object]]:
    return [c for c in fake.calls if c["method"] == "editMessageReplyMarkup"]


def status_of(store: Store, chat: int = CHAT) -> tuple[str, str | None]:
    with store.engine.connect() as conn:
        row = conn.execute(deliveries.select().where(deliveries.c.chat_id == chat)).one()
    return row.status, row.claimed_by


def lose_answer_after_delivery(fake: FakeBotAPI) -> None:
    fake.lose_answer_next("sendMessage", chat_id=CHAT)


def bad_gateway_after_delivery(fake: FakeBotAPI) -> None:
    fake.set_chaos(Chaos(late_bad_gateway=1.0))


@pytest.mark.parametrize(
    "lose",
    [lose_answer_after_delivery, bad_gateway_after_delivery],
    ids=["connection-dropped-after-delivery", "proxy-502-after-delivery"],
)
def test_a_delivered_send_whose_answer_was_lost_is_found_and_not_sent_again(
    store: Store, fake: FakeBotAPI, clock: SetClock, lose: object
) -> None:
    one_alert(store)
    assert callable(lose)
    lose(fake)
    (first,) = rounds(fake, store, clock)
    fake.set_chaos(None)
    assert first.unanswered == 1
    assert status_of(store) == (DeliveryStatus.SENDING, UNANSWERED)
    (later,) = rounds(fake, store, clock)  # 5 s later: looked for
    assert later.found == 1
    assert fake.accepted_count(CHAT) == 1
    (message,) = fake.chat_messages(CHAT)
    with store.engine.connect() as conn:
        row = conn.execute(deliveries.select()).one()
    assert (row.status, row.message_id) == (DeliveryStatus.SENT, message["message_id"])


def test_a_send_that_timed_out_after_delivery_is_found_and_not_sent_again(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    one_alert(store)
    fake.set_delay(1.0, "sendMessage")
    (first,) = rounds(fake, store, clock, read_timeout=0.3)
    fake.set_delay(0.0, "sendMessage")
    time.sleep(1.0)  # the fake delivers it after the client gave up
    assert first.unanswered == 1
    rounds(fake, store, clock, count=2)
    assert fake.accepted_count(CHAT) == 1
    assert store.outbox.delivery_counts() == {"sent": 1}


def test_a_proxys_502_before_delivery_is_looked_for_then_sent_once(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    one_alert(store)
    fake.answer_raw_next("sendMessage", 502, b"<html>502 Bad Gateway</html>")
    (first, second) = rounds(fake, store, clock, count=2)
    assert (first.unanswered, second.resent, second.sent) == (1, 1, 1)
    assert probes(fake), "looked for before it was sent again"
    assert fake.accepted_count(CHAT) == 1
    assert store.outbox.delivery_counts() == {"sent": 1}


def test_a_429_is_retried_without_looking_for_the_message(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    one_alert(store)
    fake.fail_next("sendMessage", retry_after=1)
    rounds(fake, store, clock, count=2)
    assert probes(fake) == []
    assert fake.accepted_count(CHAT) == 1


def test_a_send_that_never_left_is_retried_without_looking_for_it(
    store: Store, fake: FakeBotAPI, clock: SetClock, dead_url: str
) -> None:
    one_alert(store)
    (report,) = rounds(fake, store, clock, url=dead_url)
    assert (report.postponed, report.unanswered) == (1, 0)
    assert status_of(store) == (DeliveryStatus.PENDING, None)
    rounds(fake, store, clock, count=2)
    assert probes(fake) == []
    assert fake.accepted_count(CHAT) == 1


@pytest.fixture
def dead_url() -> str:
    """A Bot API root where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_slow_telegram_is_not_taken_for_a_lost_answer(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    """6 s: over PTB's 5 s read timeout, which the sender used to have."""
    one_alert(store)
    fake.set_delay(6.0, "sendMessage")
    (report,) = rounds(fake, store, clock)
    assert (report.sent, report.unanswered) == (1, 0)
    assert probes(fake) == []


def test_a_slow_probe_holds_up_only_its_own_chat(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    one_alert(store)
    fake.lose_answer_next("sendMessage", chat_id=CHAT)
    rounds(fake, store, clock)
    queue_alerts(store, OTHER, store_articles(store, 3, start=900), now=NOW)
    fake.set_delay(1.0, "editMessageReplyMarkup")
    (report,) = rounds(fake, store, clock)
    assert (report.found, fake.accepted_count(OTHER)) == (1, 3)
    probe_answered = probes(fake)[0]["time"] + 1.0
    other_sent = [r["time"] for r in fake.sent(OTHER)]
    assert max(other_sent) < probe_answered
    assert fake.accepted_count(CHAT) == 1


def test_a_failed_probe_is_tried_again_later(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    one_alert(store)
    fake.lose_answer_next("sendMessage", chat_id=CHAT)
    rounds(fake, store, clock)
    fake.fail_next("editMessageReplyMarkup", error_code=500)
    (failed,) = rounds(fake, store, clock)
    assert (failed.found, failed.resent) == (0, 0)
    assert status_of(store) == (DeliveryStatus.SENDING, UNANSWERED)
    (again,) = rounds(fake, store, clock)
    assert again.found == 1
    assert fake.accepted_count(CHAT) == 1


@pytest.mark.parametrize(
    "kind", [DeliveryKind.NOTICE, DeliveryKind.BROADCAST], ids=["notice", "broadcast"]
)
def test_a_notice_or_broadcast_whose_answer_was_lost_arrives_once(
    store: Store, fake: FakeBotAPI, clock: SetClock, kind: DeliveryKind
) -> None:
    store.chats.upsert_chat(CHAT, "private", None, NOW)
    store.outbox.enqueue_notice([CHAT], "Feed A is broken.", now=NOW, kind=kind)
    fake.lose_answer_next("sendMessage", chat_id=CHAT)
    rounds(fake, store, clock, count=3)
    assert [m["text"] for m in fake.chat_messages(CHAT)] == ["Feed A is broken."]
    assert store.outbox.delivery_counts() == {"sent": 1}


def test_a_digest_whose_answer_was_lost_arrives_once(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 3), now=NOW - timedelta(hours=2))
    store.chats.update_chat_settings(CHAT, delivery_mode="hourly")
    fake.lose_answer_next("sendMessage", chat_id=CHAT)
    reports = rounds(fake, store, clock, count=4)
    assert [sum(getattr(r, n) for r in reports) for n in ("digests", "unanswered", "found")] == [
        1,
        1,
        1,
    ]
    (digest,) = fake.chat_messages(CHAT)
    assert "Story 0 about Amazon" in digest["text"]
    assert fake.accepted_count(CHAT) == 1
