"""Operator commands (users listed in ADMIN_CHAT_IDS): /stats and /broadcast.

In: /stats; /broadcast TEXT and its confirmation button ("bcast:yes:N" / "bcast:no:N").
Out: counts from `Store.stats.bot_stats`; a broadcast queued for every active chat through the same
rate-limited outbox as alerts (`Store.outbox.enqueue_notice(kind="broadcast")`).
Anyone else gets the ordinary unknown-command answer: no hint that these commands exist.
"""

from __future__ import annotations

import itertools
from datetime import datetime, time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.chat.common import (
    command_argument,
    edit_in_place,
    remember_chat,
    reply,
    services,
    unknown_command,
)
from bot.storage.stats import BotStats
from bot.texts import text

PENDING_KEY = "broadcasts"
MAX_BROADCAST = 4000
_numbers = itertools.count(1)


def is_operator(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    user = update.effective_user
    return user is not None and user.id in services(context).settings.admin_chat_ids


def _age(oldest: datetime | None, now: datetime) -> str:
    if oldest is None:
        return "-"
    seconds = max(0, int((now - oldest).total_seconds()))
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def render_stats(stats: BotStats, now: datetime) -> str:
    return text(
        "chat.stats",
        chats=stats.chats,
        active=stats.active_chats,
        subscriptions=stats.subscriptions,
        muted=stats.muted,
        sent=stats.alerts_sent_today,
        pending=stats.outbox_pending,
        age=_age(stats.outbox_oldest, now),
        feeds=stats.feeds,
        failing=stats.failing_feeds,
    )


async def stats_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats: chats, subscriptions, alerts today, the outbox, feed health."""
    if not is_operator(update, context):
        await unknown_command(update, context)
        return
    svc = services(context)
    remember_chat(update, svc)
    now = svc.clock()
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    await reply(update, render_stats(svc.store.stats.bot_stats(midnight), now))


async def broadcast_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/broadcast TEXT: show what would go out and to how many chats; a button sends it."""
    if not is_operator(update, context):
        await unknown_command(update, context)
        return
    svc = services(context)
    remember_chat(update, svc)
    message = update.effective_message
    body = command_argument(message.text if message else None)
    if not body:
        await reply(update, text("chat.broadcast.usage"))
        return
    if len(body) > MAX_BROADCAST:
        await reply(update, text("chat.broadcast.too_long", limit=MAX_BROADCAST))
        return
    number = next(_numbers)
    pending = context.bot_data.setdefault(PENDING_KEY, {})
    pending[number] = body
    count = len(svc.store.chats.active_chat_ids())
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    text("chat.broadcast.button.yes"), callback_data=f"bcast:yes:{number}"
                ),
                InlineKeyboardButton(
                    text("chat.broadcast.button.no"), callback_data=f"bcast:no:{number}"
                ),
            ]
        ]
    )
    await reply(update, text("chat.broadcast.confirm", count=count, text=body), markup)


async def broadcast_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirmation: queue the broadcast once, or drop it."""
    query = update.callback_query
    assert query is not None
    if not is_operator(update, context):
        await query.answer()
        return
    svc = services(context)
    parts = (query.data or "").split(":")
    answer = parts[1] if len(parts) > 1 else ""
    raw = parts[2] if len(parts) > 2 else ""
    pending = context.bot_data.setdefault(PENDING_KEY, {})
    body = pending.pop(int(raw), None) if raw.isdigit() else None
    await query.answer()
    if body is None:
        outcome = text("chat.broadcast.gone")
    elif answer == "yes":
        count = svc.store.outbox.enqueue_notice(
            svc.store.chats.active_chat_ids(), body, now=svc.clock(), kind="broadcast"
        )
        outcome = text("chat.broadcast.queued", count=count)
    else:
        outcome = text("chat.broadcast.cancelled")
    if isinstance(query.message, Message):
        await edit_in_place(query.message, outcome)


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CommandHandler("broadcast", broadcast_command))
    app.add_handler(CallbackQueryHandler(broadcast_button, pattern=r"^bcast:"))
