"""After a crash or a lost answer: find out whether a row left "sending" reached its chat,
then settle it.

In: something that can call editMessageReplyMarkup (the sender's `bot.delivery.botapi.BotAPI`
or a PTB `Bot`), the `Store`, this worker's id, a lease and a clock. Out: every interrupted
row settled, as `RecoveryReport`: marked "sent" with the message id found in the chat, or put
back to "pending" to be sent again. Never raises for a Telegram error (a row whose check failed
stays "sending" and is checked again once its claim is older than the lease).
The sender settles the rows whose answer was lost (a timeout, a reset, a 5xx) the same way,
with `settle` (`bot.delivery.sender`): one code path for a row whose fate is unknown.

A row left "sending" is ambiguous: the process may have died before its request left, or after
Telegram accepted it and before our commit. It is never assumed delivered. The sender keeps one
alert in flight per chat; the chat's highest known message id is kept (on each "sent", and for
each message the bot receives), and recorded on the row when it is claimed, so
a delivered interrupted alert is, in a private chat, just above the id recorded at the claim,
and at most a few above the highest known now (`candidates`). For a row with an inline
keyboard, those candidates are probed with editMessageReplyMarkup(candidate, the row's own
keyboard): Telegram answers "message is not modified" exactly when that message exists, was
sent by the bot and already has that keyboard (alert keyboards differ: each carries its
article's link), which proves delivery. "message to edit not found" / "message can't be
edited" rule a candidate out. If the edit succeeds, the candidate was a bot message with
another keyboard: when its text is the alert's (the user had pressed a button that changed it)
the alert was delivered; otherwise it was another bot message (a command's reply): the alert's
buttons are taken off it again (a keyboard it had is lost; logged) and the probe goes on. When
nothing proves delivery, the row is sent again (at least once; logged).
Digests, notices and broadcasts carry a "Settings" button with their row id
(`bot.render.buttons.message_keyboard`), so they are found the same way; only a row queued
before that, without any keyboard, is simply sent again.
The keyboard and text looked for are the row's as the sender renders it (`bot.delivery.compose`,
a function of the row and the chat's language): a chat that changed its language between the
send and the recovery gets the alert again rather than lose it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import Protocol

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.clock import Clock, utc_now
from bot.delivery.botapi import JSON, inline_keyboard
from bot.delivery.compose import Message, Style, compose
from bot.models import Article
from bot.render.buttons import Keyboard
from bot.render.html import to_plain
from bot.storage.outbox_rows import Answer, InFlight
from bot.storage.store import Store

log = logging.getLogger(__name__)

PROBES = 3  # candidates tried above the chat's highest known message id
MAX_PROBES = 20  # candidates at most, however many messages were recorded since the claim
LEASE = timedelta(minutes=2)  # a claim older than this belongs to a worker that is gone


class Found(Enum):
    NOT_THERE = "not there"  # no candidate is this alert: send it again
    UNKNOWN = "unknown"  # the check itself failed (network, flood control): try later


@dataclass
class RecoveryReport:
    confirmed: int = 0  # found in the chat: marked sent, not sent again
    resent: int = 0  # not found: pending again
    unsettled: int = 0  # the check failed: left "sending" for a later check


class Probe(Protocol):
    """editMessageReplyMarkup, answering the edited message's text (`BotAPI` is one)."""

    async def edit_reply_markup(
        self, chat_id: int, message_id: int, reply_markup: JSON | None
    ) -> str | None: ...


