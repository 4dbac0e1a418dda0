"""A ticker's choice of stories through the chat: /watch TICKER any|about, /sources, /events,
/list's notes and ⚙ buttons, and the per-ticker page reached from /settings, edited in place.
The real application, real HTTP, the fake Bot API, a real database."""

from __future__ import annotations

import json

from bot.models import Choice, EventRule, Kind, Reach, SourceKind, Subscription
from tests.chat.conftest import ChatBot, StartBot
from tests.chat.test_commands import USER, last_message, press, say
from tests.fakes.telegram_api import FakeBotAPI


def _ticker(bot: ChatBot, symbol: str) -> Subscription:
    return next(
        s
        for s in bot.svc.store.subscriptions.chat_subscriptions(USER)
        if s.kind is Kind.TICKER and s.value == symbol
    )


def test_commands_change_a_tickers_choice_and_say_it(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    assert "NVDA: any mention; sources: all; events: all" in say(telegram, "/watch NVDA any")
    assert _ticker(bot, "NVDA").choice == Choice(reach=Reach.ANY)
    say(telegram, "/watch AMZN")
    assert _ticker(bot, "AMZN").choice == Choice()  # about, the default

    said = say(telegram, "/sources AMZN -filings")
    assert "AMZN: about the company; sources: news, press releases; events: all" in said
    said = say(telegram, "/events AMZN -solicitation")
    assert "events: all but 📢 Law-firm solicitation" in said
    said = say(telegram, "/events NVDA only earnings analyst")
    assert "events: only 📊 Earnings, 🎯 Analyst rating" in said
    nvda = _ticker(bot, "NVDA").choice
    assert (nvda.event_rule, nvda.events) == (EventRule.ONLY, ("earnings", "analyst"))
    assert _ticker(bot, "AMZN").choice.sources_off == {SourceKind.FILINGS}

    # Wrong input: the valid choices; nothing changes.
    refused = say(telegram, "/sources AMZN blogs")
    assert "“blogs” is not a source. Sources: news, press, filings" in refused
    refused = say(telegram, "/events AMZN -lawsuits")
    assert "legal, solicitation" in refused
    assert _ticker(bot, "AMZN").choice.sources_off == {SourceKind.FILINGS}
    # A ticker not watched, one unknown, a typo with its suggestion, and the usage.
    assert "does not watch MSFT" in say(telegram, "/sources MSFT -news")
    assert "ZZZZQQ" in say(telegram, "/events ZZZZQQ all")
    suggested = say(telegram, "/events APPL all")
    assert "AAPL" in suggested
    buttons = last_message(telegram)["params"]["reply_markup"]["inline_keyboard"][0]
    assert "watch:AAPL" in [b["callback_data"] for b in buttons]  # "did you mean" buttons
    usage = say(telegram, "/events")
    assert "/events AMZN only earnings analyst" in usage
    assert "NVDA: any mention" in usage  # and what each ticker has now

    listing = say(telegram, "/list")
    assert "any mention" in listing  # NVDA's reach is not the default
    assert "sources: news, press releases" in listing
    amzn_line = next(line for line in listing.splitlines() if "AMZN" in line)
    assert "about the company" not in amzn_line  # defaults are not repeated

    say(telegram, "/settings lang zh")
    said = say(telegram, "/events NVDA all")
    assert "NVDA：任何提及；来源：全部；事件：全部" in said


def test_the_tickers_page_from_list_and_settings_edits_in_place(
    start_bot: StartBot, telegram: FakeBotAPI
) -> None:
    bot = start_bot()
    say(telegram, "/watch AMZN")
    amzn = _ticker(bot, "AMZN")
    say(telegram, "/list")
    listing = last_message(telegram)
    buttons = [
        b["callback_data"]
        for row in listing["params"]["reply_markup"]["inline_keyboard"]
        for b in row
    ]
    assert f"ch:{amzn.id}" in buttons
    page = press(telegram, listing, f"ch:{amzn.id}")
    assert "Which AMZN stories to send" in page["text"]
    page = press(telegram, listing, f"ch:{amzn.id}:r=any")
    assert "any mention" in page["text"]
    page = press(telegram, listing, f"ch:{amzn.id}:s=press")
    assert "sources: news, filings" in page["text"]
    page = press(telegram, listing, f"ch:{amzn.id}:e=legal")
    assert "all but ⚖️ Legal" in page["text"]
    labels = [b["text"] for row in page["reply_markup"]["inline_keyboard"] for b in row]
    assert "✓ Any mention" in labels
    assert "News" not in labels  # sources are labelled as they are said
    assert "✓ news" in labels
    assert "press releases" in labels
    assert "⚖️ Legal" in labels
    assert "✓ 📊 Earnings" in labels
    press(telegram, listing, f"ch:{amzn.id}:e=all")
    choice = _ticker(bot, "AMZN").choice
    assert choice == Choice(Reach.ANY, frozenset({SourceKind.PRESS}))

    sent = len(telegram.sent(chat_id=USER))
    say(telegram, "/settings")
    menu = last_message(telegram)
    tickers = press(telegram, menu, "set:tickers")
    assert "Choose a ticker" in tickers["text"]
    assert "$AMZN (any mention; sources: news, filings)" in json.dumps(
        tickers["reply_markup"], ensure_ascii=False
    )
    page = press(telegram, menu, f"ch:{amzn.id}")
    page = press(telegram, menu, f"ch:{amzn.id}:r=about")
    assert "about the company" in page["text"]
    press(telegram, menu, "set:tickers")
    back = press(telegram, menu, "set:main")
    assert "Delivery:" in back["text"]
    assert len(telegram.sent(chat_id=USER)) == sent + 1  # the menu, edited in place since
    assert _ticker(bot, "AMZN").choice.reach is Reach.ABOUT
