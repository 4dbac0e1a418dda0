"""`python -m bot feeds` as an operator runs it: a real process over a real database, each
feed's health with how its WebSub hub updates it; no secret, topic or URL with a token."""

from __future__ import annotations

import re
import socket
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.feeds.catalogue import load_catalogue
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from bot.websub.lease import HubLink
from tests.e2e.bot_process import run_command

HUB = "https://operator:hunter2@hub.example.com/hub?token=t0k"
SECRET = "c0ffee" * 8
CATALOGUE = """
[[feeds]]
name = "Wire"
url = "https://wire.example.com/rss"

[[feeds]]
name = "Ops"
url = "https://ops.example.com/rss?key=k3y"

[[feeds]]
name = "Desk"
url = "https://desk.example.com/rss"

[[feeds]]
name = "Plain"
url = "https://plain.example.com/rss"
"""


def prepare(database_url: str, catalogue: Path) -> None:
    """Wire pushed, Ops's hub failed, Desk's asked; Plain has no hub."""
    now = datetime.now(UTC)
    engine = open_engine(database_url)
    migrate(engine)
    store = Store(engine)
    store.feeds.sync_catalogue(load_catalogue(catalogue, 300))
    for state in store.feeds.feed_states():
        if state.feed.name == "Plain" or state.feed.id is None:
            continue
        store.websub.discovered(
            state.feed.id, HubLink(HUB, state.feed.url), secret=SECRET, guarded=False
        )
        sub = store.websub.get(feed_id=state.feed.id)
        assert sub is not None
        assert store.websub.requested(sub, now=now, wait=timedelta(minutes=5))
        if state.feed.name == "Wire":
            assert store.websub.verified(sub.id, sub.link.topic, lease_seconds=86400, now=now)
            store.websub.keep_push(sub, b"<rss/>", content_type=None, now=now)
        if state.feed.name == "Ops":
            store.websub.failed(sub.id, now=now, error=f"HTTP 403 {SECRET} at {HUB}")
    engine.dispose()


def feeds_command(
    tmp_path: Path, database_url: str, catalogue: Path
) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": database_url, "FEEDS_FILE": str(catalogue), "DATA_DIR": str(tmp_path)}
    return run_command(["feeds"], env, tmp_path)


def test_the_feeds_command_says_how_each_hub_updates_its_feed(
    tmp_path: Path, database_url: str
) -> None:
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text(CATALOGUE, encoding="utf-8")
    prepare(database_url, catalogue)
    done = feeds_command(tmp_path, database_url, catalogue)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("4 feeds: 4 new")
    blocks = {b.splitlines()[0]: b for b in out.split("\n\n")[1:]}
    assert "  pushed by hub.example.com, lease until " in blocks["[new] Wire (catalogue)"]
    assert re.search(r", last push \d+ seconds? ago\n", blocks["[new] Wire (catalogue)"])
    assert (
        "  hub hub.example.com failed: HTTP 403 [secret] at hub.example.com, polled; "
        in (blocks["[new] Ops (catalogue)"])
    )
    pending = r"  hub hub.example.com pending \(asked \d+ seconds? ago\)"
    assert re.search(pending, blocks["[new] Desk (catalogue)"])
    assert "hub" not in blocks["[new] Plain (catalogue)"]
    for hidden in (SECRET, "hunter2", "t0k"):
        assert hidden not in out


def test_a_database_that_cannot_be_reached_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://bot:{SECRET}@127.0.0.1:{port}/alerts"
    done = feeds_command(tmp_path, url, tmp_path / "feeds.toml")
    assert done.returncode == 1
    (line,) = done.stderr.splitlines()
    assert line.startswith("python -m bot feeds: cannot reach the database ")
    assert "Connection refused" in line
    assert SECRET not in done.stdout + done.stderr
