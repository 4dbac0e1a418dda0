"""After a crash: find out whether each alert left "sending" reached its chat, then settle it.

In: a PTB `Bot`, the `Store`, this worker's id, a lease and a clock. Out: every interrupted
row settled, as `RecoveryReport`: marked "sent" with the message id found in the chat, or put
back to "pending" to be sent again. Never raises for a Telegram error (a row whose check failed
stays "sending" and is checked again once its claim is older than the lease).

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
Rows without a keyboard (digests, notices) are simply sent again.
The keyboard and text looked for are the row's as the sender renders it (`bot.delivery.compose`,
a function of the row and the chat's language): a chat that changed its language between the
send and the recovery gets the alert again rather than lose it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, TelegramError

from bot.clock import Clock, utc_now
from bot.delivery.compose import Message, Style, compose
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
    bot: Bot, row: InFlight, message: Message, probes: int = PROBES
) -> int | Found:
    """The message id of the interrupted alert in its chat, or why there is none. `message`
    is the row as it was sent (`bot.delivery.compose`, a function of the row)."""
    markup = ptb_keyboard(message.keyboard)
    known = row.probe_from if row.probe_from is not None else row.last_message_id
    if markup is None or (known is None and row.chat_id < 0):
        return Found.NOT_THERE  # nothing to recognise it by (or no known start in a group)
    for candidate in candidates(known, row.last_message_id, probes):
        try:
            edited = await bot.edit_message_reply_markup(
                chat_id=row.chat_id, message_id=candidate, reply_markup=markup
            )
        except BadRequest as exc:
            if _not_modified(exc):
                return candidate
            continue  # not found / can't be edited (a user's message): not this one
        except TelegramError as exc:
            log.warning("could not look for row %s in chat %s: %s", row.id, row.chat_id, exc)
            return Found.UNKNOWN
        # The edit went through: a bot message with another keyboard. Ours if its text is.
        shown = edited.text if not isinstance(edited, bool) else None
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
            await bot.edit_message_reply_markup(chat_id=row.chat_id, message_id=candidate)
        except TelegramError as exc:
            log.warning("could not remove them from message %s: %s", candidate, exc)
    return Found.NOT_THERE


async def recover_interrupted(
    bot: Bot,
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
        try:
            message = compose(row.content, row.chat_id, stories, lang=row.lang, style=style)
        except Exception:  # the sender records why it cannot be rendered
            log.exception("cannot render row %s to look for it", row.id)
            found: int | Found = Found.NOT_THERE
        else:
            found = await find_in_chat(bot, row, message)
        if isinstance(found, int):
            store.sends.mark_sent([Answer(row.id, row.chat_id, found)], now=clock())
            report.confirmed += 1
            log.info("row %s was delivered before the stop (message %s)", row.id, found)
        elif found is Found.NOT_THERE:
            store.sends.release(row.id, error="in flight at a stop and not found in the chat")
            report.resent += 1
            log.warning(
                "row %s in flight at a stop, not found in chat %s: sending it again",
                row.id,
                row.chat_id,
            )
        else:
            report.unsettled += 1
    return report
