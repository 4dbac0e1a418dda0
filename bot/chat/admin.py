"""Operator commands (users listed in ADMIN_CHAT_IDS): /stats, /broadcast and /feedhealth.

In: /stats; /broadcast TEXT and its confirmation button ("bcast:yes:N" / "bcast:no:N");
/feedhealth. Out: counts from `Store.stats.bot_stats`; a broadcast queued for every active
chat through the same rate-limited outbox as alerts (`Store.outbox.enqueue_notice`); every
feed's health, worst first. Anyone else gets exactly the unknown-command answer
(`operators_only`): no hint that these commands exist.
"""

from __future__ import annotations

import itertools
from datetime import datetime, time

from telegram import Message, Update

from bot.chat import keyboards
from bot.chat.context import Context, edit_in_place, message_argument, reply
from bot.chat.gate import operators_only, remember_chat
from bot.feeds.health import format_health
from bot.models import DeliveryKind
from bot.storage.stats import BotStats
from bot.texts import plural, text
from bot.texts.formats import span

MAX_BROADCAST = 4000
HEALTH_LIMIT = 25  # feeds shown by /feedhealth, worst first
_numbers = itertools.count(1)


def _age(oldest: datetime | None, now: datetime, lang: str) -> str:
    """How long the oldest row has waited, in the language's short units ("5 min", "5分钟")."""
    if oldest is None:
        return "-"
    return span(max(0.0, (now - oldest).total_seconds()), lang)


def render_stats(stats: BotStats, now: datetime, lang: str = "en") -> str:
    return text(
        "chat.stats",
        lang,
        chats=stats.chats,
        active=stats.active_chats,
        subscriptions=stats.subscriptions,
        muted=stats.muted,
        sent=stats.alerts_sent_today,
        pending=stats.outbox_pending,
        age=_age(stats.outbox_oldest, now, lang),
        feeds=stats.feeds,
        failing=stats.failing_feeds,
    )


@operators_only
async def stats_command(update: Update, context: Context) -> None:
    """/stats: chats, subscriptions, alerts today, the outbox, feed health."""
    remember_chat(update, context)
    now = context.svc.clock()
    midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    await reply(
        update, render_stats(context.svc.store.stats.bot_stats(midnight), now, context.lang)
    )


@operators_only
async def broadcast_command(update: Update, context: Context) -> None:
    """/broadcast TEXT: show what would go out and to how many chats; a button sends it."""
    remember_chat(update, context)
    body = message_argument(update)
    if not body:
        await reply(update, text("chat.broadcast.usage", context.lang))
        return
    if len(body) > MAX_BROADCAST:
        await reply(update, text("chat.broadcast.too_long", context.lang, limit=MAX_BROADCAST))
        return
    number = next(_numbers)
    context.bot_data.broadcasts[number] = body
    count = len(context.svc.store.chats.active_chat_ids())
    markup = keyboards.confirm(
        "bcast",
        text("chat.broadcast.button.yes", context.lang),
        text("chat.broadcast.button.no", context.lang),
        number,
    )
    await reply(update, plural("chat.broadcast.confirm", count, context.lang, text=body), markup)


@operators_only
async def broadcast_button(update: Update, context: Context) -> None:
    """The confirmation: queue the broadcast once, or drop it."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    svc = context.svc
    _, answer, raw = [*(query.data or "").split(":"), "", ""][:3]
    body = context.bot_data.broadcasts.pop(int(raw), None) if raw.isdigit() else None
    await query.answer()
    if body is None:
        outcome = text("chat.broadcast.gone", context.lang)
    elif answer == "yes":
        count = svc.store.outbox.enqueue_notice(
            svc.store.chats.active_chat_ids(), body, now=svc.clock(), kind=DeliveryKind.BROADCAST
        )
        outcome = plural("chat.broadcast.queued", count, context.lang)
    else:
        outcome = text("chat.broadcast.cancelled", context.lang)
    if isinstance(query.message, Message):
        await edit_in_place(query.message, outcome)


@operators_only
async def feed_health(update: Update, context: Context) -> None:
    """/feedhealth: every feed's health, worst first, and how its hub pushes it."""
    store = context.svc.store
    now = context.svc.clock()
    health = store.feeds.feed_health(now=now)
    hubs = store.websub.views()
    await reply(
        update, format_health(health, now, hubs=hubs, lang=context.lang, limit=HEALTH_LIMIT)
    )
