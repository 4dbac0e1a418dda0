"""WebSub end to end: `python -m bot run` in its own process, a feed that advertises a hub,
the hub (tests/fakes/websub_hub.py), the feeds and the fake Telegram Bot API all on 127.0.0.1,
and a real database. The bot subscribes, answers the hub's intent check, alerts a signed
delivery's story through Telegram, refuses a forged one with 403 (nothing kept), renews its
lease before it ends, and goes back to polling when the hub says no."""

from __future__ import annotations

import email.utils
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.storage.db import open_engine
from bot.storage.store import Store
from bot.websub.lease import HubState
from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI
from tests.fakes.websub_hub import FakeHub
from tests.test_roles import CHAT as ROLES_CHAT
from tests.test_roles import SECRET, command_update, wait_until_listening
from tests.websub.conftest import with_hub

CHAT = 515151
EMPTY = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    "<title>Deep News</title><link>https://news.example.com/</link>"
    "<description>Market news</description></channel></rss>"
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TITLE = "Amazon CEO Reveals Over 1 Million Trainium Chips in Production"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def story_now(seed: bytes) -> bytes:
    """The example article (a real page's story), published now."""
    now = email.utils.format_datetime(datetime.now(UTC))
    return seed.decode("utf-8").replace("Wed, 03 Dec 2025 09:12:00 +0000", now).encode("utf-8")


def env_for(
    tmp_path: Path,
    telegram: FakeBotAPI,
    feed_url: str,
    database_url: str,
    tickers: Path,
    port: int,
) -> dict[str, str]:
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text(f'[[feeds]]\nname = "Deep News"\nurl = "{feed_url}"\n')
    return {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "FEEDS_FILE": str(catalogue),
        "TICKERS_FILE": str(tickers),
        "POLL_ADAPTIVE": "false",
        "POLL_INTERVAL": "1",
        "DELIVERY_INTERVAL": "0.2",
        "WEBHOOK_URL": f"http://127.0.0.1:{port}",
        "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port),
        "WEBSUB_LEASE_SECONDS": "3600",
        "WEBSUB_SAFETY_POLL": "600",
    }


def watch_amzn(telegram: FakeBotAPI) -> None:
    telegram.wait_for(lambda: telegram.commands is not None, timeout=30)
    telegram.user_sends("/watch AMZN", chat_id=CHAT, user_id=CHAT)
    assert "AMZN" in telegram.wait_for_sent(1, chat_id=CHAT, timeout=15)[0]["text"]


def test_subscribe_verify_push_refuse_forgery_and_renew(
    tmp_path: Path, database_url: str, sec_table_path: Path, seed_article_path: Path
) -> None:
    port = free_port()
    # An 8 s lease, due for renewal at 80% (6.4 s): the worker reads its subscriptions every
    # 5 s and asks for what comes due before the next read, so it renews 1.4 to 6.4 s into
    # the lease (a lease must outlast 5 s / 80% for a read to fall in that window).
    with FakeBotAPI() as telegram, FeedServer() as feeds, FakeHub(lease_seconds=8) as hub:
        topic = feeds.url("/deep.rss")
        feeds.set("/deep.rss", with_hub(EMPTY.encode(), hub.url, topic), etag='"e0"')
        env = env_for(tmp_path, telegram, topic, database_url, sec_table_path, port)
        with BotProcess(env, tmp_path, name="websub"):
            watch_amzn(telegram)
            hub.wait_for(lambda: hub.verified(topic), timeout=30)
            first = hub.requests[0].form
            assert first["hub.mode"] == "subscribe"
            assert first["hub.topic"] == topic
            assert first["hub.callback"].startswith(f"http://127.0.0.1:{port}/websub/")
            assert len(first["hub.secret"]) == 64
            assert first["hub.lease_seconds"] == "3600"
            (subscriber,) = hub.verified(topic)

            # Pushed: the feed is polled at the safety interval (600 s), not every second.
            # A poll that read the subscription before the check may still schedule one more,
            # 1 s later on the 1 s tick: up to 2 s after the check.
            time.sleep(3)
            polls = feeds.hits("/deep.rss")
            time.sleep(3)
            assert feeds.hits("/deep.rss") == polls

            body = with_hub(story_now(seed_article_path.read_bytes()), hub.url, topic)
            assert hub.publish(topic, body, forge=True) == [403]
            assert hub.publish(topic, body, unsigned=True) == [403]
            engine = open_engine(database_url)
            try:
                assert Store(engine).websub.pending_pushes() == 0
            finally:
                engine.dispose()

            sent = time.monotonic()
            assert hub.publish(topic, body) == [202]
            alert = telegram.wait_for_sent(2, chat_id=CHAT, timeout=10)[1]
            took = time.monotonic() - sent
            assert TITLE in alert["text"]
            assert took < 5, f"pushed story alerted after {took:.1f} s"

            # The same story pushed again: one alert still.
            assert hub.publish(topic, body) == [202]
            time.sleep(2)
            assert len(telegram.sent(chat_id=CHAT)) == 2

            # Renewal before the 8 s lease ends, verified again.
            hub.wait_for(lambda: len(hub.checks) >= 2, timeout=10)
            renewal = hub.requests[1]
            assert renewal.form["hub.callback"] == first["hub.callback"]
            assert renewal.at < subscriber.verified_at + 8
            assert all(c.status == 200 and c.echoed for c in hub.checks)


