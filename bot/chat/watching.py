"""What a chat watches: /watch, /keyword, /remove, /list, and the buttons that change them.

In: what people type after /watch (read whole by `bot.matching.resolve`: names of several
words, exchange forms, cashtags, share classes; a last word "about" or "any" is the reach of
the tickers named, `bot.subscriptions.choice`), keyword queries, and presses of the "did you
mean", remove and the alerts' Mute/Undo and Snooze buttons. Out: the change made through the
subscriptions service (the database and the match index together) and a reply saying what
became of each word; for a keyword, the query as understood and its last 24 hours' matches;
/list with each ticker's options that are not the defaults.
A command without arguments is answered with an example, never silence.
"""

from __future__ import annotations

import asyncio

from telegram import Message, Update

from bot.chat import keyboards
from bot.chat.choosing import list_note, summary
from bot.chat.context import Context, edit_in_place, message_argument, reply
from bot.chat.gate import admins_only, remember_chat, target_chat
from bot.matching.tickers import Company, TickerUniverse
from bot.models import Kind, Reach, Subscription
from bot.render.buttons import parse_snooze
from bot.render.message import parse_callback, subscription_label
from bot.subscriptions.choice import split_reach
from bot.subscriptions.service import Added, Outcome
from bot.texts import said, text
from bot.texts.formats import local_moment

# The reply to each outcome of /watch (the ticker's symbol and name fill it in).
WATCH_TEXTS = {
    Outcome.ADDED: "chat.watch.added",
    Outcome.RESOLVED: "chat.watch.resolved",
    Outcome.ALREADY: "chat.watch.already",
}


@admins_only
async def watch(update: Update, context: Context) -> None:
    """Add tickers: `/watch AMZN NVDA`; a company name works too (`/watch amazon`); a last
    word "any" or "about" sets which stories they bring (`/watch NVDA any`)."""
    chat_id = target_chat(update, context)
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.watch.usage", context.lang))
        return
    typed, reach = split_reach(raw)
    await watch_words(update, context, chat_id, typed, reach)


async def watch_words(
    update: Update, context: Context, chat_id: int, typed: str, reach: Reach | None = None
) -> None:
    """Watch what `typed` names for `chat_id` (read as a whole first: "bank of america") and
    say what became of each thing named; a button row per unknown or ambiguous word. With
    `reach`, each ticker named takes it, and the reply says each one's choice now."""
    results = context.svc.subscriptions.watch(chat_id, [typed], reach)
    lines = [_watched(r, context.svc.subscriptions.limit, context.lang) for r in results]
    if reach is not None:
        lines.extend(_reach_lines(context, chat_id, [r.value for r in results if r.value]))
    added = [r.value for r in results if r.outcome in (Outcome.ADDED, Outcome.RESOLVED)]
    if reach is None and added:  # the default is "about": say so, and how to widen it
        lines.append(text("chat.watch.reach_hint", context.lang, symbol=added[0]))
    rows = [list(r.suggestions) for r in results if r.suggestions]
    await reply(
        update,
        "\n".join(lines) or text("chat.watch.usage", context.lang),
        keyboards.suggestions(rows, context.lang),
    )


def _reach_lines(context: Context, chat_id: int, symbols: list[str]) -> list[str]:
    subs = context.svc.store.subscriptions.chat_subscriptions(chat_id)
    return [
        text(
            "chat.choice.saved",
            context.lang,
            symbol=s.value,
            summary=summary(s.choice, context.lang),
        )
        for s in subs
        if s.kind is Kind.TICKER and s.value in symbols
    ]


def _watched(result: Added, limit: int, lang: str) -> str:
    if result.outcome is Outcome.LIMIT:
        return text("chat.limit", lang, limit=limit)
    if result.outcome is Outcome.AMBIGUOUS:
        options = ", ".join(
            _company(c, lang) for c in result.suggestions[: keyboards.SHOWN_SUGGESTIONS]
        )
        return text("chat.watch.ambiguous", lang, word=result.word[:40], options=options)
    if result.outcome is Outcome.UNKNOWN:
        return _unknown_ticker(result.word, list(result.suggestions), lang)
    key = WATCH_TEXTS[result.outcome]
    return text(key, lang, word=result.word, symbol=result.value, name=result.name)


def _unknown_ticker(word: str, suggestions: list[Company], lang: str) -> str:
    shown = word[:40]
    if not suggestions:
        return text("chat.watch.unknown", lang, word=shown)
    options = ", ".join(_company(c, lang) for c in suggestions[: keyboards.SHOWN_SUGGESTIONS])
    return text("chat.watch.suggest", lang, word=shown, options=options)


def _company(company: Company, lang: str) -> str:
    return text("chat.watch.option", lang, symbol=company.tickers[0], name=company.name)


@admins_only
async def keyword(update: Update, context: Context) -> None:
    """Add a keyword query: `/keyword Trainium`, `/keyword "AI chips" -crypto`."""
    chat_id = target_chat(update, context)
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.keyword.usage", context.lang))
        return
    subscriptions = context.svc.subscriptions
    result = subscriptions.add_keyword(chat_id, raw)
    if result.outcome is Outcome.INVALID:
        answer = text("chat.keyword.invalid", context.lang, error=said(result.error, context.lang))
    elif result.outcome is Outcome.LIMIT:
        answer = text("chat.limit", context.lang, limit=subscriptions.limit)
    else:
        key = "chat.keyword.already" if result.outcome is Outcome.ALREADY else "chat.keyword.added"
        # The stored articles are matched off the event loop: a big bot keeps thousands.
        recent = await asyncio.to_thread(subscriptions.recent_matches, result.value)
        tried = (
            text("chat.keyword.recent", context.lang, count=recent.matched, total=recent.total)
            if recent.total
            else text("chat.keyword.recent_none", context.lang)
        )
        answer = f"{text(key, context.lang, query=result.shown)}\n{tried}"
    await reply(update, answer)


