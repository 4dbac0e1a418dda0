"""A crash in the middle of a fan-out: the real bot, killed with SIGKILL while delivering 1,000
alerts, then restarted; the fake Bot API must have received each of them exactly once."""

from __future__ import annotations

import time
from pathlib import Path

from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.delivery.conftest import NOW, queue_alerts, store_articles
from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI, iter_texts

CHATS = range(7001, 7501)  # 500 private chats x 2 alerts
PER_CHAT = 2
TOTAL = len(CHATS) * PER_CHAT
EMPTY = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title>'
    "<link>https://news.example.com/</link><description>x</description></channel></rss>"
)


def fill_outbox(database_url: str) -> None:
    engine = open_engine(database_url)
    migrate(engine)
    store = Store(engine)
    ids = store_articles(store, PER_CHAT)
    for chat in CHATS:
        queue_alerts(store, chat, ids, now=NOW)
    engine.dispose()


def test_sigkill_mid_fan_out_then_restart_delivers_each_alert_exactly_once(
    tmp_path: Path, database_url: str, sec_table_path: Path
) -> None:
    fill_outbox(database_url)
    with FakeBotAPI() as telegram, FeedServer() as feeds:
        feeds.set("/a.rss", EMPTY)
        catalogue = tmp_path / "feeds.toml"
        catalogue.write_text(f'[[feeds]]\nname = "A"\nurl = "{feeds.url("/a.rss")}"\n')
        env = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.url,
            "DATABASE_URL": database_url,
            "DATA_DIR": str(tmp_path / "data"),
            "FEEDS_FILE": str(catalogue),
            "TICKERS_FILE": str(sec_table_path),
            "ALLOW_PRIVATE_FEEDS": "true",
            "DELIVERY_INTERVAL": "0.2",
            "MAX_MESSAGES_PER_SECOND": "1000",
            "PTB_TIMEDELTA": "1",
        }
        # Slow answers keep many sends in flight, so the kill lands in the middle of them.
        telegram.set_delay(0.02, "sendMessage")
        first = BotProcess(env, tmp_path, name="first").start()
        try:
            telegram.wait_for(lambda: sum(telegram.accepted.values()) >= TOTAL // 3, timeout=60)
        finally:
            first.kill()
        at_kill = sum(telegram.accepted.values())
        assert at_kill < TOTAL, "the kill came too late to test anything"

        with BotProcess(env, tmp_path, name="second"):
            try:
                telegram.wait_for(lambda: sum(telegram.accepted.values()) >= TOTAL, timeout=30)
            except AssertionError:
                engine = open_engine(database_url)
                counts = Store(engine).outbox.delivery_counts()
                engine.dispose()
                raise AssertionError(
                    f"accepted {sum(telegram.accepted.values())} (at kill {at_kill}); {counts}"
                ) from None
            time.sleep(1.5)  # anything sent twice would arrive now
        accepted = telegram.accepted
        assert {chat: accepted.get(chat, 0) for chat in CHATS} == dict.fromkeys(CHATS, PER_CHAT)
        alerts = [(r["chat_id"], t) for r in telegram.sent() for t in iter_texts([r])]
        alerts = [(chat, t) for chat, t in alerts if t.startswith("$AMZN · Example Wire\nStory")]
        assert len(alerts) == len(set(alerts)) == TOTAL