class _BotProbe:
    """A PTB `Bot` as a `Probe`."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def edit_reply_markup(
        self, chat_id: int, message_id: int, reply_markup: JSON | None
    ) -> str | None:
        markup = InlineKeyboardMarkup.de_json(reply_markup, self.bot) if reply_markup else None
        edited = await self.bot.edit_message_reply_markup(
            chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
        return None if isinstance(edited, bool) else edited.text


def as_probe(bot: Bot | Probe) -> Probe:
    return _BotProbe(bot) if isinstance(bot, Bot) else bot


def _not_modified(error: BadRequest) -> bool:
    return "message is not modified" in error.message.lower()


def ptb_keyboard(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    """A message's keyboard as PTB's markup (for editMessageReplyMarkup): the same buttons
    the sender sent (`bot.delivery.botapi.inline_keyboard`)."""
    if not keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.callback_data, url=b.url) for b in row]
            for row in keyboard
        ]
    )


def _same_text(shown: str | None, message: Message) -> bool:
    return shown is not None and " ".join(shown.split()) == " ".join(to_plain(message.text).split())


def candidates(known_at_claim: int | None, known_now: int | None, probes: int = PROBES) -> range:
    """Message ids where an interrupted alert can be: above the chat's highest known message
    id when the alert was claimed, up to `probes` above the highest known now (the messages
    recorded since sit in between: the user's, and replies, which the probe rules out), at
    most MAX_PROBES of them."""
    start = (known_at_claim or 0) + 1
    stop = max(start, (known_now or 0) + 1) + probes
    return range(start, min(stop, start + MAX_PROBES))


async def find_in_chat(
    bot: Bot | Probe, row: InFlight, message: Message, probes: int = PROBES
) -> int | Found:
    """The message id of the interrupted row in its chat, or why there is none. `message`
    is the row as it was sent (`bot.delivery.compose`, a function of the row)."""
    probe = as_probe(bot)
    markup = inline_keyboard(message.keyboard)
    known = row.probe_from if row.probe_from is not None else row.last_message_id
    if markup is None or (known is None and row.chat_id < 0):
        return Found.NOT_THERE  # nothing to recognise it by (or no known start in a group)
    for candidate in candidates(known, row.last_message_id, probes):
        try:
            shown = await probe.edit_reply_markup(row.chat_id, candidate, markup)
        except BadRequest as exc:
            if _not_modified(exc):
                return candidate
            continue  # not found / can't be edited (a user's message): not this one
        except TelegramError as exc:
            log.warning("could not look for row %s in chat %s: %s", row.id, row.chat_id, exc)
            return Found.UNKNOWN
        # The edit went through: a bot message with another keyboard. Ours if its text is.
        if _same_text(shown, message):
            return candidate
        # Another bot message (a command's reply): take the alert's buttons off it again and
        # look further up.
        log.warning(
            "probe for row %s put its buttons on message %s in chat %s; removing them",
            row.id,
            candidate,
            row.chat_id,
        )
        try:
            await probe.edit_reply_markup(row.chat_id, candidate, None)
        except TelegramError as exc:
            log.warning("could not remove them from message %s: %s", candidate, exc)
    return Found.NOT_THERE


async def settle(
    bot: Bot | Probe,
    store: Store,
    row: InFlight,
    stories: Mapping[int, Article],
    *,
    style: Style,
    clock: Clock,
) -> int | Found:
    """Look for a row taken over (`Store.sends.take_over`) in its chat and record what was
    found: "sent" with the message id, or pending again; a failed check leaves it "sending"."""
    try:
        message = compose(
            row.content, row.chat_id, stories, lang=row.lang, style=style, delivery_id=row.id
        )
    except Exception:  # the sender records why it cannot be rendered
        log.exception("cannot render row %s to look for it", row.id)
        found: int | Found = Found.NOT_THERE
    else:
        found = await find_in_chat(bot, row, message)
    if isinstance(found, int):
        store.sends.mark_sent([Answer(row.id, row.chat_id, found)], now=clock())
        log.info("row %s had been delivered (message %s)", row.id, found)
    elif found is Found.NOT_THERE:
        store.sends.release(row.id, error="its fate was unknown and it is not in the chat")
        log.warning("row %s not found in chat %s: sending it again", row.id, row.chat_id)
    return found


async def recover_interrupted(
    bot: Bot | Probe,
    store: Store,
    *,
    owner: str,
    at_start: bool,
    clock: Clock = utc_now,
    lease: timedelta = LEASE,
    dead: Sequence[str] = (),
    style: Style | None = None,
) -> RecoveryReport:
    """Settle the rows left "sending" by a dead worker (this one's previous life when
    `at_start`, the workers in `dead`, any worker's whose claim is older than `lease`). Run
    before sending anything to those chats: a new alert there would take the message id being
    looked for."""
    report = RecoveryReport()
    style = style or Style()
    now = clock()
    owners = [*([owner] if at_start else []), *dead]
    rows = store.sends.interrupted(now=now, lease=lease, owner=owners or None)
    stories = store.outbox.stories([r.content.article_id for r in rows if r.content.article_id])
    for row in rows:
        if not store.sends.take_over(row, owner=owner, now=now):
            continue  # another worker got to it first
        found = await settle(bot, store, row, stories, style=style, clock=clock)
        if isinstance(found, int):
            report.confirmed += 1
        elif found is Found.NOT_THERE:
            report.resent += 1
        else:
            report.unsettled += 1
    return report
