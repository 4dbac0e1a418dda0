"""An alert's inline keyboard: "Mute" and "Snooze" per subscription that matched, and "Open";
and the "Settings" button of every other message the outbox sends (digests, notices, broadcasts).

In: an `Alert` and the chat's language; callback data from Telegram. Out: `Keyboard` (rows of
`Button`), the one form of a keyboard in the bot: the sender turns it into Telegram's JSON
(`bot.delivery.botapi.inline_keyboard`) and crash recovery into PTB's markup (the same
buttons, so that a probe recognises a sent alert by them); callbacks parsed back. A
keyboard is a pure function of the alert and the language, so that recovery can build the
one that was sent: the Mute and Snooze buttons carry only the subscription's id. Snooze
offers its spans (`snooze_choices`) in place of that subscription's row. Rows queued before
migration 0009 stored theirs as JSON: `from_json`.
Raises ValueError only for a button that breaks Telegram's rules (a bug, not bad input).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import timedelta

from bot.models import Alert, Kind, Subscription
from bot.render.html import cut_plain
from bot.render.labels import distinct_subscriptions, is_web_url, subscription_label
from bot.texts import text

CALLBACK_LIMIT = 64  # bytes of UTF-8, Telegram's limit for callback_data
MUTE_PREFIX = "mute:"
MENU_PREFIX = "menu:"
UNMUTE_PREFIX = "unmute:"
SNOOZE_PREFIX = "snooze:"
# How long a snooze lasts, by the key its button carries ("snooze:ID:1d"), in the order shown.
SNOOZE_SPANS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "1w": timedelta(weeks=1)}
BUTTON_NAME_LIMIT = 24
LABEL_CACHE = 4096  # button labels remembered (thousands of chats watch the same tickers)


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: `callback_data` (at most 64 bytes) for the bot, or a `url` to open."""

    label: str
    callback_data: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.callback_data is None) == (self.url is None):
            raise ValueError("a button has either callback_data or a url")
        if self.callback_data is not None and len(self.callback_data.encode()) > CALLBACK_LIMIT:
            raise ValueError(f"callback_data over {CALLBACK_LIMIT} bytes: {self.callback_data!r}")


Keyboard = tuple[tuple[Button, ...], ...]


def mute_callback(subscription_id: int) -> str:
    """Callback data of the "Mute" button for one subscription."""
    return f"{MUTE_PREFIX}{subscription_id}"


def unmute_callback(subscription_id: int) -> str:
    """Callback data of the "Undo" button shown after a mute."""
    return f"{UNMUTE_PREFIX}{subscription_id}"


def parse_callback(data: str) -> tuple[str, int] | None:
    """("mute" | "unmute", subscription id) from callback data, or None if it is not ours."""
    action, _, number = data.partition(":")
    if action in ("mute", "unmute") and number.isdigit():
        return action, int(number)
    return None


def snooze_callback(subscription_id: int, span: str = "") -> str:
    """Callback data of the "Snooze" button ("snooze:ID"), or of one of its spans
    ("snooze:ID:1h")."""
    return f"{SNOOZE_PREFIX}{subscription_id}" + (f":{span}" if span else "")


def parse_snooze(data: str) -> tuple[int, timedelta | None] | None:
    """(subscription id, the span chosen or None for the first press) from callback data, or
    None if it is not a snooze button's."""
    action, _, rest = data.partition(":")
    number, _, span = rest.partition(":")
    if action != "snooze" or not number.isdigit() or (span and span not in SNOOZE_SPANS):
        return None
    return int(number), SNOOZE_SPANS.get(span)


def snooze_choices(subscription_id: int, lang: str = "en") -> tuple[Button, ...]:
    """The row a pressed "Snooze" turns into: one button per span."""
    return tuple(
        Button(text(f"alert.button.snooze.{key}", lang), snooze_callback(subscription_id, key))
        for key in SNOOZE_SPANS
    )


def subscription_row(sub: Subscription, lang: str = "en") -> tuple[Button, ...]:
    """One subscription's row of an alert: Mute and Snooze."""
    return (
        Button(_mute_label(sub.kind, sub.value, lang), callback_data=mute_callback(sub.id)),
        Button(text("alert.button.snooze", lang), callback_data=snooze_callback(sub.id)),
    )


def undo_button(subscription_id: int, lang: str = "en") -> Button:
    """The button that undoes a mute."""
    return Button(text("alert.button.undo", lang), callback_data=unmute_callback(subscription_id))


@functools.lru_cache(maxsize=LABEL_CACHE)
def _mute_label(kind: Kind, value: str, lang: str) -> str:
    label = subscription_label(Subscription(0, 0, kind, value), lang)
    return text("alert.button.mute", lang, name=cut_plain(label, BUTTON_NAME_LIMIT))


@functools.lru_cache(maxsize=LABEL_CACHE)
def _open_row(url: str, lang: str) -> tuple[Button, ...]:
    # Remembered: every chat alerted to a story gets the same "Open" button.
    return (Button(text("alert.button.open", lang), url=url),) if is_web_url(url) else ()


def alert_keyboard(alert: Alert, lang: str = "en") -> Keyboard:
    """The alert's keyboard: a row per subscription (Mute, Snooze), then Open."""
    rows = tuple(subscription_row(s, lang) for s in distinct_subscriptions(alert.hits))
    open_row = _open_row(alert.article.url, lang)
    return (*rows, open_row) if open_row else rows


def message_keyboard(delivery_id: int, lang: str = "en") -> Keyboard:
    """The keyboard of a digest, notice or broadcast: one "Settings" button (it opens the
    settings menu below the message). Its callback data carries the outbox row's id, so that
    no other message of the chat has this keyboard: crash recovery recognises the message by
    it, as it recognises an alert by its own."""
    return (
        (Button(text("message.button.settings", lang), callback_data=menu_callback(delivery_id)),),
    )


def menu_callback(delivery_id: int) -> str:
    """Callback data of the "Settings" button under outbox row `delivery_id`."""
    return f"{MENU_PREFIX}{delivery_id}"


def from_json(stored: str | None) -> Keyboard:
    """The keyboard a row queued before 0009 stored (rows of {"label", "callback_data" |
    "url"}); () for none."""
    if not stored or stored == "[]":
        return ()
    return tuple(
        tuple(Button(b["label"], b.get("callback_data"), b.get("url")) for b in row)
        for row in json.loads(stored)
    )
