"""Settling alerts left "sending" by a crash, against the fake Bot API: an alert Telegram had
accepted is found in its chat (editMessageReplyMarkup answers "message is not modified") and
not sent again, however many messages the user wrote before or after it; a command's reply
probed on the way gets its own buttons back; one that never arrived is sent again; another
worker's fresh claim is left alone until its lease runs out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from telegram import Bot
from telegram.constants import ParseMode

from bot.delivery.botapi import BotAPI, inline_keyboard
from bot.delivery.compose import Style, compose
from bot.delivery.recovery import (
    LEASE,
    MAX_PROBES,
    PROBES,
    RecoveryReport,
    candidates,
    recover_interrupted,
)
from bot.models import DeliveryKind
from bot.storage.store import Pending, Store
from tests.delivery.conftest import (
    DISCLAIMER,
    NOW,
    SetClock,
    deliver,
    queue_alerts,
    queue_written,
    store_articles,
)
from tests.fakes.telegram_api import FakeBotAPI

CHAT = 4242
STYLE = Style(disclaimer=DISCLAIMER)  # as `deliver` sends


def claim_first(store: Store, owner: str, clock: SetClock) -> Pending:
    (row,) = store.outbox.pending(clock(), limit=1)
    assert store.sends.claim([row.id], now=clock(), owner=owner) == [row.id]
    return row


def recover(
    fake: FakeBotAPI, store: Store, clock: SetClock, *, owner: str = "w1", at_start: bool = True
) -> RecoveryReport:
    async def run() -> RecoveryReport:
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            return await recover_interrupted(
                bot, store, owner=owner, at_start=at_start, clock=clock, style=STYLE
            )

    return asyncio.run(run())


def telegram_accepts(fake: FakeBotAPI, store: Store, row: Pending) -> int:
    """What Telegram did before the crash: the message arrived (our commit never happened)."""
    stories = store.outbox.stories([row.content.article_id or 0])
    message = compose(
        row.content, row.chat_id, stories, lang=row.lang, style=STYLE, delivery_id=row.id
    )

    async def run() -> int:
        async with BotAPI(fake.url, fake.token) as api:  # the sender's own client
            return await api.send_message(
                row.chat_id,
                message.text,
                parse_mode=ParseMode.HTML,
                reply_markup=inline_keyboard(message.keyboard),
            )

    return asyncio.run(run())


@pytest.mark.parametrize(
    ("at_claim", "now", "expected"),
    [
        (10, 10, range(11, 11 + PROBES)),  # nothing written since: just above
        (10, 14, range(11, 15 + PROBES)),  # four messages since: through them, and above
        (10, 9, range(11, 11 + PROBES)),  # (a stale reading) never below the claim
        (None, None, range(1, 1 + PROBES)),  # nothing known: the chat's first messages
        (10, 100, range(11, 11 + MAX_PROBES)),  # a flood of messages since: capped
    ],
    ids=["quiet", "user-wrote", "stale-now", "unknown", "capped"],
)
def test_candidates(at_claim: int | None, now: int | None, expected: range) -> None:
    assert candidates(at_claim, now) == expected


def user_writes(fake: FakeBotAPI, store: Store, count: int) -> None:
    """The user writes `count` messages; the bot records each id as it receives it (what the
    chat handlers' first handler, `bot.chat.gate.note_message`, does)."""
    for n in range(count):
        update = fake.user_sends(f"hello {n}", user_id=CHAT)
        store.chats.note_message(CHAT, update["message"]["message_id"])


@pytest.mark.parametrize(
    ("before", "after", "delivered"),
    [(0, 0, True), (2, 0, True), (7, 0, True), (0, 4, True), (3, 25, True), (0, 0, False)],
    ids=[
        "accepted",
        "accepted-after-user-messages",
        "accepted-after-many-user-messages",
        "user-wrote-after-it",
        "user-wrote-before-and-a-lot-after",
        "never-left",
    ],
)
def test_an_interrupted_alert_is_delivered_exactly_once(
    store: Store, fake: FakeBotAPI, clock: SetClock, before: int, after: int, delivered: bool
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 1), now=NOW)
    deliver(fake, store, clock)  # the first alert: the chat's last message id is known
    queue_alerts(store, CHAT, store_articles(store, 1, start=10), now=NOW)
    user_writes(fake, store, before)
    row = claim_first(store, "w1", clock)
    message_id = telegram_accepts(fake, store, row) if delivered else None
    user_writes(fake, store, after)  # the bot is still down: these wait as updates
    # The process dies here; the next life of worker w1 settles the row before sending.
    report = recover(fake, store, clock)
    assert (report.confirmed, report.resent) == ((1, 0) if delivered else (0, 1))
    deliver(fake, store, clock, rounds=2)
    assert fake.accepted_count(CHAT) == 2
    assert store.outbox.delivery_counts(CHAT) == {"sent": 2}
    if message_id is not None:
        ours = [m["message_id"] for m in fake.chat_messages(CHAT) if m.get("reply_markup")]
        assert message_id in ours


