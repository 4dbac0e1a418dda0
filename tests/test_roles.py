"""Process roles: the web role takes updates by webhook only with the secret and builds no
match index (it only writes subscriptions, which a worker follows through their revision); a
worker serves /healthz and /metrics. Real processes, real HTTP, the fake Telegram Bot API."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.app import Role, build_services
from bot.models import Kind
from bot.settings import Settings
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

SECRET = "s3cret-webhook-token-0123456789"
CHAT = 5151


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on port {port}")


def base_env(
    tmp_path: Path, telegram: FakeBotAPI, database_url: str, tickers: Path
) -> dict[str, str]:
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text('[[feeds]]\nname = "A"\nurl = "http://127.0.0.1:9/a.rss"\n')
    return {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "FEEDS_FILE": str(catalogue),
        "TICKERS_FILE": str(tickers),
    }


def command_update(update_id: int, text: str) -> str:
    """An update as Telegram posts it to a webhook."""
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": {"id": CHAT, "type": "private", "first_name": "Jane"},
                "from": {"id": CHAT, "is_bot": False, "first_name": "Jane"},
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
            },
        }
    )


def test_the_web_role_takes_updates_only_with_the_secret(
    tmp_path: Path, database_url: str, sec_table_path: Path
) -> None:
    port = free_port()
    with FakeBotAPI() as telegram:
        env = base_env(tmp_path, telegram, database_url, sec_table_path) | {
            "WEBHOOK_URL": "https://alerts.example.com",
            "WEBHOOK_SECRET": SECRET,
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
        }
        with BotProcess(env, tmp_path, name="web", role="web") as web:
            wait_until_listening(port)
            telegram.wait_for(
                lambda: any(c["method"] == "setWebhook" for c in telegram.calls), timeout=30
            )
            hook = next(c for c in telegram.calls if c["method"] == "setWebhook")
            assert hook["params"]["url"] == "https://alerts.example.com/telegram"
            assert hook["params"]["secret_token"] == SECRET

            url = f"http://127.0.0.1:{port}/telegram"
            json_type = {"Content-Type": "application/json"}
            missing = httpx.post(url, content=command_update(1, "/start"), headers=json_type)
            wrong = httpx.post(
                url,
                content=command_update(2, "/start"),
                headers=json_type | {"X-Telegram-Bot-Api-Secret-Token": "not-the-secret-at-all"},
            )
            assert missing.status_code == 403
            assert wrong.status_code == 403
            time.sleep(0.5)
            assert telegram.sent(chat_id=CHAT) == []

            right = httpx.post(
                url,
                content=command_update(3, "/start"),
                headers=json_type | {"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert right.status_code == 200
            (welcome,) = telegram.wait_for_sent(1, chat_id=CHAT, timeout=15)
            assert "/watch" in welcome["text"]

            # Subscriptions are written without a match index in this process.
            secret = json_type | {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            httpx.post(url, content=command_update(4, "/watch AMZN"), headers=secret)
            watching = telegram.wait_for_sent(2, chat_id=CHAT, timeout=15)[-1]
            assert "Watching AMZN" in watching["text"]
            assert "no match index in the web role" in web.log()
            assert "into the match index" not in web.log()


@pytest.mark.parametrize(
    ("role", "indexed"),
    [("all", True), ("web", False), ("worker", True)],
    ids=["all", "web", "worker"],
)
def test_only_the_roles_that_match_build_the_match_index(
    tmp_path: Path, database_url: str, sec_table_path: Path, role: Role, indexed: bool
) -> None:
    """At a million subscriptions the index costs half a minute and half a gigabyte: the web
    role, which matches nothing, builds none. Its changes reach a worker through the
    subscriptions' revision."""
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text('[[feeds]]\nname = "A"\nurl = "http://127.0.0.1:9/a.rss"\n')
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        data_dir=tmp_path / "data",
        feeds_file=catalogue,
        tickers_file=sec_table_path,
    )
    worker = build_services(settings, "worker")
    svc = build_services(settings, role)
    assert (svc.subscriptions.index is not None) is indexed

    svc.subscriptions.chat_seen(CHAT, "private", "Jane")
    (added,) = svc.subscriptions.watch(CHAT, ["AMZN"])
    assert added.value == "AMZN"
    if svc.subscriptions.index is not None:
        assert len(svc.subscriptions.index) == 1  # this process's index follows at once
    fresh = worker.subscriptions.reload_index_if_changed()
    assert fresh is not None
    assert len(fresh) == 1
    assert worker.subscriptions.reload_index_if_changed() is None  # nothing changed since
    for services in (svc, worker):
        services.store.engine.dispose()


def metric(text: str, name: str) -> float:
    """One sample's value from the Prometheus text format."""
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise AssertionError(f"{name} not in /metrics")


def test_a_worker_reports_health_and_metrics_that_move(
    tmp_path: Path, database_url: str, sec_table_path: Path
) -> None:
    port = free_port()
    engine = open_engine(database_url)
    migrate(engine)
    store = Store(engine)
    now = datetime.now(UTC)
    store.chats.upsert_chat(CHAT, "private", "Jane", now)
    store.subscriptions.add_subscription(CHAT, Kind.KEYWORD, "Trainium", now)
    engine.dispose()
    with FakeBotAPI() as telegram, FeedServer() as feeds:
        feeds.set("/a.rss", channel(""))
        env = base_env(tmp_path, telegram, database_url, sec_table_path) | {
            "HEALTH_PORT": str(port),
            "POLL_INTERVAL": "1",
            "FEEDS_FILE": str(catalogue(tmp_path, feeds.url("/a.rss"))),
        }
        with BotProcess(env, tmp_path, name="worker", role="worker"):
            wait_until_listening(port)
            health = httpx.get(f"http://127.0.0.1:{port}/healthz")
            assert health.status_code == 200
            assert health.json()["status"] == "ok"
            before = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            assert metric(before, "bot_outbox_pending") == 0

            deadline = time.monotonic() + 30
            while feeds.hits("/a.rss") == 0:  # the baseline poll
                assert time.monotonic() < deadline
                time.sleep(0.1)
            feeds.set("/a.rss", channel(ITEM))
            telegram.wait_for_sent(1, chat_id=CHAT, timeout=30)
            time.sleep(0.5)
            after = httpx.get(f"http://127.0.0.1:{port}/metrics").text
            assert metric(after, "bot_feed_polls_total") >= 2
            assert metric(after, "bot_articles_new_total") >= 1
            assert metric(after, "bot_matches_total") >= 1
            assert metric(after, "bot_alerts_queued_total") >= 1
            assert metric(after, "bot_alerts_sent_total") >= 1
            assert metric(after, "bot_send_latency_seconds_count") >= 1
            assert metric(after, "bot_outbox_pending") == 0
            # A worker fetches no updates: the web process is the one that does.
            assert not any(c["method"] == "getUpdates" for c in telegram.calls)


ITEM = (
    "<item><guid>t-1</guid><link>https://news.example.com/trainium</link>"
    "<title>Trainium chips ship</title><description>Amazon's Trainium chips ship.</description>"
    "</item>"
)


def channel(items: str) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        f"<link>https://news.example.com/</link>{items}</channel></rss>"
    )


def catalogue(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(f'[[feeds]]\nname = "News"\nurl = "{url}"\n', encoding="utf-8")
    return path
