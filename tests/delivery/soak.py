"""The exactly-once soak: the real bot (`python -m bot run`) delivering a fan-out through a fake
Bot API that answers badly at random, killed with SIGKILL several times on the way.

In: a `Soak` (how many chats and stories, how many chats take a digest instead, the chaos, the
kills), a folder, a database URL and a SEC ticker file. Out: a `SoakResult`: per chat, what
arrived (each story counted across the chat's messages), lost and duplicated stories, and the
figures (time, faults drawn, answers lost). Used by tests/delivery/test_soak.py (a size that
keeps CI short) and bench/soak.py (a larger run). Raises AssertionError (with the bot's log
printed) when the outbox does not drain in time.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from bot.clock import utc_now
from bot.models import DeliveryStatus
from bot.storage.db import migrate, open_engine
from bot.storage.store import Store
from tests.delivery.conftest import queue_alerts, store_articles
from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import Chaos, FakeBotAPI

FIRST_CHAT = 20_001
STORY = re.compile(r"Story (\d+) about Amazon")
EMPTY_FEED = (
    '<?xml version="1.0"?><rss version="2.0"><channel><title>Empty</title>'
    "<link>https://news.example.com/</link><description>x</description></channel></rss>"
)
DONE = {DeliveryStatus.SENT.value, DeliveryStatus.DIGESTED.value}


@dataclass(frozen=True)
class Soak:
    chats: int = 200  # private chats, each alerted to every story
    stories: int = 3
    digest_chats: int = 20  # more chats, in hourly digest mode: one digest of every story
    kills: int = 3  # SIGKILLs during the fan-out
    chaos: Chaos = field(
        default_factory=lambda: Chaos(
            seed=7,
            too_many=0.05,
            bad_gateway=0.05,
            slow=0.10,
            lost=0.03,
            late_bad_gateway=0.02,
        )
    )
    timeout: float = 90.0  # seconds for the outbox to drain after the last kill

    @property
    def alert_chats(self) -> range:
        return range(FIRST_CHAT, FIRST_CHAT + self.chats)

    @property
    def digest_chat_ids(self) -> range:
        start = FIRST_CHAT + self.chats
        return range(start, start + self.digest_chats)

    @property
    def messages(self) -> int:
        return self.chats * self.stories + self.digest_chats


@dataclass
class SoakResult:
    messages: dict[int, int]  # bot messages per chat
    stories: dict[int, Counter[int]]  # per chat: how often each story arrived
    expected_stories: int
    seconds: float
    kills: int
    chaos_counts: dict[str, int]
    lost_answers: int

    @property
    def lost(self) -> int:
        return sum(
            1 for c in self.stories.values() for n in range(self.expected_stories) if not c[n]
        )

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for c in self.stories.values() for n in c.values() if n > 1)


def fill(soak: Soak, database_url: str) -> None:
    """Queue every alert: the digest chats' an hour before the hour started."""
    engine = open_engine(database_url)
    migrate(engine)
    store = Store(engine)
    ids = store_articles(store, soak.stories)
    now = utc_now()
    for chat in soak.alert_chats:
        queue_alerts(store, chat, ids, now=now)
    for chat in soak.digest_chat_ids:
        queue_alerts(store, chat, ids, now=now - timedelta(hours=2))
        store.chats.update_chat_settings(chat, delivery_mode="hourly")
    engine.dispose()


def drained(database_url: str) -> dict[str, int]:
    engine = open_engine(database_url)
    try:
        return Store(engine).outbox.delivery_counts()
    finally:
        engine.dispose()


def run_soak(soak: Soak, workdir: Path, database_url: str, tickers_file: Path) -> SoakResult:
    """Fill the outbox, run the bot through the kills until it drains; see the docstring."""
    fill(soak, database_url)
    started = time.monotonic()
    with FakeBotAPI() as telegram, FeedServer() as feeds:
        feeds.set("/a.rss", EMPTY_FEED)
        catalogue = workdir / "feeds.toml"
        catalogue.write_text(f'[[feeds]]\nname = "A"\nurl = "{feeds.url("/a.rss")}"\n')
        env = {
            "BOT_TOKEN": telegram.token,
            "TELEGRAM_API_URL": telegram.url,
            "DATABASE_URL": database_url,
            "DATA_DIR": str(workdir / "data"),
            "FEEDS_FILE": str(catalogue),
            "TICKERS_FILE": str(tickers_file),
            "ALLOW_PRIVATE_FEEDS": "true",
            "DELIVERY_INTERVAL": "0.2",
            "MAX_MESSAGES_PER_SECOND": "1000",
            "PTB_TIMEDELTA": "1",
        }
        telegram.set_chaos(soak.chaos)
        for kill in range(1, soak.kills + 1):
            life = BotProcess(env, workdir, name=f"life{kill}").start()
            goal = soak.messages * kill // (soak.kills + 1)
            try:
                telegram.wait_for(lambda g=goal: sum(telegram.accepted.values()) >= g, timeout=60)
            finally:
                life.kill()
        with BotProcess(env, workdir, name="last"):
            deadline = time.monotonic() + soak.timeout
            while set(counts := drained(database_url)) - DONE:
                if time.monotonic() > deadline:
                    raise AssertionError(f"the outbox did not drain: {counts}")
                time.sleep(0.3)
            seconds = time.monotonic() - started
            time.sleep(1.5)  # anything sent twice would arrive now
        return _result(soak, telegram, seconds)


def _result(soak: Soak, telegram: FakeBotAPI, seconds: float) -> SoakResult:
    chats = [*soak.alert_chats, *soak.digest_chat_ids]
    shown = {chat: telegram.chat_messages(chat) for chat in chats}
    return SoakResult(
        messages={chat: len(messages) for chat, messages in shown.items()},
        stories={
            chat: Counter(int(n) for m in messages for n in STORY.findall(m.get("text", "")))
            for chat, messages in shown.items()
        },
        expected_stories=soak.stories,
        seconds=seconds,
        kills=soak.kills,
        chaos_counts=dict(telegram.chaos_counts),
        lost_answers=telegram.lost_answers,
    )
