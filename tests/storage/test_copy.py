"""`db copy`: a SQLite installation moved into another database (PostgreSQL in CI)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.models import Alert, Article, Feed, Kind
from bot.storage.copy import CopyError, copy_database
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.e2e.bot_process import run_command

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def filled_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = open_engine(url)
    migrate(engine)
    store = Store(engine)
    store.chats.upsert_chat(7, "private", "Jane", NOW)
    store.subscriptions.add_subscription(7, Kind.TICKER, "AMZN", NOW)
    store.feeds.sync_catalogue([Feed(name="A", url="https://a.example/rss", interval=60)])
    (state,) = store.feeds.feed_states()
    assert state.feed.id is not None
    story = Article("https://x.example/1", "g1", "Story", "https://x.example/1", "", NOW, "A")
    for entries in ([], [story]):
        store.articles.ingest(
            state.feed.id,
            entries,
            now=NOW,
            etag=None,
            last_modified=None,
            next_poll_at=NOW + timedelta(minutes=5),
            alerts={"g1": [Alert(7, story, ())]},
        )
    engine.dispose()
    return url


def test_an_installation_moves_whole_and_keeps_working(tmp_path: Path, database_url: str) -> None:
    source = filled_sqlite(tmp_path / "old.sqlite3")
    report = copy_database(source, database_url)
    assert report.rows["chats"] == 1
    assert report.rows["subscriptions"] == 1
    assert report.rows["articles"] == 1
    assert report.rows["deliveries"] == 1

    engine = open_engine(database_url)
    store = Store(engine)
    assert [s.value for s in store.subscriptions.active_subscriptions()] == ["AMZN"]
    assert len(store.outbox.pending(NOW)) == 1
    # New rows get fresh ids after the copied ones (PostgreSQL's sequences were moved on).
    added = store.subscriptions.add_subscription(7, Kind.KEYWORD, "Trainium", NOW)
    assert added is not None
    assert added.id > store.subscriptions.active_subscriptions()[0].id
    engine.dispose()


def test_copying_into_a_database_with_data_is_refused(tmp_path: Path, database_url: str) -> None:
    source = filled_sqlite(tmp_path / "old.sqlite3")
    copy_database(source, database_url)
    with pytest.raises(CopyError, match="already holds data"):
        copy_database(source, database_url)


def test_a_target_that_cannot_be_reached_is_one_line_without_its_password(tmp_path: Path) -> None:
    source = filled_sqlite(tmp_path / "old.sqlite3")
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    target = f"postgresql://bot:s3cret@127.0.0.1:{port}/alerts"
    done = run_command(
        ["db", "copy", "--from", source, target], {"DATA_DIR": str(tmp_path)}, tmp_path
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    (line,) = [s for s in done.stderr.splitlines() if s.startswith("could not copy")]
    assert "cannot reach the database postgresql+psycopg://bot:***@127.0.0.1" in line
    assert "s3cret" not in done.stdout + done.stderr
