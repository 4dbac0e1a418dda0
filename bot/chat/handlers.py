"""Chat commands: what users type, and what the bot answers.

In: Telegram updates (PTB handlers), the shared `Services`. Out: replies, and subscriptions
written to the database and the match index together. A command with missing or bad arguments
always gets an answer saying what was wrong, with an example; never silence.
"""

from __future__ import annotations

import logging
from datetime import UTC

from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    TypeHandler,
    filters,
)
from telegram.ext import MessageHandler as TextHandler

from bot.chat import admin, data, insights, settings_menu
from bot.chat.common import (
    CHANNEL_KEY,
    NO_PREVIEW,
    admins_only,
    command_argument,
    is_admin,
    note_message,
    record_chat,
    remember_chat,
    remember_topic,
    reply,
    services,
    target_chat,
    unknown_command,
)
from bot.chat.ratelimit import RateLimiter, rate_limit_handler
from bot.matching.keywords import QueryError, parse_query
from bot.matching.tickers import Company
from bot.models import Kind, Subscription
from bot.render.message import (
    mute_callback,
    parse_callback,
    subscription_label,
    unmute_callback,
)
from bot.services import Services
from bot.texts import text

log = logging.getLogger(__name__)

__all__ = ["NO_PREVIEW", "add_handlers", "command_menu", "publish_commands"]

# The menu everyone sees, in order; operators also see OPERATOR_COMMANDS.
COMMANDS = (
    "start",
    "help",
    "watch",
    "keyword",
    "remove",
    "list",
    "settings",
    "pause",
    "resume",
    "test",
    "trend",
    "export",
    "import",
    "feeds",
    "addfeed",
    "myfeeds",
    "removefeed",
    "exportopml",
    "channel",
    "about",
    "delete_me",
)
OPERATOR_COMMANDS = ("stats", "broadcast", "feedhealth")


def command_menu(operator: bool = False) -> list[BotCommand]:
    names = COMMANDS + (OPERATOR_COMMANDS if operator else ())
    return [BotCommand(name, text(f"menu.{name}")) for name in names]


async def publish_commands(bot: Bot, operators: frozenset[int]) -> None:
    """The command menu for everyone, and (in their private chats) operators' own, which adds
    /stats, /broadcast and /feedhealth: other users get no hint that these exist."""
    await bot.set_my_commands(command_menu())
    for user_id in sorted(operators):
        try:
            await bot.set_my_commands(
                command_menu(operator=True), scope=BotCommandScopeChat(user_id)
            )
        except TelegramError as exc:
            # Telegram refuses a chat scope for a user who never started the bot.
            log.warning("could not set operator commands for %s: %s", user_id, exc)


def max_subscriptions(svc: Services) -> int:
    return svc.settings.max_subscriptions


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user; `/start watch-AMZN-NVDA` (a deep link) also subscribes."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    await reply(update, text("chat.start", disclaimer=svc.settings.disclaimer))
    payload = context.args[0] if context.args else ""
    admin = await is_admin(update, context)
    if admin:
        remember_topic(update, svc, chat_id)
    if payload.lower().startswith("watch-"):
        if not admin:
            await reply(update, text("chat.admins_only"))
            return
        words = [w for w in payload.split("-")[1:] if w][:20]
        await _watch(update, svc, target_chat(update, context), words)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands with examples and the keyword query language."""
    remember_chat(update, services(context))
    await reply(update, text("chat.help"))


@admins_only
async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add tickers: `/watch AMZN NVDA`; a company name works too (`/watch amazon`)."""
    svc = services(context)
    chat_id = target_chat(update, context)
    if not context.args:
        await reply(update, text("chat.watch.usage"))
        return
    await _watch(update, svc, chat_id, context.args)


