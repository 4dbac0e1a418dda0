"""Chat commands end to end: the real application, real HTTP, the fake Bot API, a real database.

Each test runs the bot once and walks through several commands: the happy path and one bad input
each, button presses (the message is edited in place), deep links, files in and out.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from bot.matching.detect import detect_tickers
from bot.models import Article, DeliveryMode, Kind
from bot.storage.schema import chats
from tests.chat.conftest import OPERATOR, ChatBot, StartBot, seed_articles, store_articles
from tests.fakes.telegram_api import FakeBotAPI

USER = 4242


def say(telegram: FakeBotAPI, command: str, chat_id: int = USER, user_id: int = USER) -> str:
    """Send a command and return the bot's next message in that chat."""
    before = len(telegram.sent(chat_id=chat_id))
    telegram.user_sends(command, chat_id=chat_id, user_id=user_id)
    return str(telegram.wait_for_sent(before + 1, chat_id=chat_id)[-1]["text"])


def last_message(telegram: FakeBotAPI, chat_id: int = USER) -> dict:  # type: ignore[type-arg]
    return telegram.sent(chat_id=chat_id)[-1]


def press(telegram: FakeBotAPI, message: dict, data: str, user_id: int = USER) -> dict:  # type: ignore[type-arg]
    """Press a button and wait until the bot edited that message; return it as shown now."""
    chat_id = message["result"]["chat"]["id"]
    message_id = message["result"]["message_id"]

    def current() -> dict:  # type: ignore[type-arg]
        return next(m for m in telegram.chat_messages(chat_id) if m["message_id"] == message_id)

    before = current()
    telegram.press_button(message, data, user_id=user_id)
    telegram.wait_for(lambda: current() != before)
    return current()


