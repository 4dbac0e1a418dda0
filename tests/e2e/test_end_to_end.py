"""A user subscribes in Telegram and receives exactly one alert, across polls and restarts.

Real parts only: the bot runs as `python -m bot run` in its own process, talks HTTP to a fake
Telegram Bot API and polls feeds from a real HTTP server, both on 127.0.0.1, and keeps its state
in a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.bot_process import BotProcess
from tests.fakes.feed_server import FeedServer
from tests.fakes.telegram_api import FakeBotAPI

CHAT = 424242
DISCLAIMER = "Test disclaimer: this is not investment advice."
EMPTY_CHANNEL = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
    "<title>{title}</title><link>https://news.example.com/</link>"
    "<description>Market news</description></channel></rss>"
)


def dated_now(seed: bytes, guid_suffix: str = "") -> bytes:
    """The example article, published now (and with another GUID for a second outlet)."""
    text = seed.decode("utf-8")
    now = email.utils.format_datetime(datetime.now(UTC))
    text = text.replace("Wed, 03 Dec 2025 09:12:00 +0000", now)
    text = text.replace("deepnews-2026-12-03-amzn-trainium", "deepnews-amzn" + guid_suffix)
    return text.encode("utf-8")


@pytest.fixture
def servers() -> Iterator[tuple[FakeBotAPI, FeedServer]]:
    with FakeBotAPI() as telegram, FeedServer() as feeds:
        yield telegram, feeds


def bot_env(
    tmp_path: Path, telegram: FakeBotAPI, feeds: FeedServer, database_url: str, tickers: Path
) -> dict[str, str]:
    catalogue = tmp_path / "feeds.toml"
    catalogue.write_text(
        f'[[feeds]]\nname = "Deep News"\nurl = "{feeds.url("/a.rss")}"\n\n'
        f'[[feeds]]\nname = "Other Wire"\nurl = "{feeds.url("/b.rss")}"\n',
        encoding="utf-8",
    )
    return {
        "BOT_TOKEN": telegram.token,
        "TELEGRAM_API_URL": telegram.url,
        "DATABASE_URL": database_url,
        "DATA_DIR": str(tmp_path / "data"),
        "FEEDS_FILE": str(catalogue),
        "POLL_INTERVAL": "1",
        "DELIVERY_INTERVAL": "0.2",
        "TICKERS_FILE": str(tickers),
        "DISCLAIMER": DISCLAIMER,
        "ALLOW_PRIVATE_FEEDS": "true",
    }


def buttons(telegram: FakeBotAPI, message_id: int) -> list[dict[str, str]]:
    """The inline buttons an alert shows now (after any edits)."""
    (message,) = [m for m in telegram.chat_messages(CHAT) if m["message_id"] == message_id]
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [b for row in rows for b in row]


def button_labels(telegram: FakeBotAPI, message_id: int) -> list[str]:
    return [b["text"] for b in buttons(telegram, message_id)]


def button(telegram: FakeBotAPI, message_id: int, label: str) -> str:
    (data,) = [b["callback_data"] for b in buttons(telegram, message_id) if b["text"] == label]
    return data


def wait_for_polls(feeds: FeedServer, paths: list[str], more: int, timeout: float = 20.0) -> None:
    """Wait until every feed in `paths` was fetched `more` more times."""
    targets = {p: feeds.hits(p) + more for p in paths}
    deadline = time.monotonic() + timeout
    while any(feeds.hits(p) < n for p, n in targets.items()):
        counts = {p: feeds.hits(p) for p in paths}
        assert time.monotonic() < deadline, f"feeds not polled: {counts}"
        time.sleep(0.05)


def test_a_user_subscribes_and_receives_exactly_one_alert(
    tmp_path: Path,
    servers: tuple[FakeBotAPI, FeedServer],
    database_url: str,
    sec_table_path: Path,
    seed_article_path: Path,
) -> None:
    telegram, feeds = servers
    feeds.set("/a.rss", EMPTY_CHANNEL.format(title="Deep News"), etag='"a-empty"')
    feeds.set("/b.rss", EMPTY_CHANNEL.format(title="Other Wire"), etag='"b-empty"')
    env = bot_env(tmp_path, telegram, feeds, database_url, sec_table_path)
    paths = ["/a.rss", "/b.rss"]

    with BotProcess(env, tmp_path):
        telegram.wait_for(lambda: telegram.commands is not None, timeout=30)
        assert {c["command"] for c in telegram.commands or []} >= {
            "start",
            "help",
            "watch",
            "keyword",
            "remove",
            "list",
        }
        wait_for_polls(feeds, paths, 1)  # the first fetch is a baseline

        telegram.user_sends("/start", chat_id=CHAT, user_id=CHAT)
        (welcome,) = telegram.wait_for_sent(1, chat_id=CHAT)
        assert DISCLAIMER in welcome["text"]
        assert "/watch" in welcome["text"]

        telegram.user_sends("/watch AMZN", chat_id=CHAT, user_id=CHAT)
        replies = telegram.wait_for_sent(2, chat_id=CHAT)
        assert "AMZN" in replies[1]["text"]

        # Both outlets carry the same story (same link, different GUIDs).
        seed = seed_article_path.read_bytes()
        feeds.set("/a.rss", dated_now(seed), etag='"a-1"')
        feeds.set("/b.rss", dated_now(seed, "-wire"), etag='"b-1"')
        messages = telegram.wait_for_sent(3, chat_id=CHAT, timeout=30)
        alert = messages[2]["text"]
        assert "Amazon CEO Reveals Over 1 Million Trainium Chips in Production" in alert
        assert "https://news.example.com/markets/amazon-trainium-1-million-chips" in alert
        assert "utm_source" not in alert
        assert "AMZN" in alert
        # The disclaimer, complete, closes what the user sees.
        assert messages[2]["result"]["text"].rstrip().endswith(DISCLAIMER)

        wait_for_polls(feeds, paths, 3)
        time.sleep(0.5)  # a last chance for a duplicate to be sent
        assert len(telegram.sent(chat_id=CHAT)) == 3

        # "Mute $AMZN" pauses the subscription and turns into Undo; Undo turns it back.
        alert_id = messages[2]["result"]["message_id"]
        mute = button(telegram, alert_id, "Mute $AMZN")
        telegram.press_button(messages[2], mute)
        telegram.wait_for(lambda: button_labels(telegram, alert_id).count("Undo") == 1)
        assert any("Muted $AMZN" in a.get("text", "") for a in telegram.callback_answers)
        telegram.press_button(messages[2], button(telegram, alert_id, "Undo"))
        telegram.wait_for(lambda: "Mute $AMZN" in button_labels(telegram, alert_id))

    with BotProcess(env, tmp_path, name="bot-restarted"):
        wait_for_polls(feeds, paths, 3, timeout=40)
        time.sleep(1.0)
        texts = [m["text"] for m in telegram.sent(chat_id=CHAT)]
        assert len(texts) == 3, texts
        assert telegram.accepted_count(CHAT) == 3


def test_bad_commands_get_a_clear_answer_with_an_example(
    tmp_path: Path,
    servers: tuple[FakeBotAPI, FeedServer],
    database_url: str,
    sec_table_path: Path,
) -> None:
    telegram, feeds = servers
    feeds.set("/a.rss", EMPTY_CHANNEL.format(title="Deep News"))
    feeds.set("/b.rss", EMPTY_CHANNEL.format(title="Other Wire"))
    env = bot_env(tmp_path, telegram, feeds, database_url, sec_table_path)
    with BotProcess(env, tmp_path):
        telegram.wait_for(lambda: telegram.commands is not None, timeout=30)
        steps = [
            ("/watch", "/watch AMZN"),  # missing argument: an example
            ("/watch APPL", "AAPL"),  # a typo: a suggestion
            ("/watch ZZZZQQ", "ZZZZQQ"),  # unknown: refused with the reason
            ("/keyword", "/keyword"),
            ('/keyword "AI chips', '"'),  # unbalanced quote: where, with an example
            ("/remove NVDA", "NVDA"),  # not watched
            ("/frobnicate", "/help"),
            ("/watch AMZN NVDA", "NVDA"),
            ("/keyword Trainium", "Trainium"),
            ("/list", "Trainium"),
            ("/remove AMZN", "AMZN"),
            ("/help", "/keyword"),
        ]
        for number, (command, expected) in enumerate(steps, start=1):
            telegram.user_sends(command, chat_id=CHAT, user_id=CHAT)
            answer = telegram.wait_for_sent(number, chat_id=CHAT)[-1]["text"]
            assert expected.lower() in answer.lower(), (command, answer)
        listing = telegram.sent(chat_id=CHAT)[9]["text"]
        assert "AMZN" in listing
        assert "NVDA" in listing
        telegram.user_sends("/list", chat_id=CHAT, user_id=CHAT)
        final = telegram.wait_for_sent(len(steps) + 1, chat_id=CHAT)[-1]["text"]
        assert "NVDA" in final
        assert "AMZN" not in final
