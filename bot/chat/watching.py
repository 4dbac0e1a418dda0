"""What a chat watches: /watch, /keyword, /remove, /list, and the buttons that change them.

In: ticker words, company names, keyword queries, and presses of the "did you mean", remove
and the alerts' Mute/Undo buttons. Out: the change made through the subscriptions service
(the database and the match index together) and a reply saying what became of each word.
A command without arguments is answered with an example, never silence.
"""

from __future__ import annotations

from telegram import Message, Update

from bot.chat import keyboards
from bot.chat.context import Context, edit_in_place, message_argument, reply
from bot.chat.gate import admins_only, remember_chat, target_chat
from bot.matching.tickers import Company, TickerUniverse
from bot.models import Kind, Subscription
from bot.render.message import parse_callback, subscription_label
from bot.subscriptions.service import Added, Outcome
from bot.texts import text

# The reply to each outcome of /watch (the ticker's symbol and name fill it in).
WATCH_TEXTS = {
    Outcome.ADDED: "chat.watch.added",
    Outcome.RESOLVED: "chat.watch.resolved",
    Outcome.ALREADY: "chat.watch.already",
}


@admins_only
async def watch(update: Update, context: Context) -> None:
    """Add tickers: `/watch AMZN NVDA`; a company name works too (`/watch amazon`)."""
    chat_id = target_chat(update, context)
    if not context.args:
        await reply(update, text("chat.watch.usage"))
        return
    await watch_words(update, context, chat_id, context.args)


async def watch_words(update: Update, context: Context, chat_id: int, words: list[str]) -> None:
    """Watch `words` for `chat_id` and say what became of each (also for deep links)."""
    results = context.svc.subscriptions.watch(chat_id, words)
    lines = [_watched(r, context.svc.subscriptions.limit) for r in results]
    found = [c for r in results for c in r.suggestions]
    await reply(update, "\n".join(lines) or text("chat.watch.usage"), keyboards.suggestions(found))


def _watched(result: Added, limit: int) -> str:
    if result.outcome is Outcome.LIMIT:
        return text("chat.limit", limit=limit)
    if result.outcome is Outcome.UNKNOWN:
        return _unknown_ticker(result.word, list(result.suggestions))
    key = WATCH_TEXTS[result.outcome]
    return text(key, word=result.word, symbol=result.value, name=result.name)


def _unknown_ticker(word: str, suggestions: list[Company]) -> str:
    shown = word[:40]
    if not suggestions:
        return text("chat.watch.unknown", word=shown)
    options = ", ".join(f"{c.tickers[0]} ({c.name})" for c in suggestions[:3])
    return text("chat.watch.suggest", word=shown, options=options)


@admins_only
async def keyword(update: Update, context: Context) -> None:
    """Add a keyword query: `/keyword Trainium`, `/keyword "AI chips" -crypto`."""
    chat_id = target_chat(update, context)
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.keyword.usage"))
        return
    result = context.svc.subscriptions.add_keyword(chat_id, raw)
    if result.outcome is Outcome.INVALID:
        answer = text("chat.keyword.invalid", error=result.error)
    elif result.outcome is Outcome.LIMIT:
        answer = text("chat.limit", limit=context.svc.subscriptions.limit)
    elif result.outcome is Outcome.ALREADY:
        answer = text("chat.keyword.already", query=result.value)
    else:
        answer = text("chat.keyword.added", query=result.value)
    await reply(update, answer)


@admins_only
async def remove(update: Update, context: Context) -> None:
    """Remove a ticker or keyword: `/remove AMZN`, `/remove Trainium`."""
    chat_id = target_chat(update, context)
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.remove.usage"))
        return
    removed = context.svc.subscriptions.remove(chat_id, raw)
    if not removed:
        await reply(update, text("chat.remove.missing", value=raw))
        return
    await reply(update, text("chat.remove.done", value=removed[0].value))


async def list_command(update: Update, context: Context) -> None:
    """Show the chat's tickers (with company names) and keywords, each with a remove button."""
    chat_id = target_chat(update, context)
    subs = context.svc.store.subscriptions.chat_subscriptions(chat_id)
    if not subs:
        await reply(update, text("chat.list.empty"))
        return
    await reply(update, render_list(context.svc.universe, subs), keyboards.remove_buttons(subs))


def render_list(universe: TickerUniverse, subs: list[Subscription]) -> str:
    lines = [text("chat.list.title")]
    tickers = [s for s in subs if s.kind is Kind.TICKER]
    keywords = [s for s in subs if s.kind is Kind.KEYWORD]
    if tickers:
        lines.append(text("chat.list.tickers"))
        for sub in tickers:
            company = universe.company(sub.value)
            name = company.name if company else ""
            lines.append(text("chat.list.ticker", symbol=sub.value, name=name))
    if keywords:
        lines.append(text("chat.list.keywords"))
        lines.extend(text("chat.list.keyword", query=s.value) for s in keywords)
    return "\n".join(lines)


@admins_only
async def remove_button(update: Update, context: Context) -> None:
    """A remove button under /list: drop that subscription and edit the list in place."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = target_chat(update, context)
    raw = (query.data or "").removeprefix("rm:")
    removed = context.svc.subscriptions.remove_one(chat_id, int(raw)) if raw.isdigit() else None
    if removed is None:
        await query.answer(text("chat.gone"), show_alert=True)
        return
    await query.answer(text("chat.remove.done", value=removed.value))
    if isinstance(query.message, Message):
        subs = context.svc.store.subscriptions.chat_subscriptions(chat_id)
        if subs:
            body = render_list(context.svc.universe, subs)
            await edit_in_place(query.message, body, keyboards.remove_buttons(subs))
        else:
            await edit_in_place(query.message, text("chat.list.empty"))


@admins_only
async def watch_button(update: Update, context: Context) -> None:
    """The "did you mean" button: subscribe to the suggested ticker."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = target_chat(update, context)
    await query.answer()
    await watch_words(update, context, chat_id, [(query.data or "").removeprefix("watch:")])


@admins_only
async def mute_button(update: Update, context: Context) -> None:
    """The alert's "Mute $AMZN" button and its "Undo": pause or resume that subscription,
    and swap the button in place."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = remember_chat(update, context)
    parsed = parse_callback(query.data or "")
    if parsed is None:
        await query.answer()
        return
    action, subscription_id = parsed
    muting = action == "mute"
    sub = context.svc.subscriptions.set_muted(chat_id, subscription_id, muting)
    if sub is None:
        await query.answer(text("chat.gone"), show_alert=True)
        return
    label = subscription_label(sub)
    await query.answer(text("chat.muted" if muting else "chat.unmuted", label=label))
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        await message.edit_reply_markup(
            keyboards.swap_mute_button(message.reply_markup, sub, muting)
        )
