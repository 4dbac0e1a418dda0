"""The outbox's life on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL): each
state transition of a row, table-tested; the encoding of hits; notices for chats the bot has
never heard from; rows queued before migration 0009."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.delivery.compose import Style, compose
from bot.models import Article, DeliveryKind, DeliveryStatus, Feed, Hit, Kind, Subscription
from bot.storage.db import migrate, open_engine
from bot.storage.outbox_rows import Answer, OutboxRow, hits_json, hits_of
from bot.storage.schema import chats, deliveries
from bot.storage.store import Store

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=10)
CHAT = 7
HIT = Hit(Subscription(3, CHAT, Kind.TICKER, "AMZN"), ("Amazon",), "Amazon rose.")


def queued(store: Store, count: int = 1) -> list[int]:
    """`count` alerts of one chat, pending; their delivery ids."""
    store.chats.upsert_chat(CHAT, "private", None, NOW)
    store.feeds.sync_catalogue([Feed(name="A", url="https://a.example/rss", interval=60)])
    (state,) = store.feeds.feed_states()
    assert state.feed.id is not None
    stories = [
        Article(
            f"https://x.example/{n}", f"g{n}", f"Story {n}", f"https://x.example/{n}", "", NOW, "A"
        )
        for n in range(count)
    ]
    keep = {"etag": None, "last_modified": None, "next_poll_at": LATER}
    store.articles.ingest(state.feed.id, [], now=NOW, **keep)
    new = store.articles.ingest(state.feed.id, stories, now=NOW, **keep)
    rows = [OutboxRow(CHAT, aid, (HIT,)) for aid, _ in new]
    assert store.outbox.enqueue_alerts(rows, now=NOW) == count
    return [p.id for p in store.outbox.pending(NOW)]


def queued_one(store: Store) -> int:
    (row_id,) = queued(store)
    return row_id


def claimed(store: Store) -> int:
    row_id = queued_one(store)
    assert store.sends.claim([row_id], now=NOW, owner="w1") == [row_id]
    return row_id


def sent(store: Store) -> int:
    row_id = claimed(store)
    store.sends.mark_sent([Answer(row_id, CHAT, 5)], now=NOW)
    return row_id


def queued_while_paused(store: Store) -> int:
    store.chats.upsert_chat(CHAT, "private", None, NOW)
    store.chats.pause_chat(CHAT, NOW)
    return queued_one(store)


@dataclass(frozen=True)
class Case:
    start: Callable[[Store], int]  # the row, in its first state
    step: Callable[[Store, int], object]
    status: DeliveryStatus
    due_at: datetime | None  # when `pending` offers it again (None: never)


CASES = {
    "pending-claim-sending": Case(
        queued_one,
        lambda s, i: s.sends.claim([i], now=NOW, owner="w1"),
        DeliveryStatus.SENDING,
        None,
    ),
    "sending-mark_sent-sent": Case(
        claimed,
        lambda s, i: s.sends.mark_sent([Answer(i, CHAT, 41)], now=NOW),
        DeliveryStatus.SENT,
        None,
    ),
    "sending-release-pending": Case(
        claimed, lambda s, i: s.sends.release(i, error="429"), DeliveryStatus.PENDING, NOW
    ),
    "sending-postpone-pending-later": Case(
        claimed,
        lambda s, i: s.sends.postpone(i, until=LATER, error="HTTP 502"),
        DeliveryStatus.PENDING,
        LATER,
    ),
    "sending-fail-failed": Case(
        claimed, lambda s, i: s.sends.fail(i, error="refused"), DeliveryStatus.FAILED, None
    ),
    "sending-claim-again-refused": Case(
        claimed,
        lambda s, i: s.sends.claim([i], now=NOW, owner="w2"),
        DeliveryStatus.SENDING,
        None,
    ),
    "pending-hold-held": Case(
        queued_one,
        lambda s, i: s.outbox.hold([i], until=LATER),
        DeliveryStatus.PENDING,
        LATER,
    ),
    "held-release_held-pending": Case(
        queued_one,
        lambda s, i: (s.outbox.hold([i], until=LATER), s.outbox.release_held(CHAT)),
        DeliveryStatus.PENDING,
        NOW,
    ),
    "pending-store_digest-digested": Case(
        queued_one,
        lambda s, i: s.digests.store_digest(CHAT, [i], [("<b>D</b>", "D")], now=NOW),
        DeliveryStatus.DIGESTED,
        None,
    ),
    "pending-unreachable-pending-later": Case(
        queued_one,
        lambda s, i: s.sends.unreachable(CHAT, until=LATER, error="403", deactivate_after=3),
        DeliveryStatus.PENDING,
        LATER,
    ),
    "pending-unreachable-at-the-limit-dropped": Case(
        queued_one,
        lambda s, i: s.sends.unreachable(CHAT, until=LATER, error="403", deactivate_after=1),
        DeliveryStatus.DROPPED,
        None,
    ),
    "pending-deactivate_chat-dropped": Case(
        queued_one,
        lambda s, i: s.chats.deactivate_chat(CHAT, error="blocked"),
        DeliveryStatus.DROPPED,
        None,
    ),
    "paused-resume_chat-dropped": Case(
        queued_while_paused,
        lambda s, i: s.chats.resume_chat(CHAT, NOW),
        DeliveryStatus.DROPPED,
        None,
    ),
    "sent-claim-refused": Case(
        sent,
        lambda s, i: s.sends.claim([i], now=NOW, owner="w2"),
        DeliveryStatus.SENT,
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_an_outbox_row_moves_from_state_to_state(store: Store, case: Case) -> None:
    row_id = case.start(store)
    case.step(store, row_id)
    with store.engine.connect() as conn:
        status = conn.execute(
            select(deliveries.c.status).where(deliveries.c.id == row_id)
        ).scalar_one()
    assert status == case.status
    due = {p.id for p in store.outbox.pending(LATER + timedelta(seconds=1))}
    due_now = {p.id for p in store.outbox.pending(NOW)}
    if case.due_at is None:
        assert row_id not in due
    else:
        assert row_id in due
        assert (row_id in due_now) == (case.due_at <= NOW)


def test_a_sent_row_raises_the_chats_last_message_id_and_never_lowers_it(store: Store) -> None:
    first, second = queued(store, 2)
    store.sends.claim([first], now=NOW, owner="w1")
    store.sends.mark_sent([Answer(first, CHAT, 41)], now=NOW)
    store.sends.claim([second], now=NOW, owner="w1")
    (row,) = store.sends.interrupted(now=NOW, lease=timedelta(0), owner="w1")
    assert (row.probe_from, row.last_message_id) == (41, 41)  # where the chat stood
    store.sends.mark_sent([Answer(second, CHAT, 12)], now=NOW)  # an older id, answered late
    with store.engine.connect() as conn:
        last = conn.execute(select(chats.c.last_message_id).where(chats.c.id == CHAT)).scalar()
    assert last == 41


@pytest.mark.parametrize(
    ("hits", "matched"),
    [
        ((HIT,), '[["ticker","AMZN",3,["Amazon"],"Amazon rose."]]'),
        ((), "[]"),
        (
            (Hit(Subscription(9, CHAT, Kind.KEYWORD, "AI chips"), ("chips",), "“AI” chips"),),
            '[["keyword","AI chips",9,["chips"],"“AI” chips"]]',
        ),
    ],
    ids=["ticker", "none", "keyword-unicode"],
)
def test_hits_are_stored_and_read_back_as_they_were(hits: tuple[Hit, ...], matched: str) -> None:
    assert hits_json(hits) == matched
    assert hits_of(matched, CHAT) == hits


def test_hits_of_a_row_queued_before_0009_keep_their_kind_and_value() -> None:
    (hit,) = hits_of('[["keyword","trainium"]]', CHAT)
    assert (hit.subscription.kind, hit.subscription.value, hit.terms) == (
        Kind.KEYWORD,
        "trainium",
        (),
    )


def test_a_notice_to_a_chat_never_heard_from_waits_for_it(store: Store) -> None:
    """An operator who never wrote to the bot: the notice is queued (no foreign key error),
    not offered while the bot cannot reach the chat, and due once the operator writes."""
    assert store.outbox.enqueue_notice([555, 556], "Feed A is broken", now=NOW) == 2
    assert store.outbox.enqueue_notice([555], "again", now=NOW, kind=DeliveryKind.BROADCAST) == 1
    assert store.outbox.pending(NOW) == []
    assert store.chats.active_chat_ids() == []  # not a chat for broadcasts yet
    store.chats.upsert_chat(555, "private", "Operator", NOW)  # /start
    due = store.outbox.pending(NOW)
    assert [(p.chat_id, p.kind, p.content.plain_text) for p in due] == [
        (555, DeliveryKind.NOTICE, "Feed A is broken"),
        (555, DeliveryKind.BROADCAST, "again"),
    ]


def test_rows_queued_before_0009_survive_the_migration_as_they_were_written(
    database_url: str,
) -> None:
    engine = open_engine(database_url)
    try:
        migrate(engine, "0008")
        with engine.begin() as conn:
            conn.execute(
                chats.insert().values(id=CHAT, type="private", created_at=NOW, active=True)
            )
            conn.execute(
                deliveries.insert().values(
                    chat_id=CHAT,
                    kind="alert",
                    text="<b>Old</b> alert",
                    plain_text="Old alert",
                    buttons='[[{"label":"Open","url":"https://x.example/1"}]]',
                    matched='[["ticker","AMZN"]]',
                    created_at=NOW,
                )
            )
        migrate(engine)
        (row,) = Store(engine).outbox.pending(NOW)
        message = compose(row.content, CHAT, {}, lang=row.lang, style=Style())
        assert (message.text, message.plain_text) == ("<b>Old</b> alert", "Old alert")
        assert [[b.url for b in r] for r in message.keyboard] == [["https://x.example/1"]]
        assert row.content.hits[0].subscription.value == "AMZN"
    finally:
        engine.dispose()


def test_an_alert_is_queued_once_per_chat_and_story(store: Store) -> None:
    first, second = queued(store, 2)
    with store.engine.connect() as conn:
        article_ids = conn.execute(select(deliveries.c.article_id)).scalars().all()
    rows = [OutboxRow(CHAT, aid, (HIT,)) for aid in article_ids]
    assert store.outbox.enqueue_alerts(rows, now=NOW) == 0
    assert [p.id for p in store.outbox.pending(NOW)] == [first, second]
    assert all(p.content.hits == (HIT,) for p in store.outbox.pending(NOW))
