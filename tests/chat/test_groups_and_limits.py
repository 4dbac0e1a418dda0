"""Groups (only administrators change things; forum topics), the command rate limit, and
channels set up from a private chat."""

from __future__ import annotations

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