@pytest.mark.parametrize(
    ("hub_options", "state"),
    [({"deny": True}, HubState.DENIED), ({"refuse": 500}, HubState.FAILED)],
    ids=["denied", "hub-error"],
)
def test_a_hub_that_says_no_leaves_the_feed_polled(
    tmp_path: Path,
    database_url: str,
    sec_table_path: Path,
    seed_article_path: Path,
    hub_options: dict[str, object],
    state: HubState,
) -> None:
    port = free_port()
    with FakeBotAPI() as telegram, FeedServer() as feeds, FakeHub(**hub_options) as hub:  # type: ignore[arg-type]
        topic = feeds.url("/deep.rss")
        feeds.set("/deep.rss", with_hub(EMPTY.encode(), hub.url, topic), etag='"e0"')
        env = env_for(tmp_path, telegram, topic, database_url, sec_table_path, port)
        with BotProcess(env, tmp_path, name="websub-no"):
            watch_amzn(telegram)
            hub.wait_for(lambda: hub.requests, timeout=30)
            if hub_options.get("deny"):
                hub.wait_for(lambda: hub.checks, timeout=10)
                assert hub.checks[0].mode == "denied"
                assert hub.checks[0].status == 200
            engine = open_engine(database_url)
            try:
                store = Store(engine)
                deadline = time.monotonic() + 10
                while True:
                    subs = [store.websub.get(sub_id=1)]
                    if subs[0] is not None and subs[0].state is state:
                        break
                    assert time.monotonic() < deadline, subs
                    time.sleep(0.1)
            finally:
                engine.dispose()

            # Polled as before (every second), and a new story alerts by polling.
            polls = feeds.hits("/deep.rss")
            feeds.set(
                "/deep.rss",
                with_hub(story_now(seed_article_path.read_bytes()), hub.url, topic),
                etag='"e1"',
            )
            alert = telegram.wait_for_sent(2, chat_id=CHAT, timeout=15)[1]
            assert TITLE in alert["text"]
            assert feeds.hits("/deep.rss") > polls
            assert len(hub.requests) == 1  # not asked again at once


def test_the_web_role_keeps_pushes_and_a_worker_alerts_them(
    tmp_path: Path, database_url: str, sec_table_path: Path, seed_article_path: Path
) -> None:
    """Several processes: the web role answers the hub and keeps the delivery (it has no
    match index); a worker subscribed, and alerts the story from its poll tick."""
    port = free_port()
    with FakeBotAPI() as telegram, FeedServer() as feeds, FakeHub() as hub:
        topic = feeds.url("/deep.rss")
        feeds.set("/deep.rss", with_hub(EMPTY.encode(), hub.url, topic), etag='"e0"')
        env = env_for(tmp_path, telegram, topic, database_url, sec_table_path, port)
        env["WEBHOOK_SECRET"] = SECRET
        # Both start on the empty database at once: one creates the schema, the other waits.
        with (
            BotProcess(env, tmp_path, name="web", role="web") as web,
            BotProcess(env, tmp_path, name="worker", role="worker") as worker,
        ):
            wait_until_listening(port)
            answer = httpx.post(
                f"http://127.0.0.1:{port}/telegram",
                content=command_update(1, "/watch AMZN"),
                headers={"Content-Type": "application/json", SECRET_HEADER: SECRET},
            )
            assert answer.status_code == 200
            telegram.wait_for_sent(1, chat_id=ROLES_CHAT, timeout=15)
            hub.wait_for(lambda: hub.verified(topic), timeout=30)

            body = with_hub(story_now(seed_article_path.read_bytes()), hub.url, topic)
            assert hub.publish(topic, body, forge=True) == [403]
            assert hub.publish(topic, body) == [202]
            alert = telegram.wait_for_sent(2, chat_id=ROLES_CHAT, timeout=15)[1]
            assert TITLE in alert["text"]
            assert "no match index in the web role" in web.log()
            assert "Traceback" not in web.log() + worker.log()


def test_a_feed_removed_from_the_catalogue_is_unsubscribed(
    tmp_path: Path, database_url: str, sec_table_path: Path, seed_article_path: Path
) -> None:
    port = free_port()
    with FakeBotAPI() as telegram, FeedServer() as feeds, FakeHub() as hub:
        topic = feeds.url("/deep.rss")
        feeds.set("/deep.rss", with_hub(EMPTY.encode(), hub.url, topic), etag='"e0"')
        feeds.set("/other.rss", EMPTY, etag='"o0"')
        env = env_for(tmp_path, telegram, topic, database_url, sec_table_path, port)
        with BotProcess(env, tmp_path, name="before"):
            hub.wait_for(lambda: hub.verified(topic), timeout=30)
        (tmp_path / "feeds.toml").write_text(
            f'[[feeds]]\nname = "Other"\nurl = "{feeds.url("/other.rss")}"\n'
        )
        with BotProcess(env, tmp_path, name="after"):
            hub.wait_for(lambda: not hub.verified(topic), timeout=30)
            (leave,) = [r.form for r in hub.requests if r.form["hub.mode"] == "unsubscribe"]
            assert leave["hub.topic"] == topic
            assert hub.checks[-1].mode == "unsubscribe"
            assert hub.checks[-1].echoed
            callback_url = leave["hub.callback"]
            body = with_hub(story_now(seed_article_path.read_bytes()), hub.url, topic)
            assert httpx.post(callback_url, content=body).status_code == 404
