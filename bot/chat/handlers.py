"""Chat commands: what users type, and what the bot answers.

In: Telegram updates (PTB handlers), the shared `Services`. Out: replies, and subscriptions
written to the database and the match index together. A command with missing or bad arguments
always gets an answer saying what was wrong, with an example; never silence.
"""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters
from telegram.ext import MessageHandler as TextHandler

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

MAX_SUBSCRIPTIONS = 200
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
COMMANDS = ("start", "help", "watch", "keyword", "remove", "list")


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    found = context.bot_data["services"]
    assert isinstance(found, Services)
    return found


async def reply(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat the update came from, as plain text (nothing a user typed can break
    it) without link previews."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        message, reply_markup=markup, link_preview_options=NO_PREVIEW
    )


def remember_chat(update: Update, svc: Services) -> int:
    """Record the chat (reactivating it if it had blocked us); returns its id."""
    chat = update.effective_chat
    assert chat is not None
    svc.store.upsert_chat(chat.id, chat.type, chat.title or chat.full_name, svc.clock())
    return chat.id


def command_menu() -> list[BotCommand]:
    return [BotCommand(name, text(f"menu.{name}")) for name in COMMANDS]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome the user; `/start watch-AMZN-NVDA` (a deep link) also subscribes."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    await reply(
        update,
        text("chat.start", disclaimer=svc.settings.disclaimer),
    )
    payload = context.args[0] if context.args else ""
    if payload.lower().startswith("watch-"):
        await _watch(update, svc, chat_id, payload.split("-")[1:])


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands with examples and the keyword query language."""
    remember_chat(update, services(context))
    await reply(update, text("chat.help"))


async def watch(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add tickers: `/watch AMZN NVDA`; a company name works too (`/watch amazon`)."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    if not context.args:
        await reply(update, text("chat.watch.usage"))
        return
    await _watch(update, svc, chat_id, context.args)


async def _watch(update: Update, svc: Services, chat_id: int, words: list[str]) -> None:
    lines: list[str] = []
    suggestions: list[Company] = []
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
        if len(svc.store.chat_subscriptions(chat_id)) >= MAX_SUBSCRIPTIONS:
            lines.append(text("chat.limit", limit=MAX_SUBSCRIPTIONS))
            break
        symbol = company.tickers[0]
        added = svc.store.add_subscription(chat_id, Kind.TICKER, symbol, svc.clock())
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
    await reply(update, "\n".join(lines), markup)


def _unknown_ticker(word: str, suggestions: list[Company]) -> str:
    shown = word[:40]
    if not suggestions:
        return text("chat.watch.unknown", word=shown)
    options = ", ".join(f"{c.tickers[0]} ({c.name})" for c in suggestions[:3])
    return text("chat.watch.suggest", word=shown, options=options)


async def keyword(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Add a keyword query: `/keyword Trainium`, `/keyword "AI chips" -crypto`."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    message = update.effective_message
    raw = _command_argument(message.text if message else None)
    if not raw:
        await reply(update, text("chat.keyword.usage"))
        return
    try:
        query = parse_query(raw)
    except QueryError as exc:
        await reply(update, text("chat.keyword.invalid", error=str(exc)))
        return
    if len(svc.store.chat_subscriptions(chat_id)) >= MAX_SUBSCRIPTIONS:
        await reply(update, text("chat.limit", limit=MAX_SUBSCRIPTIONS))
        return
    added = svc.store.add_subscription(chat_id, Kind.KEYWORD, query.text, svc.clock())
    if added is None:
        await reply(update, text("chat.keyword.already", query=query.text))
        return
    svc.index.add(added)
    await reply(update, text("chat.keyword.added", query=query.text))


def _command_argument(message_text: str | None) -> str:
    """Everything after the command word, as typed (quotes kept for the query language)."""
    if not message_text:
        return ""
    _, _, rest = message_text.partition(" ")
    return rest.strip()


async def remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Remove a ticker or keyword: `/remove AMZN`, `/remove Trainium`."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    message = update.effective_message
    raw = _command_argument(message.text if message else None)
    if not raw:
        await reply(update, text("chat.remove.usage"))
        return
    removed = svc.store.remove_subscriptions(chat_id, raw)
    company = svc.universe.company(raw)
    if not removed and company is not None:
        removed = svc.store.remove_subscriptions(chat_id, company.tickers[0])
    if not removed:
        await reply(update, text("chat.remove.missing", value=raw))
        return
    for sub in removed:
        svc.index.remove(sub.id)
    await reply(update, text("chat.remove.done", value=removed[0].value))


async def list_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Show the chat's tickers (with company names) and keywords."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    subs = svc.store.chat_subscriptions(chat_id)
    if not subs:
        await reply(update, text("chat.list.empty"))
        return
    await reply(update, render_list(svc, subs))


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


async def watch_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The "did you mean" button: subscribe to the suggested ticker."""
    query = update.callback_query
    assert query is not None
    assert query.data is not None
    svc = services(context)
    chat_id = remember_chat(update, svc)
    await query.answer()
    await _watch(update, svc, chat_id, [query.data.removeprefix("watch:")])


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
    sub = svc.store.set_muted(chat_id, subscription_id, muting)
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


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have: say so, and point at /help."""
    message = update.effective_message
    word = (message.text or "").split()[0] if message and message.text else ""
    await reply(update, text("chat.unknown", command=word[:64]))


async def plain_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A private message that is not a command: explain how to talk to the bot."""
    remember_chat(update, services(context))
    await reply(update, text("chat.not_command"))


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("watch", watch))
    app.add_handler(CommandHandler("keyword", keyword))
    app.add_handler(CommandHandler("remove", remove))
    app.add_handler(CommandHandler("list", list_command))
    app.add_handler(CallbackQueryHandler(watch_button, pattern=r"^watch:"))
    app.add_handler(CallbackQueryHandler(mute_button, pattern=r"^(mute|unmute):"))
    app.add_handler(TextHandler(filters.COMMAND, unknown_command))
    app.add_handler(TextHandler(filters.ChatType.PRIVATE & filters.TEXT, plain_text))
