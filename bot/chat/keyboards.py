"""The inline keyboards the chat commands send, and the callback data their buttons carry.

In: companies, subscriptions, a pending broadcast's number. Out: `InlineKeyboardMarkup`s whose
callback data the handlers registered in `bot.chat.routes` read back ("watch:SYMBOL", "rm:ID",
"ch:ID" (a ticker's page of which stories to send),
"mute:ID"/"unmute:ID" and "snooze:ID[:SPAN]" (the alert's own buttons, `bot.render.buttons`),
"bcast:yes|no:N",
"forget:yes|no"). Pure; labels come from bot.texts. Callback data stays within Telegram's 64 bytes.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.matching.tickers import Company
from bot.models import Kind, Subscription
from bot.render.buttons import Button, snooze_choices, subscription_row
from bot.render.message import mute_callback, subscription_label, unmute_callback
from bot.texts import text

SHOWN_SUGGESTIONS = 3
SUGGESTION_ROWS = 10
LISTED_BUTTONS = 50


def suggestions(rows: list[list[Company]], lang: str) -> InlineKeyboardMarkup | None:
    """ "Did you mean" buttons under /watch: a row for each unknown or ambiguous word, one
    button per suggested ticker (None when there are none)."""
    keyboard = [
        [
            InlineKeyboardButton(
                text("chat.watch.button", lang, symbol=c.tickers[0]),
                callback_data=f"watch:{c.tickers[0]}"[:64],
            )
            for c in companies[:SHOWN_SUGGESTIONS]
        ]
        for companies in rows[:SUGGESTION_ROWS]
        if companies
    ]
    return InlineKeyboardMarkup(keyboard) if keyboard else None


def remove_buttons(subs: list[Subscription], lang: str) -> InlineKeyboardMarkup:
    """A remove button per subscription under /list; beside each ticker's, a button opening
    its page of which stories to send ("ch:ID", `bot.chat.choosing`)."""
    rows = []
    for sub in subs[:LISTED_BUTTONS]:
        label = subscription_label(sub, lang)
        row = [
            InlineKeyboardButton(
                text("chat.list.remove", lang, label=label)[:60], callback_data=f"rm:{sub.id}"
            )
        ]
        if sub.kind is Kind.TICKER:
            row.append(
                InlineKeyboardButton(
                    text("chat.list.button.choice", lang, label=label)[:60],
                    callback_data=f"ch:{sub.id}",
                )
            )
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def swap_mute_button(
    markup: InlineKeyboardMarkup, sub: Subscription, muted: bool, lang: str
) -> InlineKeyboardMarkup:
    """The same keyboard with the subscription's Mute button turned into Undo, or back."""
    old = mute_callback(sub.id) if muted else unmute_callback(sub.id)
    if muted:
        new = InlineKeyboardButton(
            text("alert.button.undo", lang), callback_data=unmute_callback(sub.id)
        )
    else:
        label = text("alert.button.mute", lang, name=subscription_label(sub, lang))
        new = InlineKeyboardButton(label, callback_data=mute_callback(sub.id))
    return InlineKeyboardMarkup(
        [[new if b.callback_data == old else b for b in row] for row in markup.inline_keyboard]
    )


def offer_snooze(
    markup: InlineKeyboardMarkup, subscription_id: int, lang: str
) -> InlineKeyboardMarkup:
    """The alert's keyboard with the row of that subscription's Snooze turned into its spans."""
    spans = _ptb_row(snooze_choices(subscription_id, lang))
    return _swap_row(markup, f"snooze:{subscription_id}", spans)


def snooze_done(markup: InlineKeyboardMarkup, sub: Subscription, lang: str) -> InlineKeyboardMarkup:
    """The alert's keyboard with the spans back to the subscription's Mute and Snooze."""
    return _swap_row(markup, f"snooze:{sub.id}:", _ptb_row(subscription_row(sub, lang)))


def _swap_row(
    markup: InlineKeyboardMarkup, starts: str, new: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    # A row is the subscription's when a button in it carries `starts` (whole, or as a prefix
    # when it ends in ":"): the rest of the keyboard is left as it was sent.
    def held(data: object) -> bool:
        return isinstance(data, str) and (
            data.startswith(starts) if starts.endswith(":") else data == starts
        )

    return InlineKeyboardMarkup(
        [
            new if any(held(b.callback_data) for b in row) else list(row)
            for row in markup.inline_keyboard
        ]
    )


def _ptb_row(row: tuple[Button, ...]) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(b.label, callback_data=b.callback_data, url=b.url) for b in row]


def confirm(prefix: str, yes: str, no: str, number: int | None = None) -> InlineKeyboardMarkup:
    """Two buttons side by side: "PREFIX:yes" and "PREFIX:no" (with ":NUMBER" when given)."""
    end = "" if number is None else f":{number}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes, callback_data=f"{prefix}:yes{end}"),
                InlineKeyboardButton(no, callback_data=f"{prefix}:no{end}"),
            ]
        ]
    )
