"""Which stories of a watched ticker a chat gets: /sources, /events, and the per-ticker page.

In: `/sources TICKER WORDS`, `/events TICKER WORDS` (grammar: `bot.subscriptions.choice`), and
presses on the per-ticker page (callback data "ch:ID" opens it, "ch:ID:r=any", "ch:ID:s=news",
"ch:ID:e=legal", "ch:ID:e=all" change one option), reached from /settings or from /list.
Out: the change made through the subscriptions service, a reply saying the ticker's choice now,
the page edited in place. A word that is not a choice is answered with the valid ones; an
unknown ticker with the "did you mean" suggestions /watch gives.
"""

from __future__ import annotations

from collections.abc import Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.chat import keyboards
from bot.chat.context import Context, edit_in_place, message_argument, reply
from bot.chat.gate import admins_only, target_chat
from bot.matching.events import EVENTS
from bot.models import Choice, EventRule, Kind, Reach, SourceKind, Subscription
from bot.subscriptions.choice import SOURCES, ChoiceError, change_events, change_sources
from bot.subscriptions.service import Chosen
from bot.texts import text

EVENTS_PER_ROW = 3


# -- saying a choice --------------------------------------------------------------------------
def _sources(choice: Choice, lang: str) -> str:
    on = [
        text(f"choice.source.{s}", lang) for s in SOURCES if SourceKind(s) not in choice.sources_off
    ]
    if not choice.sources_off:
        return text("choice.all", lang)
    return ", ".join(on) or text("choice.none", lang)


def _events(choice: Choice, lang: str) -> str:
    if choice.event_rule is EventRule.ALL:
        return text("choice.all", lang)
    names = ", ".join(text(f"event.{e}", lang) for e in choice.events)
    return text(f"choice.events.{choice.event_rule.value}", lang, events=names)


def summary(choice: Choice, lang: str) -> str:
    """The whole choice: "about the company; sources: all; events: all but ⚖️ Legal"."""
    return text(
        "choice.summary",
        lang,
        reach=text(f"choice.reach.{choice.reach.value}", lang),
        sources=_sources(choice, lang),
        events=_events(choice, lang),
    )


def list_note(choice: Choice, lang: str) -> str:
    """What /list adds after a ticker: its options that are not the defaults, or nothing."""
    notes = []
    if choice.reach is not Reach.ABOUT:
        notes.append(text(f"choice.reach.{choice.reach.value}", lang))
    if choice.sources_off:
        notes.append(text("choice.note.sources", lang, sources=_sources(choice, lang)))
    if choice.event_rule is not EventRule.ALL:
        notes.append(text("choice.note.events", lang, events=_events(choice, lang)))
    return text("chat.list.choice", lang, notes="; ".join(notes)) if notes else ""


# -- the commands ---------------------------------------------------------------------------
@admins_only
async def sources_command(update: Update, context: Context) -> None:
    """`/sources AMZN -filings`: which kinds of source a ticker's alerts come from."""
    await _choose(update, context, "sources", change_sources, ", ".join(SOURCES))


@admins_only
async def events_command(update: Update, context: Context) -> None:
    """`/events AMZN -solicitation`, `/events AMZN only earnings`: a ticker's event types."""
    await _choose(update, context, "events", change_events, ", ".join(EVENTS))


async def _choose(
    update: Update,
    context: Context,
    what: str,
    change: Callable[[Choice, list[str]], Choice],
    options: str,
) -> None:
    chat_id, lang = target_chat(update, context), context.lang
    words = message_argument(update).split()
    if len(words) < 2:
        current = _current(context, chat_id, words[0] if words else "")
        await reply(update, text(f"chat.{what}.usage", lang, options=options, current=current))
        return
    try:
        change(Choice(), words[1:])  # the words are checked before anything is looked up
    except ChoiceError as exc:
        await reply(update, exc.say(lang))
        return
    chosen = context.svc.subscriptions.choose(chat_id, words[0], lambda c: change(c, words[1:]))
    await reply(update, *said_chosen(chosen, lang))


def said_chosen(chosen: Chosen, lang: str) -> tuple[str, InlineKeyboardMarkup | None]:
    """The reply to a change of choice: the ticker's choice now, or why nothing changed."""
    if chosen.subscription is not None:
        sub = chosen.subscription
        return text(
            "chat.choice.saved", lang, symbol=sub.value, summary=summary(sub.choice, lang)
        ), None
    if chosen.symbol:
        return text("chat.choice.not_watched", lang, symbol=chosen.symbol), None
    shown = chosen.word[:40]
    if not chosen.suggestions:
        return text("chat.watch.unknown", lang, word=shown), None
    options = ", ".join(
        text("chat.watch.option", lang, symbol=c.tickers[0], name=c.name)
        for c in chosen.suggestions[: keyboards.SHOWN_SUGGESTIONS]
    )
    markup = keyboards.suggestions([list(chosen.suggestions)], lang)
    return text("chat.watch.suggest", lang, word=shown, options=options), markup


