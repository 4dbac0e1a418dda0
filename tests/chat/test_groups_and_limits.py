"""Groups (only administrators change things; forum topics), the command rate limit, and the
pure parts: settings values, import files."""

from __future__ import annotations

import json

import pytest

from bot.chat.data import FORMAT, ImportRefused, read_import
from bot.chat.ratelimit import RateLimiter
from bot.chat.settings_menu import parse_setting
from bot.delivery.preferences import PreferenceError
from bot.matching.tickers import TickerUniverse
from bot.models import DeliveryMode
from tests.chat.conftest import StartBot
from tests.fakes.telegram_api import FakeBotAPI

GROUP = -1001234567890
MEMBER = 5001
ADMIN = 5002


def test_only_group_administrators_change_subscriptions(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    telegram.add_chat(GROUP, "supergroup", "Traders", is_forum=True)
    telegram.set_member_status(GROUP, ADMIN, "administrator")
    telegram.user_sends("/watch AMZN", chat_id=GROUP, user_id=MEMBER, chat_type="supergroup")
    (refusal,) = telegram.wait_for_sent(1, chat_id=GROUP)
    assert "only this group's administrators" in refusal["text"]
    assert bot.svc.store.subscriptions.chat_subscriptions(GROUP) == []
    # Reading is for everyone.
    telegram.user_sends("/list", chat_id=GROUP, user_id=MEMBER, chat_type="supergroup")
    assert "watches nothing" in telegram.wait_for_sent(2, chat_id=GROUP)[-1]["text"]

    telegram.user_sends(
        "/watch AMZN", chat_id=GROUP, user_id=ADMIN, chat_type="supergroup", message_thread_id=77
    )
    assert "Watching AMZN" in telegram.wait_for_sent(3, chat_id=GROUP)[-1]["text"]
    assert [s.value for s in bot.svc.store.subscriptions.chat_subscriptions(GROUP)] == ["AMZN"]
    settings = bot.svc.store.chats.chat_settings(GROUP)
    assert settings is not None
    assert settings.thread_id == 77  # alerts go to the topic where the bot was set up
    checks = [c for c in telegram.calls if c["method"] == "getChatMember"]
    assert {c["params"]["user_id"] for c in checks} == {MEMBER, ADMIN}


def test_one_chat_cannot_flood_the_bot(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    start_bot(command_rate_limit=3)
    for _ in range(6):
        telegram.user_sends("/help", chat_id=42, user_id=42)
    telegram.user_sends("/help", chat_id=43, user_id=43)  # another chat is not affected
    telegram.wait_for_sent(1, chat_id=43)
    texts = [m["text"] for m in telegram.wait_for_sent(4, chat_id=42)]
    telegram.wait_for(lambda: not telegram.pending_updates, timeout=5)
    texts = [m["text"] for m in telegram.sent(chat_id=42)]
    assert len(texts) == 4, texts  # three answers, one "please wait", then silence
    assert "Please wait" in texts[3]


def test_rate_limiter_window_slides() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == ["ok", "ok", "warn", "drop"]
    assert limiter.check(2) == "ok"
    now[0] = 61.0
    assert limiter.check(1) == "ok"


def test_rate_limiter_forgets_idle_chats() -> None:
    now = [0.0]
    limiter = RateLimiter(2, window=60, clock=lambda: now[0], forget_at=100)
    for chat in range(99):
        limiter.check(chat)
    now[0] = 30.0
    assert [limiter.check(1000) for _ in range(3)] == ["ok", "ok", "warn"]
    assert len(limiter) == 100
    now[0] = 61.0
    assert limiter.check(2000) == "ok"  # 100 remembered: the 99 idle for a window are forgotten
    assert len(limiter) == 2
    assert limiter.check(1000) == "drop"  # still inside its window, and already warned
    now[0] = 62.0
    for chat in range(3000, 3098):
        limiter.check(chat)
    assert limiter.check(4000) == "ok"  # 100 remembered, none idle: all kept
    assert len(limiter) == 101
    assert limiter.check(1000) == "drop"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("mode", "Daily", {"delivery_mode": DeliveryMode.DAILY}),
        ("digest", "7.30", {"digest_time": "07:30"}),
        ("tz", "asia/tokyo", {"timezone": "Asia/Tokyo"}),
        ("quiet", "22:00-07:00", {"quiet_start": "22:00", "quiet_end": "07:00"}),
        ("quiet", "off", {"quiet_start": None, "quiet_end": None}),
        ("rate", "10", {"max_per_hour": 10}),
        ("rate", "off", {"max_per_hour": None}),
        ("previews", "on", {"link_previews": True}),
        ("lang", "en", {"lang": "en"}),
    ],
    ids=[
        "mode",
        "digest",
        "timezone",
        "quiet",
        "quiet-off",
        "rate",
        "rate-off",
        "previews",
        "lang",
    ],
)
def test_settings_values(name: str, value: str, expected: dict[str, object]) -> None:
    assert parse_setting(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("mode", "weekly"),
        ("digest", "25:00"),
        ("timezone", "Mars/Base"),
        ("rate", "-3"),
        ("previews", "maybe"),
        ("lang", "xx"),
        ("colour", "blue"),
    ],
    ids=["mode", "digest", "timezone", "rate", "previews", "lang", "unknown-setting"],
)
def test_bad_settings_values_say_why(name: str, value: str) -> None:
    with pytest.raises(PreferenceError) as raised:
        parse_setting(name, value)
    assert str(raised.value)