def test_deep_link_watch_list_and_remove_button(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    telegram.user_sends("/start watch-AMZN-NVDA", chat_id=USER, user_id=USER)
    welcome, subscribed = telegram.wait_for_sent(2, chat_id=USER)
    assert "Test disclaimer." in welcome["text"]
    assert "AMZN" in subscribed["text"]
    assert "NVDA" in subscribed["text"]
    assert {s.value for s in bot.svc.store.subscriptions.chat_subscriptions(USER)} == {
        "AMZN",
        "NVDA",
    }

    assert "MSFT" in say(telegram, "/watch microsoft")
    # A typo: a suggestion with a button that subscribes.
    assert "AAPL" in say(telegram, "/watch APPL")
    count = len(telegram.sent(chat_id=USER))
    telegram.press_button(last_message(telegram), "watch:AAPL", user_id=USER)
    assert "Watching AAPL" in telegram.wait_for_sent(count + 1, chat_id=USER)[-1]["text"]
    assert "ZZZZQQ" in say(telegram, "/watch ZZZZQQ")

    listing = say(telegram, "/list")
    assert "Amazon" in listing
    message = last_message(telegram)
    nvda = next(
        s for s in bot.svc.store.subscriptions.chat_subscriptions(USER) if s.value == "NVDA"
    )
    edited = press(telegram, message, f"rm:{nvda.id}")
    assert "NVDA" not in edited["text"]
    assert "AMZN" in edited["text"]
    assert "NVDA" not in {s.value for s in bot.svc.store.subscriptions.chat_subscriptions(USER)}


def test_settings_menu_edits_itself_and_refuses_bad_values(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    assert "Delivery: Instant" in say(telegram, "/settings")
    menu = last_message(telegram)
    page = press(telegram, menu, "set:mode")
    assert "How should alerts arrive" in page["text"]
    main = press(telegram, menu, "set:mode=daily")
    assert "Delivery: Daily digest" in main["text"]
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert settings.delivery_mode is DeliveryMode.DAILY
    # Every press edited the same message: no new messages were sent.
    assert len(telegram.sent(chat_id=USER)) == 1

    assert "Europe/Berlin" in say(telegram, "/settings timezone europe/berlin")
    refused = say(telegram, "/settings timezone Mars/Olympus")
    assert "time zone" in refused
    assert "22:00" in say(telegram, "/settings quiet 22:00-07:00")
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert (settings.timezone, settings.quiet_start) == ("Europe/Berlin", "22:00")

    assert "paused" in say(telegram, "/pause")
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert settings.paused_at is not None
    assert "not sent" in say(telegram, "/resume")
    assert "not paused" in say(telegram, "/resume")


def test_test_and_trend_look_at_recent_articles(
    start_bot: StartBot, telegram: FakeBotAPI, seed_article_path: Path
) -> None:
    bot = start_bot()
    now = bot.svc.clock()
    (article,) = seed_articles(seed_article_path)
    store_articles(
        bot.svc.store,
        [(now - timedelta(hours=1), article), (now - timedelta(days=3), article)]
        + [(now - timedelta(days=5, minutes=n), article) for n in range(3)],
    )
    found = say(telegram, "/test Trainium")
    assert "1 of the last 24 hours' 1 articles" in found
    assert "Trainium Chips" in found
    assert "/keyword trainium" in found
    assert "match" in say(telegram, "/test $NVDA")
    assert "can't read" in say(telegram, '/test "AI chips')

    telegram.user_sends("/trend amzn", chat_id=USER, user_id=USER)
    (photo,) = telegram.wait_for_sent(1, chat_id=USER, method="sendPhoto", timeout=20)
    png = photo["files"]["photo"]["content"]
    assert png.startswith(b"\x89PNG")
    assert "AMZN: 5 articles" in photo["text"]
    assert "Trainium" in photo["text"]
    assert "ZZZZQQ" in say(telegram, "/trend ZZZZQQ")


def test_export_import_and_a_malformed_file(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    say(telegram, "/watch AMZN")
    say(telegram, "/keyword Trainium")
    say(telegram, "/settings mode hourly")
    telegram.user_sends("/export", chat_id=USER, user_id=USER)
    (exported,) = telegram.wait_for_sent(1, chat_id=USER, method="sendDocument")
    document = json.loads(exported["files"]["document"]["content"])
    assert {s["value"] for s in document["subscriptions"]} == {"AMZN", "trainium"}
    assert document["settings"]["mode"] == "hourly"

    before = bot.svc.store.subscriptions.subscription_states(USER)
    broken = json.dumps({**document, "subscriptions": [{"kind": "ticker", "value": "ZZZZQQ"}]})
    count = len(telegram.sent(chat_id=USER))
    telegram.send_document_from_user(
        broken.encode(), "alerts.json", chat_id=USER, user_id=USER, caption="/import"
    )
    refused = telegram.wait_for_sent(count + 1, chat_id=USER)[-1]["text"]
    assert "nothing was changed" in refused
    assert "ZZZZQQ" in refused
    assert bot.svc.store.subscriptions.subscription_states(USER) == before

    document["subscriptions"] = [{"kind": "ticker", "value": "NVDA", "muted": False}]
    document["settings"]["timezone"] = "Asia/Tokyo"
    assert "Send me the file" in say(telegram, "/import")
    count = len(telegram.sent(chat_id=USER))
    telegram.send_document_from_user(
        json.dumps(document).encode(), "alerts.json", chat_id=USER, user_id=USER
    )
    assert "Imported 1" in telegram.wait_for_sent(count + 1, chat_id=USER)[-1]["text"]
    assert [s.value for s in bot.svc.store.subscriptions.chat_subscriptions(USER)] == ["NVDA"]
    settings = bot.svc.store.chats.chat_settings(USER)
    assert settings is not None
    assert settings.timezone == "Asia/Tokyo"
    # The index follows: NVDA is matched, AMZN no longer.
    assert {s.value for s in bot.svc.store.subscriptions.active_subscriptions()} == {"NVDA"}
    assert len(bot.svc.subscriptions.index) == 1


def test_feeds_about_and_delete_me(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    assert "Deep News" in say(telegram, "/feeds")
    about = say(telegram, "/about")
    assert "Test disclaimer." in about
    assert "stored" in about
    say(telegram, "/watch AMZN")
    assert "cannot be undone" in say(telegram, "/delete_me")
    confirm = last_message(telegram)
    kept = press(telegram, confirm, "forget:no")
    assert "Nothing was deleted" in kept["text"]
    assert bot.svc.store.subscriptions.chat_subscriptions(USER)
    say(telegram, "/delete_me")
    done = press(telegram, last_message(telegram), "forget:yes")
    assert "deleted" in done["text"]
    assert bot.svc.store.chats.chat_settings(USER) is None
    assert bot.svc.store.subscriptions.chat_subscriptions(USER) == []
    assert len(bot.svc.subscriptions.index) == 0


def test_operators_only_stats_and_broadcast(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    menu = {c["command"] for c in telegram.commands_for(None)}
    assert "watch" in menu
    assert "stats" not in menu
    operator_menu = {
        c["command"] for c in telegram.commands_for({"type": "chat", "chat_id": OPERATOR})
    }
    assert {"stats", "broadcast"} <= operator_menu
    say(telegram, "/watch AMZN")
    assert "don't know the command /stats" in say(telegram, "/stats")
    assert "don't know the command /broadcast" in say(telegram, "/broadcast hi")

    stats = say(telegram, "/stats", chat_id=OPERATOR, user_id=OPERATOR)
    assert "Active subscriptions: 1" in stats
    assert "Chats: 2" in stats
    assert "2 chats" in say(telegram, "/broadcast Maintenance tonight", OPERATOR, OPERATOR)
    count = len(telegram.sent(chat_id=USER))
    confirm = last_message(telegram, OPERATOR)
    data = confirm["params"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    done = press(telegram, confirm, data, user_id=OPERATOR)
    assert "Queued for 2" in done["text"]
    # Through the outbox and the delivery job, like alerts.
    delivered = telegram.wait_for_sent(count + 1, chat_id=USER, timeout=10)
    assert delivered[-1]["text"] == "Maintenance tonight"
    assert bot.svc.store.subscriptions.chat_subscriptions(USER)[0].kind is Kind.TICKER
    # Its "Settings" button (what makes it recognisable after a crash) opens the menu below.
    (settings_button,) = delivered[-1]["params"]["reply_markup"]["inline_keyboard"][0]
    assert settings_button["text"] == "⚙ Settings"
    telegram.press_button(delivered[-1], settings_button["callback_data"], user_id=USER)
    menu = telegram.wait_for_sent(count + 2, chat_id=USER)[-1]
    assert "Delivery mode" in json.dumps(menu["params"]["reply_markup"], ensure_ascii=False)
    assert "Maintenance tonight" in [m.get("text") for m in telegram.chat_messages(USER)]


def test_every_message_the_bot_receives_raises_the_chats_known_message_id(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    """Crash recovery looks for an in-flight alert above the chat's highest known message id:
    the ids of the user's messages count, even one the bot does not answer."""
    bot = start_bot()
    say(telegram, "/start")
    sent = [telegram.user_sends(f"note {n}", chat_id=USER, user_id=USER) for n in range(3)]
    last_id = sent[-1]["message"]["message_id"]

    def known() -> int | None:
        with bot.svc.store.engine.connect() as conn:
            query = select(chats.c.last_message_id).where(chats.c.id == USER)
            found: int | None = conn.execute(query).scalar()
        return found

    telegram.wait_for(lambda: (known() or 0) >= last_id)
    assert known() == last_id


def test_a_chat_that_blocked_the_bot_is_matched_again_when_it_writes(
    start_bot: StartBot, telegram: FakeBotAPI, seed_article_path: Path
) -> None:
    """Deactivated (the sender's repeated 403s), the chat's subscriptions leave the index; after
    a restart they are not loaded; when the user writes again they are matched at once."""
    (article,) = seed_articles(seed_article_path)[:1]

    def alerted(bot: ChatBot, article: Article = article) -> bool:
        mentions = detect_tickers(article, bot.svc.universe)
        return USER in {a.chat_id for a in bot.svc.subscriptions.index.match(article, mentions)}

    bot = start_bot()
    say(telegram, "/watch AMZN")
    assert alerted(bot)
    bot.svc.store.chats.deactivate_chat(USER, error="Forbidden: bot was blocked by the user")
    bot.svc.subscriptions.chats_unreachable([USER])  # what the delivery job calls in this role
    assert not alerted(bot)
    bot.stop()
    bot = start_bot()  # restarted while the chat is inactive
    assert not alerted(bot)
    say(telegram, "hello again")
    assert alerted(bot)
