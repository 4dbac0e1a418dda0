"""The store on a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.models import Alert, Article, Feed, Kind
from bot.storage.db import migrate
from bot.storage.outbox_rows import Answer
from bot.storage.schema import metadata
from bot.storage.store import Store

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def article(n: int, *, key: str | None = None) -> Article:
    return Article(
        key=key or f"https://news.example.com/{n}",
        entry_id=f"guid-{n}",
        title=f"Story {n}",
        url=key or f"https://news.example.com/{n}",
        text="Body.",
        published=NOW,
        source="Example",
    )


def feed_ids(store: Store, *urls: str) -> list[int]:
    store.feeds.sync_catalogue([Feed(name=u, url=u, interval=60) for u in urls])
    ids = [s.feed.id for s in store.feeds.feed_states()]
    assert all(i is not None for i in ids)
    return [i for i in ids if i is not None]


def alert_everyone(chat_id: int, articles: list[Article]) -> dict[str, list[Alert]]:
    """An alert for `chat_id` prepared for every entry, as the poll stage prepares them."""
    return {a.entry_id: [Alert(chat_id, a, ())] for a in articles}


def ingest(store: Store, feed_id: int, articles: list[Article], chat_id: int = 1) -> int:
    new = store.articles.ingest(
        feed_id,
        articles,
        now=NOW,
        etag=None,
        last_modified=None,
        next_poll_at=NOW + timedelta(minutes=5),
        alerts=alert_everyone(chat_id, articles),
    )
    return len(new)


def test_migrations_match_the_schema(store: Store) -> None:
    """The migrations build exactly the tables schema.py describes."""
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(store: Store) -> None:
    migrate(store.engine)
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_first_fetch_is_a_baseline_and_later_entries_are_new(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    (feed_id,) = feed_ids(store, "https://a.example/rss")
    assert ingest(store, feed_id, [article(1), article(2)]) == 2
    assert store.outbox.pending(NOW) == []  # baseline: stored, not alerted
    assert ingest(store, feed_id, [article(1), article(2), article(3)]) == 1
    pending = store.outbox.pending(NOW)
    stories = store.outbox.stories([p.content.article_id or 0 for p in pending])
    assert [stories[p.content.article_id or 0].title for p in pending] == ["Story 3"]


def test_the_same_entry_is_never_stored_or_alerted_twice(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    (feed_id,) = feed_ids(store, "https://a.example/rss")
    ingest(store, feed_id, [])
    assert ingest(store, feed_id, [article(1), article(1)]) == 1
    assert ingest(store, feed_id, [article(1)]) == 0
    assert len(store.outbox.pending(NOW)) == 1


def test_two_feeds_with_the_same_link_make_one_story(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    first, second = feed_ids(store, "https://a.example/rss", "https://b.example/rss")
    ingest(store, first, [])
    ingest(store, second, [])
    assert ingest(store, first, [article(1, key="https://x.example/story")]) == 1
    other_outlet = replace(article(9, key="https://x.example/story"), source="B")
    assert ingest(store, second, [other_outlet]) == 0
    assert len(store.outbox.pending(NOW)) == 1


def test_subscriptions_are_unique_per_chat(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    store.chats.upsert_chat(2, "group", "Club", NOW)
    assert store.subscriptions.add_subscription(1, Kind.TICKER, "AMZN", NOW) is not None
    assert store.subscriptions.add_subscription(1, Kind.TICKER, "AMZN", NOW) is None
    assert store.subscriptions.add_subscription(2, Kind.TICKER, "AMZN", NOW) is not None
    assert [s.value for s in store.subscriptions.active_subscriptions()] == ["AMZN", "AMZN"]
    removed = store.subscriptions.remove_subscriptions(1, "amzn")
    assert [s.value for s in removed] == ["AMZN"]
    assert store.subscriptions.chat_subscriptions(1) == []


def test_outbox_rows_move_from_pending_to_sent(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    (feed_id,) = feed_ids(store, "https://a.example/rss")
    ingest(store, feed_id, [])
    ingest(store, feed_id, [article(1), article(2)])
    first, second = store.outbox.pending(NOW)
    store.sends.mark_sent([Answer(first.id, first.chat_id, 77)], now=NOW)
    store.sends.postpone(second.id, until=NOW + timedelta(seconds=30), error="HTTP 500")
    assert store.outbox.pending(NOW) == []
    assert [p.id for p in store.outbox.pending(NOW + timedelta(seconds=31))] == [second.id]
    assert store.outbox.delivery_counts() == {"sent": 1, "pending": 1}


def test_an_unreachable_chat_is_deactivated_and_its_alerts_dropped(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    (feed_id,) = feed_ids(store, "https://a.example/rss")
    ingest(store, feed_id, [])
    ingest(store, feed_id, [article(1), article(2)])
    assert store.chats.deactivate_chat(1, error="Forbidden: bot was blocked by the user") == 2
    assert store.outbox.pending(NOW) == []
    assert store.outbox.delivery_counts() == {"dropped": 2}
    store.chats.upsert_chat(1, "private", "Jane", NOW)  # the user writes again
    assert (
        store.subscriptions.active_subscriptions() == []
    )  # (none were added) but the chat is active
    store.subscriptions.add_subscription(1, Kind.TICKER, "AMZN", NOW)
    assert len(store.subscriptions.active_subscriptions()) == 1


def test_a_migrated_group_keeps_its_subscriptions_and_alerts(store: Store) -> None:
    store.chats.upsert_chat(-1, "group", "Club", NOW)
    store.subscriptions.add_subscription(-1, Kind.KEYWORD, "Trainium", NOW)
    (feed_id,) = feed_ids(store, "https://a.example/rss")
    ingest(store, feed_id, [], chat_id=-1)
    ingest(store, feed_id, [article(1)], chat_id=-1)
    store.chats.migrate_chat(-1, -1001)
    assert [s.chat_id for s in store.subscriptions.active_subscriptions()] == [-1001]
    assert [p.chat_id for p in store.outbox.pending(NOW)] == [-1001]


def test_catalogue_sync_disables_feeds_that_left(store: Store) -> None:
    feed_ids(store, "https://a.example/rss", "https://b.example/rss")
    store.feeds.sync_catalogue([Feed(name="A", url="https://a.example/rss", interval=120)])
    states = store.feeds.feed_states()
    assert [(s.feed.name, s.feed.interval) for s in states] == [("A", 120)]


def test_the_subscriptions_revision_moves_with_every_change_that_matters(store: Store) -> None:
    seen = [store.subscriptions.subscriptions_revision()]

    def moved() -> bool:
        now = store.subscriptions.subscriptions_revision()
        changed = now != seen[-1]
        seen.append(now)
        return changed

    store.chats.upsert_chat(1, "private", "Jane", NOW)
    assert moved()  # a new chat
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    assert not moved()  # the same active chat writing again
    sub = store.subscriptions.add_subscription(1, Kind.TICKER, "AMZN", NOW)
    assert sub is not None
    assert moved()
    assert store.subscriptions.add_subscription(1, Kind.TICKER, "AMZN", NOW) is None
    assert not moved()
    store.subscriptions.set_muted(1, sub.id, True)
    assert moved()
    store.chats.deactivate_chat(1, error="Forbidden")
    assert moved()
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    assert moved()  # back again
    store.subscriptions.remove_subscriptions(1, "AMZN")
    assert moved()


def test_classify_is_a_read_and_a_story_stored_meanwhile_gets_no_second_delivery(
    store: Store,
) -> None:
    for chat in (1, 2):
        store.chats.upsert_chat(chat, "private", "Jane", NOW)
    first, second = feed_ids(store, "https://a.example/rss", "https://b.example/rss")
    ingest(store, first, [])
    ingest(store, second, [])
    story = article(1, key="https://x.example/story")
    plan = store.articles.classify(first, [story, story], now=NOW)
    assert plan.stories == [story]
    assert store.articles.classify(first, [story], now=NOW).stories == [story]  # nothing written
    # Another worker stores the same story (another outlet) between the read and the commit.
    assert ingest(store, second, [replace(article(9, key=story.key), source="B")], chat_id=2) == 1
    new = store.articles.ingest(
        first,
        plan,
        now=NOW,
        etag=None,
        last_modified=None,
        next_poll_at=NOW + timedelta(minutes=5),
        alerts=alert_everyone(1, plan.stories),
    )
    assert new == []
    assert [p.chat_id for p in store.outbox.pending(NOW)] == [2]
    assert store.articles.classify(first, [story], now=NOW).stories == []  # carried now


def test_a_planned_story_joins_a_copy_stored_under_its_key_by_another_feed(store: Store) -> None:
    store.chats.upsert_chat(1, "private", "Jane", NOW)
    first, second = feed_ids(store, "https://a.example/rss", "https://b.example/rss")
    ingest(store, first, [])
    ingest(store, second, [])
    story, later = article(1), article(2)
    plan = store.articles.classify(first, [story, later], now=NOW)
    assert ingest(store, second, [story]) == 1
    new = store.articles.ingest(
        first,
        plan,
        now=NOW,
        etag=None,
        last_modified=None,
        next_poll_at=NOW + timedelta(minutes=5),
        alerts=alert_everyone(1, plan.stories),
    )
    assert [a.entry_id for _, a in new] == [later.entry_id]
    pending = store.outbox.pending(NOW)
    stories = store.outbox.stories([p.content.article_id or 0 for p in pending])
    assert sorted(stories[p.content.article_id or 0].title for p in pending) == [
        "Story 1",
        "Story 2",
    ]