def _file(**changes: object) -> bytes:
    document: dict[str, object] = {
        "format": FORMAT,
        "version": 1,
        "subscriptions": [{"kind": "ticker", "value": "AMZN", "muted": False}],
        "settings": {"mode": "daily"},
    }
    document.update(changes)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json at all", "not a JSON file"),
        (b"\xff\xfe", "not a JSON file"),
        (json.dumps({"hello": 1}).encode(), "not an export"),
        (_file(version=9), "version 9"),
        (_file(subscriptions={"AMZN": 1}), "wrong shape"),
        (_file(subscriptions=[{"kind": "ticker", "value": "ZZZZQQ"}]), "ZZZZQQ"),
        (_file(subscriptions=[{"kind": "keyword", "value": '"AI chips'}]), "subscription 1"),
        (_file(subscriptions=[{"kind": "crypto", "value": "BTC"}]), "neither"),
        (_file(subscriptions=[{"kind": "ticker"}]), "subscription 1"),
        (_file(settings={"timezone": "Mars/Base"}), "timezone"),
        (_file(settings={"colour": "blue"}), "colour"),
        (_file(subscriptions=[{"kind": "ticker", "value": "AMZN"}] * 3), "at most 2"),
        (b" " * (300 * 1024), "larger than"),
    ],
    ids=[
        "not-json",
        "not-utf8",
        "other-format",
        "version",
        "subscriptions-shape",
        "unknown-ticker",
        "bad-query",
        "bad-kind",
        "missing-value",
        "bad-setting-value",
        "unknown-setting",
        "over-the-limit",
        "too-large",
    ],
)
def test_malformed_imports_are_refused_with_the_reason(
    universe: TickerUniverse, raw: bytes, reason: str
) -> None:
    with pytest.raises(ImportRefused, match=reason):
        read_import(raw, universe, limit=2)


def test_a_good_import_is_read(universe: TickerUniverse) -> None:
    subs, changes = read_import(_file(), universe, limit=2)
    assert [(s.kind.value, s.value, s.muted) for s in subs] == [("ticker", "AMZN", False)]
    assert changes == {"delivery_mode": DeliveryMode.DAILY}


CHANNEL = -1009876543210
OWNER = 5003


def test_a_channel_is_set_up_from_a_private_chat(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    telegram.add_chat(CHANNEL, "channel", "Chip Watch", username="chipwatch")

    def say(command: str, count: int) -> str:
        telegram.user_sends(command, chat_id=OWNER, user_id=OWNER)
        return str(telegram.wait_for_sent(count, chat_id=OWNER)[-1]["text"])

    assert "/channel" in say("/channel", 1)  # no name: how to use it
    assert "can't reach" in say("/channel @nosuchchannel", 2)
    # The bot is not an administrator of the channel yet.
    assert "Chip Watch" in say("/channel @chipwatch", 3)
    assert bot.svc.store.chats.chat_settings(CHANNEL) is None
    telegram.set_member_status(CHANNEL, telegram.bot_user["id"], "administrator")
    # The user is not one either.
    assert "Only administrators of Chip Watch" in say("/channel @chipwatch", 4)
    telegram.set_member_status(CHANNEL, OWNER, "creator")
    assert "Chip Watch" in say("/channel @chipwatch", 5)

    # From now on this private chat's commands set up the channel.
    assert "NVDA" in say("/watch NVDA", 6)
    assert [s.value for s in bot.svc.store.subscriptions.chat_subscriptions(CHANNEL)] == ["NVDA"]
    assert bot.svc.store.subscriptions.chat_subscriptions(OWNER) == []
    assert "Back to this chat" in say("/channel off", 7)
    assert "AMZN" in say("/watch AMZN", 8)
    assert [s.value for s in bot.svc.store.subscriptions.chat_subscriptions(OWNER)] == ["AMZN"]
    assert [s.value for s in bot.svc.store.subscriptions.chat_subscriptions(CHANNEL)] == ["NVDA"]