def _current(context: Context, chat_id: int, word: str) -> str:
    """The choices of the chat's tickers (of `word`'s alone when it names one)."""
    tickers = [
        s
        for s in context.svc.store.subscriptions.chat_subscriptions(chat_id)
        if s.kind is Kind.TICKER and (not word or s.value.casefold() == word.lstrip("$").casefold())
    ]
    if not tickers:
        return text("chat.choice.usage_none", context.lang)
    lines = [
        text(
            "chat.choice.saved",
            context.lang,
            symbol=s.value,
            summary=summary(s.choice, context.lang),
        )
        for s in tickers[:10]
    ]
    return "\n" + "\n".join(lines)


# -- the per-ticker page --------------------------------------------------------------------
def _button(label: str, data: str, chosen: bool = False) -> InlineKeyboardButton:
    return InlineKeyboardButton(("✓ " if chosen else "") + label, callback_data=data[:64])


def ticker_page(sub: Subscription, name: str, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The page of one ticker's choice: reach, each source, each event type, edited in place."""
    choice, base = sub.choice, f"ch:{sub.id}:"
    reach = [
        _button(
            text(f"chat.choice.button.{r.value}", lang), f"{base}r={r.value}", choice.reach is r
        )
        for r in Reach
    ]
    sources = [
        _button(
            text(f"choice.source.{s}", lang),
            f"{base}s={s}",
            SourceKind(s) not in choice.sources_off,
        )
        for s in SOURCES
    ]
    events = [
        _button(text(f"event.{e}", lang), f"{base}e={e}", choice.takes_events((e,))) for e in EVENTS
    ]
    rows = [
        reach,
        sources,
        *(events[i : i + EVENTS_PER_ROW] for i in range(0, len(events), EVENTS_PER_ROW)),
        [_button(text("chat.choice.button.all_events", lang), f"{base}e=all")],
        [_button(text("chat.settings.back", lang), "set:tickers")],
    ]
    body = text(
        "chat.choice.page", lang, symbol=sub.value, name=name, summary=summary(choice, lang)
    )
    return body, InlineKeyboardMarkup(rows)


def tickers_page(subs: list[Subscription], lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """The settings menu's list of the chat's tickers, each opening its page."""
    tickers = [s for s in subs if s.kind is Kind.TICKER][: keyboards.LISTED_BUTTONS]
    rows = [[_button(f"${s.value}{list_note(s.choice, lang)}", f"ch:{s.id}")] for s in tickers]
    rows.append([_button(text("chat.settings.back", lang), "set:main")])
    key = "chat.settings.page.tickers" if tickers else "chat.settings.tickers.empty"
    return text(key, lang), InlineKeyboardMarkup(rows)


def changed(choice: Choice, action: str) -> Choice | None:
    """The choice after one press ("r=any", "s=news", "e=legal", "e=all"); None for data
    this version did not write."""
    name, _, value = action.partition("=")
    try:
        if name == "r" and value in {r.value for r in Reach}:
            return Choice(Reach(value), choice.sources_off, choice.event_rule, choice.events)
        if name == "s":
            sign = "+" if SourceKind(value) in choice.sources_off else "-"
            return change_sources(choice, [sign + value])
        if name == "e" and value == "all":
            return change_events(choice, ["all"])
        if name == "e":
            return change_events(choice, [("-" if choice.takes_events((value,)) else "+") + value])
    except (ValueError, ChoiceError):
        return None
    return None


@admins_only
async def choice_button(update: Update, context: Context) -> None:
    """A press on a ticker's page (or on /list's ⚙ button): open it, or change one option and
    edit the page in place."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = target_chat(update, context)
    sub_id, _, action = (query.data or "").removeprefix("ch:").partition(":")
    sub = (
        context.svc.store.subscriptions.chat_subscription(chat_id, int(sub_id))
        if sub_id.isdigit()
        else None
    )
    if sub is None or sub.kind is not Kind.TICKER:
        await query.answer(text("chat.gone", context.lang), show_alert=True)
        return
    if action:
        choice = changed(sub.choice, action)
        sub = context.svc.subscriptions.set_choice(chat_id, sub.id, choice) if choice else sub
        if sub is None:
            await query.answer(text("chat.gone", context.lang), show_alert=True)
            return
        await query.answer(text("chat.settings.saved", context.lang))
    else:
        await query.answer()
    company = context.svc.universe.company(sub.value)
    body, markup = ticker_page(sub, company.name if company else "", context.lang)
    if isinstance(query.message, Message):
        await edit_in_place(query.message, body, markup)
