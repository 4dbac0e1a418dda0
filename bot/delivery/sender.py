"""Sending the outbox to Telegram: oldest first, each alert marked sent with its message id.

In: a PTB `Bot` (with its rate limiter) and the `Store`. Out: alerts sent and recorded; a
`SendReport` of what happened. Telegram's answers decide what happens to an alert that fails:
- 429 Too Many Requests: that chat waits for retry_after, the other chats go on;
- a group migrated to a supergroup: the chat is moved and the alert goes to the new id;
- 403 / "chat not found": the chat is deactivated and its pending alerts dropped with the reason;
- 400 about the message itself: sent again as plain text rather than lost;
- timeouts, network errors and 5xx: retried later with backoff.
Nothing here raises for a Telegram error; an alert is never silently lost.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.clock import Clock, utc_now
from bot.storage.store import Pending, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


@dataclass
class SendReport:
    sent: int = 0
    postponed: int = 0
    failed: int = 0
    chats_deactivated: list[int] = field(default_factory=list)


def keyboard(buttons_json: str) -> InlineKeyboardMarkup | None:
    """The inline keyboard stored with an alert (rows of {"label", "callback_data"|"url"})."""
    rows = json.loads(buttons_json)
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    b["label"], callback_data=b.get("callback_data"), url=b.get("url")
                )
                for b in row
            ]
            for row in rows
        ]
    )


def backoff(attempts: int) -> timedelta:
    """Wait before retry number `attempts`: 5 s, 10 s, 20 s, ... capped at 10 minutes."""
    return timedelta(seconds=min(600, 5 << min(max(0, attempts), 10)))


def _is_chat_gone(error: BadRequest) -> bool:
    text = error.message.lower()
    return "chat not found" in text or "user is deactivated" in text


async def send_pending(
    bot: Bot,
    store: Store,
    *,
    clock: Clock = utc_now,
    limit: int = 200,
) -> SendReport:
    """Send what is due in the outbox; chats in parallel, each chat's alerts in order."""
    report = SendReport()
    by_chat: dict[int, list[Pending]] = {}
    for row in store.pending(clock(), limit=limit):
        by_chat.setdefault(row.chat_id, []).append(row)
    await asyncio.gather(
        *(_send_chat(bot, store, rows, report, clock) for rows in by_chat.values())
    )
    return report


async def _send_chat(
    bot: Bot,
    store: Store,
    rows: list[Pending],
    report: SendReport,
    clock: Clock,
) -> None:
    for row in rows:
        if not await _send_one(bot, store, row, report, clock):
            return  # the chat is paused, moved or gone: its later alerts wait for the next round


async def _send_one(
    bot: Bot,
    store: Store,
    row: Pending,
    report: SendReport,
    clock: Clock,
) -> bool:
    """Send one alert; True when the chat can take the next one now."""
    try:
        message = await bot.send_message(
            row.chat_id,
            row.text,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard(row.buttons),
            link_preview_options=LinkPreviewOptions(is_disabled=not row.link_previews),
        )
    except RetryAfter as exc:
        wait = exc.retry_after
        seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
        store.postpone_chat(row.chat_id, until=clock() + timedelta(seconds=seconds), error=str(exc))
        report.postponed += 1
        log.warning("flood control for chat %s: waiting %.0f s", row.chat_id, seconds)
        return False
    except ChatMigrated as exc:
        store.migrate_chat(row.chat_id, exc.new_chat_id)
        log.info("chat %s migrated to %s", row.chat_id, exc.new_chat_id)
        return False
    except Forbidden as exc:
        dropped = store.deactivate_chat(row.chat_id, error=exc.message)
        report.chats_deactivated.append(row.chat_id)
        log.info("chat %s unreachable (%s): %d alerts dropped", row.chat_id, exc.message, dropped)
        return False
    except BadRequest as exc:
        if _is_chat_gone(exc):
            store.deactivate_chat(row.chat_id, error=exc.message)
            report.chats_deactivated.append(row.chat_id)
            return False
        # Render guarantees valid HTML under the limit; if Telegram still refuses the message,
        # the plain-text form goes out rather than the alert being lost.
        log.error("Telegram refused alert %s (%s); sending it as plain text", row.id, exc.message)
        return await _send_plain(bot, store, row, report, clock)
    except NetworkError as exc:  # timeouts and 5xx answers included
        _retry_later(store, row, str(exc), report, clock)
        return False
    store.mark_sent(row.id, message_id=message.message_id, now=clock())
    report.sent += 1
    return True


async def _send_plain(
    bot: Bot, store: Store, row: Pending, report: SendReport, clock: Clock
) -> bool:
    try:
        message = await bot.send_message(
            row.chat_id,
            row.plain_text[:4096],
            reply_markup=keyboard(row.buttons),
            link_preview_options=LinkPreviewOptions(is_disabled=not row.link_previews),
        )
    except BadRequest as exc:
        store.fail(row.id, error=f"refused even as plain text: {exc.message}")
        report.failed += 1
        return True
    except NetworkError as exc:
        _retry_later(store, row, str(exc), report, clock)
        return False
    store.mark_sent(row.id, message_id=message.message_id, now=clock())
    report.sent += 1
    return True


def _retry_later(store: Store, row: Pending, error: str, report: SendReport, clock: Clock) -> None:
    if row.attempts + 1 >= MAX_ATTEMPTS:
        store.fail(row.id, error=f"gave up after {MAX_ATTEMPTS} attempts: {error}")
        report.failed += 1
        log.error("alert %s failed for good: %s", row.id, error)
        return
    store.postpone(row.id, until=clock() + backoff(row.attempts), error=error)
    report.postponed += 1
    log.warning("alert %s to chat %s will be retried: %s", row.id, row.chat_id, error)
