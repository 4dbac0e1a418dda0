"""What a newcomer types, end to end (issue 17): /watch with names of several words, exchange
forms, cashtags and share classes, deep links, ambiguous names, a "did you mean" for every
unknown word; keyword queries with operators in any case; button presses past the rate limit.

The real application, real HTTP to the fake Bot API, a real database; each command as a user
types it."""

from __future__ import annotations

from datetime import timedelta

from bot.models import Article
from tests.chat.conftest import ChatBot, StartBot, store_articles
from tests.chat.test_commands import USER, last_message, say
from tests.fakes.telegram_api import FakeBotAPI


def watched(bot: ChatBot, chat_id: int = USER) -> set[str]:
    return {s.value for s in bot.svc.store.subscriptions.chat_subscriptions(chat_id)}


def buttons(message: dict) -> list[list[str]]:  # type: ignore[type-arg]
    """The callback data of a sent message's inline keyboard, row by row."""
    markup = message["params"].get("reply_markup") or {"inline_keyboard": []}
    return [[b["callback_data"] for b in row] for row in markup["inline_keyboard"]]


def press_and_read(telegram: FakeBotAPI, data: str) -> str:
    """Press a button of the last message; the bot's next message."""
    count = len(telegram.sent(chat_id=USER))
    telegram.press_button(last_message(telegram), data, user_id=USER)
    return str(telegram.wait_for_sent(count + 1, chat_id=USER)[-1]["text"])


def test_watch_reads_names_exchange_forms_cashtags_and_share_classes(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    assert "KO (Coca-Cola)" in say(telegram, "/watch coca cola")
    assert "JPM" in say(telegram, "/watch JP Morgan")
    assert "BAC" in say(telegram, "/watch bank of america")
    assert "MSFT" in say(telegram, "/watch NASDAQ:MSFT")
    assert "WFC" in say(telegram, "/watch (NYSE: WFC)")
    assert "AAPL" in say(telegram, "/watch $AAPL")
    assert "BRK-B" in say(telegram, "/watch BRK.B")
    assert "already watch BRK-B" in say(telegram, "/watch BRK/B")
    assert "BRK-A" in say(telegram, "/watch brk-a")
    # Never the company of one of the words: COLA, MGHL (Morgan), B (Barrick).
    assert watched(bot) == {"KO", "JPM", "BAC", "MSFT", "WFC", "AAPL", "BRK-B", "BRK-A"}


def test_a_deep_link_keeps_its_share_class(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    telegram.user_sends("/start watch-BRK-B-AMZN", chat_id=USER, user_id=USER)
    _, subscribed = telegram.wait_for_sent(2, chat_id=USER)
    assert "BRK-B" in subscribed["text"]
    assert watched(bot) == {"BRK-B", "AMZN"}
    telegram.user_sends("/start watch-coca_cola", chat_id=USER, user_id=USER)
    assert "KO" in telegram.wait_for_sent(4, chat_id=USER)[-1]["text"]
    assert watched(bot) == {"BRK-B", "AMZN", "KO"}


def test_an_ambiguous_name_asks_with_buttons(start_bot: StartBot, telegram: FakeBotAPI) -> None:
    bot = start_bot()
    answer = say(telegram, "/watch coke")
    assert "could mean" in answer
    assert "KO (Coca-Cola)" in answer
    assert "COKE (Coca-Cola Consolidated)" in answer
    assert buttons(last_message(telegram)) == [["watch:KO", "watch:COKE"]]
    assert watched(bot) == set()  # nothing watched until the user picks
    assert "Watching KO" in press_and_read(telegram, "watch:KO")
    assert watched(bot) == {"KO"}

    assert "could mean" in say(telegram, "/watch cola")  # a word before it is a symbol
    assert buttons(last_message(telegram)) == [["watch:COLA"]]
    assert watched(bot) == {"KO"}


def test_every_unknown_word_gets_its_own_suggestions(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    answer = say(telegram, "/watch APPL NVDA MSFTT")
    assert "“APPL”" in answer
    assert "“MSFTT”" in answer
    rows = buttons(last_message(telegram))
    assert len(rows) == 2
    assert "watch:AAPL" in rows[0]
    assert "watch:MSFT" in rows[1]
    assert watched(bot) == {"NVDA"}
    assert "Watching MSFT" in press_and_read(telegram, "watch:MSFT")
    assert watched(bot) == {"NVDA", "MSFT"}


def _story(number: int, title: str) -> Article:
    return Article(
        key=f"https://news.example.com/{number}",
        entry_id=f"s{number}",
        title=title,
        url=f"https://news.example.com/{number}",
        text="",
        published=None,
        source="Deep News",
    )


def test_keyword_operators_in_any_case_and_recent_matches(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    assert "no stories from the last 24 hours yet" in say(telegram, "/keyword Trainium")
    now = bot.svc.clock()
    stories = [
        "Nvidia unveils a new accelerator",
        "AMD cuts prices of its AI chips",
        "Intel and TSMC sign a deal",
        "Crypto miners buy AI chips",
    ]
    yesterday = [(now - timedelta(hours=2), _story(n, t)) for n, t in enumerate(stories)]
    older = [(now - timedelta(days=3), _story(9, "Nvidia a long time ago"))]
    store_articles(bot.svc.store, yesterday + older)

    answer = say(telegram, "/keyword Nvidia or AMD")
    assert "Nvidia OR AMD" in answer
    assert "matched 2 of the 4 stories of the last 24 hours" in answer
    answer = say(telegram, "/keyword AI AND chips")
    assert "query AI chips." in answer  # "and" is neither required nor shown
    assert "matched 2 of the 4" in answer
    answer = say(telegram, "/keyword AI chips NOT crypto")
    assert "AI chips -crypto" in answer
    assert "matched 1 of the 4" in answer
    assert '"rock and roll"' in say(telegram, '/keyword "rock and roll"')
    assert watched(bot) == {
        "trainium",
        "nvidia OR amd",
        "ai chips",
        "ai chips -crypto",
        '"rock and roll"',
    }

    refused = say(telegram, "/keyword chips NOT")
    assert "NOT must be followed by the word to exclude" in refused
    assert "character 7" in refused
    assert "already watch nvidia OR amd" in say(telegram, "/keyword nvidia or amd")


def test_a_button_pressed_past_the_rate_limit_gets_a_notice(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    start_bot(command_rate_limit=1)
    say(telegram, "/watch APPL")  # the one command of the minute
    message = last_message(telegram)
    for presses in (1, 2, 3):
        telegram.press_button(message, "watch:AAPL", user_id=USER)
        telegram.wait_for(lambda n=presses: len(telegram.callback_answers) >= n)
    answers = telegram.callback_answers
    assert answers[0]["show_alert"] is True  # the first refusal: a pop-up, once
    assert all("wait" in a.get("text", "") for a in answers), answers
    assert not any(a.get("show_alert") for a in answers[1:])