async def _watch(update: Update, svc: Services, chat_id: int, words: list[str]) -> None:
    lines: list[str] = []
    suggestions: list[Company] = []
    limit = max_subscriptions(svc)
    for word in words:
        company = svc.universe.company(word)
        resolved_from_name = False
        if company is None:
            company = svc.universe.resolve(word)
            resolved_from_name = company is not None
        if company is None:
            found = svc.universe.suggest(word)
            suggestions.extend(found)
            lines.append(_unknown_ticker(word, found))
            continue
        if len(svc.store.subscriptions.chat_subscriptions(chat_id)) >= limit:
            lines.append(text("chat.limit", limit=limit))
            break
        symbol = company.tickers[0]
        added = svc.store.subscriptions.add_subscription(chat_id, Kind.TICKER, symbol, svc.clock())
        name = company.name
        if added is None:
            lines.append(text("chat.watch.already", symbol=symbol, name=name))
            continue
        svc.index.add(added)
        if resolved_from_name:
            lines.append(text("chat.watch.resolved", word=word, symbol=symbol, name=name))
        else:
            lines.append(text("chat.watch.added", symbol=symbol, name=name))
    markup = None
    if suggestions:
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        text("chat.watch.button", symbol=c.tickers[0]),
                        callback_data=f"watch:{c.tickers[0]}"[:64],
                    )
                    for c in suggestions[:3]
                ]
            ]
        )
    await reply(update, "\n".join(lines) or text("chat.watch.usage"), markup)


def _unknown_ticker(word: str, suggestions: list[Company]) -> str:
    shown = word[:40]
    if not suggestions:
        return text("chat.watch.unknown", word=shown)
    options = ", ".join(f"{c.tickers[0]} ({c.name})" for c in suggestions[:3])
    return text("chat.watch.suggest", word=shown, options=options)