@admins_only
async def remove(update: Update, context: Context) -> None:
    """Remove a ticker or keyword: `/remove AMZN`, `/remove Trainium`."""
    chat_id = target_chat(update, context)
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.remove.usage", context.lang))
        return
    removed = context.svc.subscriptions.remove(chat_id, raw)
    if not removed:
        await reply(update, text("chat.remove.missing", context.lang, value=raw))
        return
    await reply(update, text("chat.remove.done", context.lang, value=removed[0].value))


async def list_command(update: Update, context: Context) -> None:
    """Show the chat's tickers (with company names) and keywords, each with a remove button."""
    chat_id = target_chat(update, context)
    subs = context.svc.store.subscriptions.chat_subscriptions(chat_id)
    if not subs:
        await reply(update, text("chat.list.empty", context.lang))
        return
    body = render_list(context.svc.universe, subs, _snoozed(context, chat_id), context.lang)
    await reply(update, body, keyboards.remove_buttons(subs, context.lang))


def _snoozed(context: Context, chat_id: int) -> dict[int, str]:
    """When each snoozed subscription of the chat comes back, as the chat reads time."""
    settings = context.svc.store.chats.chat_settings(chat_id)
    zone = settings.timezone if settings is not None else "UTC"
    return {
        i: local_moment(when, zone, context.lang)
        for i, when in context.svc.store.subscriptions.snoozed(chat_id).items()
    }


def render_list(
    universe: TickerUniverse,
    subs: list[Subscription],
    snoozed: dict[int, str] | None = None,
    lang: str = "en",
) -> str:
    """The /list text; `snoozed` says until when each snoozed subscription is quiet."""
    until = snoozed or {}

    def note(sub: Subscription) -> str:
        return text("chat.list.snoozed", lang, until=until[sub.id]) if sub.id in until else ""

    lines = [text("chat.list.title", lang)]
    tickers = [s for s in subs if s.kind is Kind.TICKER]
    keywords = [s for s in subs if s.kind is Kind.KEYWORD]
    if tickers:
        lines.append(text("chat.list.tickers", lang))
        for sub in tickers:
            company = universe.company(sub.value)
            name = company.name if company else ""
            ticker = text("chat.list.ticker", lang, symbol=sub.value, name=name)
            lines.append(ticker + list_note(sub.choice, lang) + note(sub))
    if keywords:
        lines.append(text("chat.list.keywords", lang))
        lines.extend(text("chat.list.keyword", lang, query=s.value) + note(s) for s in keywords)
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
        await query.answer(text("chat.gone", context.lang), show_alert=True)
        return
    await query.answer(text("chat.remove.done", context.lang, value=removed.value))
    if isinstance(query.message, Message):
        subs = context.svc.store.subscriptions.chat_subscriptions(chat_id)
        if subs:
            body = render_list(context.svc.universe, subs, _snoozed(context, chat_id), context.lang)
            await edit_in_place(query.message, body, keyboards.remove_buttons(subs, context.lang))
        else:
            await edit_in_place(query.message, text("chat.list.empty", context.lang))


@admins_only
async def watch_button(update: Update, context: Context) -> None:
    """The "did you mean" button: subscribe to the suggested ticker."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = target_chat(update, context)
    await query.answer()
    # The button carries a symbol in capitals: read as that symbol, never as a name.
    await watch_words(update, context, chat_id, "$" + (query.data or "").removeprefix("watch:"))


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
        await query.answer(text("chat.gone", context.lang), show_alert=True)
        return
    label = subscription_label(sub)
    await query.answer(text("chat.muted" if muting else "chat.unmuted", context.lang, label=label))
    message = query.message
    if isinstance(message, Message) and message.reply_markup is not None:
        await message.edit_reply_markup(
            keyboards.swap_mute_button(message.reply_markup, sub, muting, context.lang)
        )


@admins_only
async def snooze_button(update: Update, context: Context) -> None:
    """The alert's "Snooze" button: offer 1 hour, 1 day, 1 week in place of that
    subscription's row; a span pressed silences the subscription until then."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = remember_chat(update, context)
    parsed = parse_snooze(query.data or "")
    message = query.message
    markup = message.reply_markup if isinstance(message, Message) else None
    if parsed is None:
        await query.answer()
        return
    subscription_id, span = parsed
    if span is None:
        sub = context.svc.store.subscriptions.chat_subscription(chat_id, subscription_id)
        if sub is None:
            await query.answer(text("chat.gone", context.lang), show_alert=True)
            return
        await query.answer(text("chat.snooze.pick", context.lang, label=subscription_label(sub)))
        if isinstance(message, Message) and markup is not None:
            await message.edit_reply_markup(
                keyboards.offer_snooze(markup, subscription_id, context.lang)
            )
        return
    snoozed = context.svc.subscriptions.snooze(chat_id, subscription_id, span)
    if snoozed is None:
        await query.answer(text("chat.gone", context.lang), show_alert=True)
        return
    settings = context.svc.store.chats.chat_settings(chat_id)
    until = local_moment(
        snoozed.until, settings.timezone if settings is not None else "UTC", context.lang
    )
    label = subscription_label(snoozed.subscription)
    await query.answer(text("chat.snoozed", context.lang, label=label, until=until))
    if isinstance(message, Message) and markup is not None:
        await message.edit_reply_markup(
            keyboards.snooze_done(markup, snoozed.subscription, context.lang)
        )