def test_a_reply_probed_on_the_way_loses_the_alerts_buttons_again(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 1), now=NOW)
    deliver(fake, store, clock)
    queue_alerts(store, CHAT, store_articles(store, 1, start=10), now=NOW)
    user_writes(fake, store, 1)

    async def answer() -> int:  # a command's reply, sent just before the alert was claimed
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            return (await bot.send_message(CHAT, "You watch: $AMZN")).message_id

    reply_id = asyncio.run(answer())
    row = claim_first(store, "w1", clock)
    message_id = telegram_accepts(fake, store, row)
    report = recover(fake, store, clock)
    assert report.confirmed == 1
    messages = {m["message_id"]: m for m in fake.chat_messages(CHAT)}
    assert "reply_markup" not in messages[reply_id]  # the probe's buttons were taken off
    assert messages[message_id].get("reply_markup")
    deliver(fake, store, clock, rounds=2)
    assert fake.accepted_count(CHAT) == 3  # two alerts, once each, and the reply
    assert store.outbox.delivery_counts(CHAT) == {"sent": 2}


def queue_message(store: Store, kind: DeliveryKind) -> None:
    """A notice, a broadcast, or a digest of two alerts, for CHAT."""
    store.chats.upsert_chat(CHAT, "private", None, NOW)
    if kind is DeliveryKind.DIGEST:
        queue_alerts(store, CHAT, store_articles(store, 2), now=NOW)
        ids = [r.id for r in store.outbox.pending(NOW, chat_id=CHAT)]
        assert store.digests.store_digest(CHAT, ids, [("<b>Digest</b>", "Digest")], now=NOW)
    else:
        store.outbox.enqueue_notice([CHAT], f"A {kind.value}.", now=NOW, kind=kind)


@pytest.mark.parametrize("delivered", [True, False], ids=["delivered", "never-left"])
@pytest.mark.parametrize(
    "kind",
    [DeliveryKind.NOTICE, DeliveryKind.BROADCAST, DeliveryKind.DIGEST],
    ids=["notice", "broadcast", "digest"],
)
def test_an_interrupted_notice_broadcast_or_digest_arrives_exactly_once(
    store: Store, fake: FakeBotAPI, clock: SetClock, kind: DeliveryKind, delivered: bool
) -> None:
    """They carry a "Settings" button with their row id: found by it as an alert is."""
    queue_message(store, kind)
    row = claim_first(store, "w1", clock)
    if delivered:
        telegram_accepts(fake, store, row)
    report = recover(fake, store, clock)
    assert (report.confirmed, report.resent) == ((1, 0) if delivered else (0, 1))
    deliver(fake, store, clock)
    (message,) = fake.chat_messages(CHAT)
    (settings_row,) = message["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for b in settings_row] == [f"menu:{row.id}"]
    assert store.outbox.delivery_counts(CHAT).get("sent") == 1


@pytest.mark.parametrize("buttons", [True, False], ids=["with-keyboard", "without"])
def test_an_alert_queued_before_0009_is_sent_and_recovered_as_it_was_written(
    store: Store, fake: FakeBotAPI, clock: SetClock, buttons: bool
) -> None:
    queue_written(store, CHAT, store_articles(store, 1), now=NOW, buttons=buttons)
    row = claim_first(store, "w1", clock)
    message_id = telegram_accepts(fake, store, row)
    report = recover(fake, store, clock)
    assert (report.confirmed, report.resent) == ((1, 0) if buttons else (0, 1))
    deliver(fake, store, clock)
    texts = [m["text"] for m in fake.chat_messages(CHAT)]
    assert set(texts) == {f"Alert {row.content.article_id} for {CHAT}"}
    assert len(texts) == (1 if buttons else 2)
    if buttons:
        assert fake.chat_messages(CHAT)[0]["message_id"] == message_id


def test_a_chat_with_a_row_in_flight_gets_no_other_row(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 2), now=NOW)
    claim_first(store, "w2", clock)
    assert store.outbox.pending(clock()) == []
    deliver(fake, store, clock)
    assert fake.accepted_count(CHAT) == 0


def test_another_workers_fresh_claim_is_left_alone_until_its_lease_runs_out(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 1), now=NOW)
    claim_first(store, "w2", clock)
    assert recover(fake, store, clock, owner="w1") == RecoveryReport()
    clock.advance(seconds=LEASE.total_seconds() - 1)
    assert recover(fake, store, clock, owner="w1", at_start=False) == RecoveryReport()
    clock.advance(seconds=2)
    assert recover(fake, store, clock, owner="w1", at_start=False).resent == 1
    deliver(fake, store, clock)
    assert fake.accepted_count(CHAT) == 1


def test_a_keyboard_the_user_changed_still_proves_delivery(
    store: Store, fake: FakeBotAPI, clock: SetClock
) -> None:
    queue_alerts(store, CHAT, store_articles(store, 1), now=NOW)
    row = claim_first(store, "w1", clock)
    message_id = telegram_accepts(fake, store, row)

    async def undo_keyboard() -> None:  # what pressing "Mute" does to the alert's keyboard
        async with Bot(fake.token, base_url=f"{fake.url}/bot") as bot:
            await bot.edit_message_reply_markup(CHAT, message_id, reply_markup=None)

    asyncio.run(undo_keyboard())
    report = recover(fake, store, clock)
    assert report.confirmed == 1
    assert fake.accepted_count(CHAT) == 1
    assert store.outbox.delivery_counts(CHAT) == {"sent": 1}
    assert timedelta(0) < LEASE