@admins_only
async def keyword(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a keyword query: `/keyword Trainium`, `/keyword "AI chips" -crypto`."""
    svc = services(context)
    chat_id = target_chat(update, context)
    message = update.effective_message
    raw = command_argument(message.text if message else None)
    if not raw:
        await reply(update, text("chat.keyword.usage"))
        return
    try:
        query = parse_query(raw)
    except QueryError as exc:
        await reply(update, text("chat.keyword.invalid", error=str(exc)))
        return
    limit = max_subscriptions(svc)
    if len(svc.store.subscriptions.chat_subscriptions(chat_id)) >= limit:
        await reply(update, text("chat.limit", limit=limit))
        return
    added = svc.store.subscriptions.add_subscription(chat_id, Kind.KEYWORD, query.text, svc.clock())
    if added is None:
        await reply(update, text("chat.keyword.already", query=query.text))
        return
    svc.index.add(added)
    await reply(update, text("chat.keyword.added", query=query.text))


@admins_only
async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove a ticker or keyword: `/remove AMZN`, `/remove Trainium`."""
    svc = services(context)
    chat_id = target_chat(update, context)
    message = update.effective_message
    raw = command_argument(message.text if message else None)
    if not raw:
        await reply(update, text("chat.remove.usage"))
        return
    removed = svc.store.subscriptions.remove_subscriptions(chat_id, raw)
    company = svc.universe.company(raw)
    if not removed and company is not None:
        removed = svc.store.subscriptions.remove_subscriptions(chat_id, company.tickers[0])
    if not removed:
        await reply(update, text("chat.remove.missing", value=raw))
        return
    for sub in removed:
        svc.index.remove(sub.id)
    await reply(update, text("chat.remove.done", value=removed[0].value))


async def list_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the chat's tickers (with company names) and keywords, each with a remove button."""
    svc = services(context)
    chat_id = target_chat(update, context)
    message, markup = list_message(svc, chat_id)
    await reply(update, message, markup)


def list_message(svc: Services, chat_id: int) -> tuple[str, InlineKeyboardMarkup | None]:
    subs = svc.store.subscriptions.chat_subscriptions(chat_id)
    if not subs:
        return text("chat.list.empty"), None
    buttons = [
        [
            InlineKeyboardButton(
                text("chat.list.remove", label=subscription_label(sub))[:60],
                callback_data=f"rm:{sub.id}",
            )
        ]
        for sub in subs[:50]
    ]
    return render_list(svc, subs), InlineKeyboardMarkup(buttons)


def render_list(svc: Services, subs: list[Subscription]) -> str:
    lines = [text("chat.list.title")]
    tickers = [s for s in subs if s.kind is Kind.TICKER]
    keywords = [s for s in subs if s.kind is Kind.KEYWORD]
    if tickers:
        lines.append(text("chat.list.tickers"))
        for sub in tickers:
            company = svc.universe.company(sub.value)
            name = company.name if company else ""
            lines.append(text("chat.list.ticker", symbol=sub.value, name=name))
    if keywords:
        lines.append(text("chat.list.keywords"))
        lines.extend(text("chat.list.keyword", query=s.value) for s in keywords)
    return "\n".join(lines)


@admins_only
async def remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A remove button under /list: drop that subscription and edit the list in place."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    chat_id = target_chat(update, context)
    raw = (query.data or "").removeprefix("rm:")
    subs = {s.id: s for s in svc.store.subscriptions.chat_subscriptions(chat_id)}
    sub = subs.get(int(raw)) if raw.isdigit() else None
    if sub is None:
        await query.answer(text("chat.gone"), show_alert=True)
        return
    for removed in svc.store.subscriptions.remove_subscriptions(chat_id, sub.value):
        if removed.kind is sub.kind:
            svc.index.remove(removed.id)
        else:
            # Same value, other kind (a keyword spelled like a ticker): put it back.
            again = svc.store.subscriptions.add_subscription(
                chat_id, removed.kind, removed.value, svc.clock()
            )
            if again is not None:
                svc.index.add(again)
    await query.answer(text("chat.remove.done", value=sub.value))
    message, markup = list_message(svc, chat_id)
    if isinstance(query.message, Message):
        await query.message.edit_text(message, reply_markup=markup, link_preview_options=NO_PREVIEW)


@admins_only
async def watch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "did you mean" button: subscribe to the suggested ticker."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    svc = services(context)
    chat_id = target_chat(update, context)
    await query.answer()
    await _watch(update, svc, chat_id, [query.data.removeprefix("watch:")])


@admins_only
async def mute_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The alert's "Mute $AMZN" button and its "Undo": pause or resume that subscription,
    and swap the button in place."""
    query = update.callback_query
    assert query is not None
    parsed = parse_callback(query.data or "")
    svc = services(context)
    chat_id = remember_chat(update, svc)
    if parsed is None:
        await query.answer()
        return
    action, subscription_id = parsed
    muting = action == "mute"
    sub = svc.store.subscriptions.set_muted(chat_id, subscription_id, muting)
    if sub is None:
        await query.answer(text("chat.gone"), show_alert=True)
        return
    if muting:
        svc.index.remove(sub.id)
    else:
        svc.index.add(sub)
    label = subscription_label(sub)
    await query.answer(text("chat.muted" if muting else "chat.unmuted", label=label))
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        await message.edit_reply_markup(swap_mute_button(message.reply_markup, sub, muting))


def swap_mute_button(
    markup: InlineKeyboardMarkup, sub: Subscription, muted: bool
) -> InlineKeyboardMarkup:
    """The same keyboard with the subscription's Mute button turned into Undo, or back."""
    old = mute_callback(sub.id) if muted else unmute_callback(sub.id)
    if muted:
        new = InlineKeyboardButton(text("alert.button.undo"), callback_data=unmute_callback(sub.id))
    else:
        label = text("alert.button.mute", name=subscription_label(sub))
        new = InlineKeyboardButton(label, callback_data=mute_callback(sub.id))
    return InlineKeyboardMarkup(
        [[new if b.callback_data == old else b for b in row] for row in markup.inline_keyboard]
    )


@admins_only
async def pause(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop alerts until /resume; what arrives meanwhile is not sent later."""
    svc = services(context)
    chat_id = target_chat(update, context)
    now = svc.clock()
    svc.store.chats.pause_chat(chat_id, now)
    await reply(update, text("chat.pause.done"))


@admins_only
async def resume(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Alerts again, from now on; articles from the paused time are not sent."""
    svc = services(context)
    chat_id = target_chat(update, context)
    current = svc.store.chats.chat_settings(chat_id)
    if current is None or current.paused_at is None:
        await reply(update, text("chat.resume.not_paused"))
        return
    since = current.paused_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    svc.store.chats.resume_chat(chat_id, svc.clock())
    await reply(update, text("chat.resume.done", since=since))


async def channel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/channel @name` in a private chat: the commands that follow set up that channel (the
    bot and the user must both administer it); `/channel off` goes back to this chat."""
    svc = services(context)
    remember_chat(update, svc)
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or user is None or chat.type != "private" or context.user_data is None:
        await reply(update, text("chat.channel.private_only"))
        return
    raw = command_argument(message.text if message else None)
    if not raw:
        await reply(update, text("chat.channel.usage"))
        return
    if raw.lower() in ("off", "none", "stop"):
        context.user_data.pop(CHANNEL_KEY, None)
        await reply(update, text("chat.channel.off"))
        return
    ref: int | str = int(raw) if raw.lstrip("-").isdigit() else "@" + raw.lstrip("@")
    try:
        found = await context.bot.get_chat(ref)
        if found.type != "channel":
            await reply(update, text("chat.channel.not_channel", name=raw[:64]))
            return
        me = await context.bot.get_chat_member(found.id, context.bot.id)
        them = await context.bot.get_chat_member(found.id, user.id)
    except TelegramError as exc:
        await reply(update, text("chat.channel.unreachable", name=raw[:64], error=exc.message))
        return
    if me.status != "administrator":
        await reply(update, text("chat.channel.bot_not_admin", name=found.title or raw))
        return
    if them.status not in ("creator", "administrator"):
        await reply(update, text("chat.channel.user_not_admin", name=found.title or raw))
        return
    record_chat(svc, found.id, "channel", found.title)
    context.user_data[CHANNEL_KEY] = found.id
    await reply(update, text("chat.channel.set", name=found.title or raw))


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message that is not a command: explain how to talk to the bot."""
    remember_chat(update, services(context))
    await reply(update, text("chat.not_command"))


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    svc = app.bot_data["services"]
    assert isinstance(svc, Services)
    app.bot_data["rate_limiter"] = RateLimiter(svc.settings.command_rate_limit)
    # Group -2 records every message's id (even one the rate limit then refuses); group -1
    # runs before every handler and may stop the update.
    app.add_handler(TypeHandler(Update, note_message), group=-2)
    app.add_handler(TypeHandler(Update, rate_limit_handler), group=-1)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("watch", watch))
    app.add_handler(CommandHandler("keyword", keyword))
    app.add_handler(CommandHandler("remove", remove))
    app.add_handler(CommandHandler("list", list_command))
    app.add_handler(CommandHandler("pause", pause))
    app.add_handler(CommandHandler("resume", resume))
    app.add_handler(CommandHandler("channel", channel))
    app.add_handler(CallbackQueryHandler(watch_button, pattern=r"^watch:"))
    app.add_handler(CallbackQueryHandler(remove_button, pattern=r"^rm:"))
    app.add_handler(CallbackQueryHandler(mute_button, pattern=r"^(mute|unmute):"))
    settings_menu.add_handlers(app)
    data.add_handlers(app)
    insights.add_handlers(app)
    admin.add_handlers(app)
    app.add_handler(TextHandler(filters.COMMAND, unknown_command))
    app.add_handler(TextHandler(filters.ChatType.PRIVATE & filters.TEXT, plain_text))
