"""The sender's group writer (`bot.delivery.writer`) on a real database: closing it commits
what is still queued and returns (it used to wait for ever when its wake-up was taken by a
batch queued at the same moment, and the round with it), and a caller that went away does not
stop it for the others."""

from __future__ import annotations

import asyncio

from bot.delivery.writer import GroupWriter
from bot.models import DeliveryStatus
from bot.storage.outbox_rows import Answer
from bot.storage.store import Store
from tests.delivery.conftest import NOW, SetClock, queue_alerts, store_articles

CHATS = (301, 302, 303, 304)


def queued_ids(store: Store) -> list[int]:
    for chat in CHATS:
        queue_alerts(store, chat, store_articles(store, 1, start=chat), now=NOW)
    return [row.id for row in store.outbox.pending(NOW, 10)]


def test_closing_commits_what_is_queued_and_returns(store: Store, clock: SetClock) -> None:
    ids = queued_ids(store)

    async def run() -> list[bool]:
        writer = GroupWriter(store, owner="w1", clock=clock)
        running = asyncio.create_task(writer.run())
        await asyncio.sleep(0)  # the writer waits for work
        claims = [asyncio.create_task(writer.claim(i)) for i in ids]
        # Closed in the same turn of the loop as the claims are queued, before the writer has
        # taken them: one wake-up for both.
        closing = asyncio.create_task(writer.close(running))
        await asyncio.wait_for(closing, timeout=10)
        return [await claim for claim in claims]

    assert asyncio.run(run()) == [True] * len(ids)
    assert store.outbox.delivery_counts() == {DeliveryStatus.SENDING.value: len(ids)}


def test_what_is_queued_while_a_batch_commits_is_committed_before_closing(
    store: Store, clock: SetClock
) -> None:
    ids = queued_ids(store)

    async def run() -> None:
        writer = GroupWriter(store, owner="w1", clock=clock)
        running = asyncio.create_task(writer.run())
        assert await writer.claim(ids[0])
        claims = [asyncio.create_task(writer.claim(i)) for i in ids[1:]]
        answer = asyncio.create_task(writer.sent(Answer(ids[0], CHATS[0], 77, False)))
        await asyncio.sleep(0)
        await asyncio.wait_for(writer.close(running), timeout=10)
        assert [await claim for claim in claims] == [True] * (len(ids) - 1)
        await answer

    asyncio.run(run())
    assert store.outbox.delivery_counts() == {
        DeliveryStatus.SENT.value: 1,
        DeliveryStatus.SENDING.value: len(ids) - 1,
    }


def test_a_caller_that_went_away_does_not_stop_the_writer(store: Store, clock: SetClock) -> None:
    ids = queued_ids(store)

    async def run() -> list[bool]:
        writer = GroupWriter(store, owner="w1", clock=clock)
        running = asyncio.create_task(writer.run())
        gone = asyncio.create_task(writer.claim(ids[0]))
        staying = [asyncio.create_task(writer.claim(i)) for i in ids[1:]]
        await asyncio.sleep(0)  # all queued
        gone.cancel()
        won = [await claim for claim in staying]
        later = await writer.claim(ids[0])  # committed already: no longer pending
        await asyncio.wait_for(writer.close(running), timeout=10)
        return [*won, later]

    assert asyncio.run(run()) == [True] * (len(ids) - 1) + [False]
