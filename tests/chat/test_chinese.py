"""A user whose Telegram speaks Simplified Chinese, end to end: the real application, the fake
Bot API, a real database. The chat takes the language at first contact, every reply, menu,
button and alert is in Chinese, the command menu has a Chinese version, and /settings switches
to English and back.
"""

from __future__ import annotations

from pathlib import Path

from tests.chat.conftest import StartBot
from tests.chat.test_commands import USER, last_message, press
from tests.chat.test_snooze import _alert_story, _buttons
from tests.fakes.telegram_api import FakeBotAPI

ZH = "zh-hans"
ZH_DISCLAIMER = "测试免责声明：不构成投资建议。"


def say_as(telegram: FakeBotAPI, command: str, language_code: str = ZH) -> str:
    """Send a command as a user whose Telegram has `language_code`; the bot's next message."""
    before = len(telegram.sent(chat_id=USER))
    telegram.user_sends(command, chat_id=USER, user_id=USER, language_code=language_code)
    return str(telegram.wait_for_sent(before + 1, chat_id=USER)[-1]["text"])


def test_a_zh_hans_user_gets_start_help_watch_keyword_and_an_alert_in_chinese(
    start_bot: StartBot, telegram: FakeBotAPI, seed_article_path: Path
) -> None:
    bot = start_bot(disclaimer_zh=ZH_DISCLAIMER)
    welcome = say_as(telegram, "/start")
    assert "欢迎使用" in welcome
    assert ZH_DISCLAIMER in welcome
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert settings.lang == "zh_Hans"

    assert "关键词查询" in say_as(telegram, "/help")
    assert say_as(telegram, "/watch 英伟达") == (
        "“英伟达”即 NVDA（Nvidia）：已关注。\n以该公司为主题的消息才会提醒；/watch NVDA any "
        "可接收任何提及，/sources 和 /events 可选择来源和事件类型。"
    )
    subscriptions = bot.svc.store.subscriptions.chat_subscriptions(USER)
    assert [s.value for s in subscriptions] == ["NVDA"]
    assert "已关注关键词查询" in say_as(telegram, "/keyword 芯片")
    assert "“no such thing”不是推送方式" in say_as(telegram, "/settings mode no such thing")
    bad_query = say_as(telegram, "/keyword (chips")
    assert "不支持括号" in bad_query
    assert "示例：" in bad_query

    # An alert, rendered when sent, in the chat's language; the story's own text as published.
    before = len(telegram.sent(chat_id=USER))
    assert "AMZN" in say_as(telegram, "/watch AMZN")
    feed_id = bot.svc.store.feeds.feed_states()[0].feed.id
    assert feed_id is not None
    now = bot.svc.clock()
    bot.svc.store.articles.ingest(
        feed_id, [], now=now, etag=None, last_modified=None, next_poll_at=now
    )
    assert _alert_story(bot, seed_article_path, 1) == 1
    telegram.wait_for_sent(before + 2, chat_id=USER, timeout=15)
    alert = last_message(telegram)
    assert "匹配原因：" in alert["text"]
    assert ZH_DISCLAIMER in alert["text"]
    assert "Amazon" in alert["text"]  # the story's headline stays as it was published
    labels = [label for row in _buttons(alert["result"]) for label, _ in row]
    assert "屏蔽 $AMZN" in labels
    assert "暂停提醒" in labels


def test_settings_switch_to_english_and_back(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    assert "语言：简体中文" in say_as(telegram, "/settings")
    menu = last_message(telegram)
    page = press(telegram, menu, "set:lang")
    labels = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
    assert "English" in labels
    assert "✓ 简体中文" in labels
    english = press(telegram, menu, "set:lang=en")
    assert "Language: English" in english["text"]
    assert "Delivery: Instant" in english["text"]
    # The user's Telegram is still Chinese; the chat's choice wins from now on.
    assert "Watching NVDA" in say_as(telegram, "/watch NVDA")
    back = say_as(telegram, "/settings lang zh")
    assert back.startswith("已保存。")
    assert "语言：简体中文" in back
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert settings.lang == "zh_Hans"
    assert "我不会说“klingon”" in say_as(telegram, "/settings lang klingon")


def test_other_languages_start_in_english_and_the_menu_exists_in_chinese(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    assert "Welcome to Investor Alerts" in say_as(telegram, "/start", language_code="zh-hant")
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert settings.lang == "en"
    english = {c["command"]: c["description"] for c in telegram.commands_for()}
    chinese = {c["command"]: c["description"] for c in telegram.commands_for(language_code="zh")}
    assert english.keys() == chinese.keys()
    assert english["watch"].startswith("Watch tickers")
    assert chinese["watch"].startswith("关注股票代码")


def test_a_group_speaks_the_language_of_whoever_set_it_up(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    group = -1001
    telegram.add_chat(group, "supergroup", "投资群")
    telegram.set_member_status(group, USER, "creator")
    telegram.user_sends(
        "/start",
        chat_id=group,
        user_id=USER,
        chat_type="supergroup",
        chat_title="投资群",
        language_code="zh-cn",
    )
    (welcome,) = telegram.wait_for_sent(1, chat_id=group)
    assert "欢迎使用" in welcome["text"]
    # Another member whose Telegram is English does not change the group's language.
    telegram.user_sends(
        "/help",
        chat_id=group,
        user_id=USER + 1,
        chat_type="supergroup",
        chat_title="投资群",
        language_code="en",
    )
    _, helped = telegram.wait_for_sent(2, chat_id=group)
    assert "关键词查询" in helped["text"]
    settings = bot.svc.store.chats.chat_settings(group)
    assert settings is not None
    assert settings.lang == "zh_Hans"


def test_a_channel_speaks_the_language_of_whoever_set_it_up(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    channel = -1009876543210
    telegram.add_chat(channel, "channel", "芯片观察", username="chipwatch")
    telegram.set_member_status(channel, telegram.bot_user["id"], "administrator")
    telegram.set_member_status(channel, USER, "creator")
    assert "正在设置 芯片观察" in say_as(telegram, "/channel @chipwatch")
    settings = bot.svc.store.chats.chat_settings(channel)
    assert settings is not None
    assert settings.lang == "zh_Hans"
