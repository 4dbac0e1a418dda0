"""The delivery order on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): which
rows a round takes first for a given pending set, table-tested (README, "Delivery order").

Each batch is one story queued for some chats at some second; a row's turn is its batch's
queueing time plus the batch's size at `SIZE_RATE` (30 a second)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.models import Article, DeliveryKind, Feed, Hit, Kind, Subscription
from bot.storage.outbox_rows import OutboxRow
from bot.storage.schema import chats
from bot.storage.store import Store

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(hours=1)


@dataclass(frozen=True)
class Batch:
    """Story `name` queued for `chats` at T0 + `at` seconds."""

    name: str
    at: float
    chats: tuple[int, ...]


def span(first: int, count: int) -> tuple[int, ...]:
    return tuple(range(first, first + count))


def queue(store: Store, batches: list[Batch]) -> dict[int, str]:
    """Queue the batches (in list order, as the poll stage would); their rows' story names."""
    url = "https://wire.example/rss"
    store.feeds.sync_catalogue([Feed(name="Wire", url=url, interval=60)])
    (state,) = store.feeds.feed_states()
    assert state.feed.id is not None
    keep = {"etag": None, "last_modified": None, "next_poll_at": LATER}
    store.articles.ingest(state.feed.id, [], now=T0, **keep)
    every = sorted({c for b in batches for c in b.chats})
    with store.engine.begin() as conn:
        conn.execute(
            chats.insert(),
            [{"id": c, "type": "private", "active": True, "created_at": T0} for c in every],
        )
    names: dict[int, str] = {}
    for batch in batches:
        at = T0 + timedelta(seconds=batch.at)
        story = Article(f"https://wire.example/{batch.name}", batch.name, batch.name,
                        f"https://wire.example/{batch.name}", "", at, "Wire")  # fmt: skip
        ((article_id, _),) = store.articles.ingest(state.feed.id, [story], now=at, **keep)
        hit = Hit(Subscription(1, 0, Kind.TICKER, "AMZN"), (), "")
        store.outbox.enqueue_alerts([OutboxRow(c, article_id, (hit,)) for c in batch.chats], now=at)
        names[article_id] = batch.name
    return names


CASES = {
    # 3,000 chats at 30/s: turn T0 + 100 s; 3 chats a second later: T0 + 1.1 s.
    "a small story goes before the tail of a big one": (
        [Batch("big", 0, span(1, 3000)), Batch("small", 1, span(5001, 3))],
        6,
        None,
        [("small", 5001), ("small", 5002), ("small", 5003), ("big", 1), ("big", 2), ("big", 3)],
    ),
    "among small stories, the older first": (
        [Batch("first", 0, span(1, 3)), Batch("second", 1, span(11, 3))],
        6,
        None,
        [("first", 1), ("first", 2), ("first", 3), ("second", 11), ("second", 12), ("second", 13)],
    ),
    # 30 chats: turn T0 + 1 s; the small one, 5 s later: T0 + 5.1 s. Nothing starves.
    "a big story whose time has come goes before a newer small one": (
        [Batch("big", 0, span(1, 30)), Batch("small", 5, span(101, 3))],
        32,
        None,
        [("big", c) for c in span(1, 30)] + [("small", 101), ("small", 102)],
    ),
    # Chat 2 has a row of each: it is placed by the small story's turn, its own rows go in
    # the order they were queued (the big story's first).
    "a chat's own rows in queueing order, the chat placed by its earliest turn": (
        [Batch("big", 0, span(1, 300)), Batch("small", 1, (2, 400))],
        5,
        None,
        [("big", 2), ("small", 2), ("small", 400), ("big", 1), ("big", 3)],
    ),
    "at most per_chat rows of one chat a round": (
        [Batch("big", 0, span(1, 300)), Batch("small", 1, (2, 400))],
        5,
        1,
        [("big", 2), ("small", 400), ("big", 1), ("big", 3), ("big", 4)],
    ),
}


@pytest.mark.parametrize(
    ("batches", "limit", "per_chat", "expected"), list(CASES.values()), ids=list(CASES)
)
def test_which_rows_a_round_takes_first(
    store: Store,
    batches: list[Batch],
    limit: int,
    per_chat: int | None,
    expected: list[tuple[str, int]],
) -> None:
    names = queue(store, batches)
    due = store.outbox.pending(LATER, limit, per_chat=per_chat)
    assert [(names[p.content.article_id or 0], p.chat_id) for p in due] == expected


def test_a_broadcast_is_one_batch_and_a_row_sent_back_keeps_its_place(store: Store) -> None:
    """A broadcast to 600 chats (turn 20 s after it) waits behind a story for 3 chats queued
    a second later; a row released after a passing error is first again, not last."""
    names = queue(store, [Batch("small", 1, span(5001, 3))])
    with store.engine.begin() as conn:  # chats that wrote to the bot
        conn.execute(
            chats.insert(),
            [{"id": c, "type": "private", "active": True, "created_at": T0} for c in span(1, 600)],
        )
    store.outbox.enqueue_notice(list(span(1, 600)), "Maintenance tonight", now=T0)
    first = store.outbox.pending(LATER, 4)
    assert [(p.kind, p.chat_id) for p in first] == [
        (DeliveryKind.ALERT, 5001),
        (DeliveryKind.ALERT, 5002),
        (DeliveryKind.ALERT, 5003),
        (DeliveryKind.NOTICE, 1),
    ]
    assert set(names.values()) == {"small"}
    (won,) = store.sends.claim([first[0].id], now=LATER, owner="w1")
    store.sends.release(won, error="502 Bad Gateway")
    assert [p.chat_id for p in store.outbox.pending(LATER, 2)] == [5001, 5002]


def test_every_row_is_sized_once(store: Store) -> None:
    queue(store, [Batch("big", 0, span(1, 90))])
    assert store.outbox.size_new() == 90
    assert store.outbox.size_new() == 0  # later calls (other workers) find nothing left
