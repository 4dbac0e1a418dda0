"""Migration 0013 and the stored choice: subscriptions that existed keep alerting on any mention,
new ones are "about"; a choice, a feed's kind of source and a story's events survive the round
trip (SQLite here; PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, insert

from bot.models import Article, Choice, EventRule, Feed, Kind, Reach, SourceKind
from bot.storage.db import migrate, open_engine
from bot.storage.schema import chats, subscriptions
from bot.storage.store import Store

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
CHAT = 7


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_engine(database_url)
    yield engine
    engine.dispose()


def test_subscriptions_from_before_keep_any_mention_and_new_ones_are_about(
    engine: Engine,
) -> None:
    migrate(engine, "0012")
    with engine.begin() as conn:
        conn.execute(insert(chats).values(id=CHAT, type="private", created_at=NOW))
        for kind, value in (("ticker", "NVDA"), ("keyword", "trainium")):
            conn.execute(
                insert(subscriptions).values(chat_id=CHAT, kind=kind, value=value, created_at=NOW)
            )
    migrate(engine)
    store = Store(engine)
    old = {s.value: s.choice for s in store.subscriptions.chat_subscriptions(CHAT)}
    assert old["NVDA"] == Choice(reach=Reach.ANY)
    new = store.subscriptions.add_subscription(CHAT, Kind.TICKER, "AMZN", NOW)
    assert new is not None
    (amzn,) = [s for s in store.subscriptions.chat_subscriptions(CHAT) if s.value == "AMZN"]
    assert amzn.choice == new.choice == Choice()


def test_a_choice_is_stored_and_moves_the_revision(store: Store) -> None:
    store.chats.upsert_chat(CHAT, "private", "Jane", NOW)
    sub = store.subscriptions.add_subscription(CHAT, Kind.TICKER, "AMZN", NOW)
    assert sub is not None
    before = store.subscriptions.subscriptions_revision()
    choice = Choice(Reach.ANY, frozenset({SourceKind.FILINGS}), EventRule.ONLY, ("earnings",))
    changed = store.subscriptions.set_choice(CHAT, sub.id, choice)
    assert changed is not None
    assert changed.choice == choice
    assert store.subscriptions.subscriptions_revision() != before
    assert store.subscriptions.active_subscriptions(CHAT)[0].choice == choice
    assert store.subscriptions.set_choice(CHAT + 1, sub.id, choice) is None


def test_a_feeds_kind_of_source_and_a_storys_events_are_kept(store: Store) -> None:
    store.chats.upsert_chat(CHAT, "private", "Jane", NOW)
    store.feeds.sync_catalogue([Feed("Wire", "https://w.example/rss", 60, source=SourceKind.PRESS)])
    (state,) = store.feeds.feed_states()
    assert state.feed.source is SourceKind.PRESS
    assert state.feed.id is not None
    story = Article(
        key="https://w.example/1",
        entry_id="1",
        title="Anavex class action",
        url="https://w.example/1",
        text="",
        published=NOW,
        source="Wire",
        kind=SourceKind.PRESS,
        events=("legal", "solicitation"),
    )
    for articles in ([], [story]):  # the first fetch is a baseline
        store.articles.ingest(
            state.feed.id,
            articles,
            now=NOW,
            etag=None,
            last_modified=None,
            next_poll_at=NOW + timedelta(minutes=5),
            alerts={},
        )
    ((_, stored),) = store.articles.recent_articles(NOW - timedelta(hours=1))
    assert stored.events == ("legal", "solicitation")
