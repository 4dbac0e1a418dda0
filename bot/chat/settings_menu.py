"""/settings: an inline-keyboard menu for the chat's delivery preferences, edited in place.

In: /settings (opens the menu), /settings NAME VALUE (a value no button offers, such as a time
zone: `/settings timezone Europe/Berlin`), and presses of the menu's buttons (callback data
"set:PAGE" opens a page, "set:NAME=VALUE" sets a value and shows the main page again; the
"set:tickers" page lists the chat's tickers, each opening its page of which stories to send:
`bot.chat.choosing`).
Out: `ChatSettings` changed through `Store.chats.update_chat_settings`; the menu message edited.
Values are read by `bot.subscriptions.setting_values` (as /import reads them). A bad value is
refused with the reason and an example (`PreferenceError`'s text); nothing is changed then.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.chat import choosing
from bot.chat.context import Context, edit_in_place, message_argument, reply
from bot.chat.gate import admins_only, target_chat
from bot.delivery.preferences import PreferenceError
from bot.models import ChatSettings, DeliveryMode
from bot.subscriptions.setting_values import NAMES, parse_setting
from bot.texts import languages, said, text
from bot.texts.formats import clock_time, language_name, time_range

DIGEST_TIMES = ("06:00", "07:00", "08:00", "09:00", "12:00", "18:00", "21:00")
TIMEZONES = (
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)
QUIET_HOURS = ("22:00-07:00", "23:00-06:00", "21:00-08:00")
RATES = ("5", "10", "20", "60")


def describe(settings: ChatSettings) -> str:
    """The main page's text: every setting and its value."""
    quiet = (
        time_range(settings.quiet_start, settings.quiet_end, settings.lang)
        if settings.quiet_start and settings.quiet_end
        else text("chat.settings.off", settings.lang)
    )
    rate = (
        str(settings.max_per_hour)
        if settings.max_per_hour
        else text("chat.settings.unlimited", settings.lang)
    )
    return text(
        "chat.settings.menu",
        settings.lang,
        mode=text(f"chat.settings.mode.{settings.delivery_mode.value}", settings.lang),
        digest=clock_time(settings.digest_time, settings.lang),
        timezone=settings.timezone,
        quiet=quiet,
        rate=rate,
        previews=text("chat.settings.on", settings.lang)
        if settings.link_previews
        else text("chat.settings.off", settings.lang),
        language=language_name(settings.lang),
    )


def _button(label: str, data: str, chosen: bool = False) -> InlineKeyboardButton:
    return InlineKeyboardButton(("✓ " if chosen else "") + label, callback_data=data[:64])


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def page(name: str, settings: ChatSettings) -> tuple[str, InlineKeyboardMarkup]:
    """The menu's text and keyboard for one page ("main" or one of NAMES)."""
    if name not in PAGE_WIDTHS:
        return describe(settings), _main_keyboard(settings)
    choices, current = _choices(name, settings)
    options = [_button(label, f"set:{name}={value}", value == current) for label, value in choices]
    back = [_button(text("chat.settings.back", settings.lang), "set:main")]
    rows = [*_rows(options, PAGE_WIDTHS[name]), back]
    return text(f"chat.settings.page.{name}", settings.lang), InlineKeyboardMarkup(rows)


# The pages with choices, and how many buttons each shows side by side.
PAGE_WIDTHS = {"mode": 3, "digest": 4, "timezone": 2, "quiet": 2, "rate": 5, "lang": 4}


def _choices(name: str, settings: ChatSettings) -> tuple[list[tuple[str, str]], str]:
    """A page's (label, value) choices and the value now chosen."""
    if name == "mode":
        modes = [
            (text(f"chat.settings.mode.{m.value}", settings.lang), m.value) for m in DeliveryMode
        ]
        return modes, settings.delivery_mode.value
    if name == "digest":
        return [(t, t) for t in DIGEST_TIMES], settings.digest_time
    if name == "timezone":
        return [(z, z) for z in TIMEZONES], settings.timezone
    if name == "quiet":
        quiet = f"{settings.quiet_start}-{settings.quiet_end}" if settings.quiet_start else "off"
        return [
            (text("chat.settings.off", settings.lang), "off"),
            *((q, q) for q in QUIET_HOURS),
        ], quiet
    if name == "rate":
        rate = "off" if settings.max_per_hour is None else str(settings.max_per_hour)
        return [
            (text("chat.settings.unlimited", settings.lang), "off"),
            *((r, r) for r in RATES),
        ], rate
    return [(language_name(code), code) for code in languages()], settings.lang


def _main_keyboard(settings: ChatSettings) -> InlineKeyboardMarkup:
    toggle = "off" if settings.link_previews else "on"
    rows = [
        [_button(text("chat.settings.button.mode", settings.lang), "set:mode")],
        [
            _button(text("chat.settings.button.digest", settings.lang), "set:digest"),
            _button(text("chat.settings.button.timezone", settings.lang), "set:timezone"),
        ],
        [
            _button(text("chat.settings.button.quiet", settings.lang), "set:quiet"),
            _button(text("chat.settings.button.rate", settings.lang), "set:rate"),
        ],
        [
            _button(
                text(f"chat.settings.button.previews.{toggle}", settings.lang),
                f"set:previews={toggle}",
            ),
            _button(text("chat.settings.button.lang", settings.lang), "set:lang"),
        ],
        [_button(text("chat.settings.button.tickers", settings.lang), "set:tickers")],
    ]
    return InlineKeyboardMarkup(rows)


def _follow_language(
    update: Update, context: Context, chat_id: int, changes: dict[str, object]
) -> None:
    """A chat that changed its own language is answered in the new one from now on."""
    chat = update.effective_chat
    if isinstance(changes.get("lang"), str) and chat is not None and chat.id == chat_id:
        context.lang = str(changes["lang"])


def _current(context: Context, chat_id: int) -> ChatSettings:
    found = context.svc.store.chats.chat_settings(chat_id)
    return found if found is not None else ChatSettings(chat_id=chat_id)


@admins_only
async def settings_command(update: Update, context: Context) -> None:
    """/settings opens the menu; /settings NAME VALUE sets one value directly."""
    chat_id = target_chat(update, context)
    raw = message_argument(update)
    if raw:
        name, _, value = raw.partition(" ")
        if not value.strip():
            await reply(update, text("chat.settings.usage", context.lang, names=", ".join(NAMES)))
            return
        try:
            changes = parse_setting(name, value)
        except PreferenceError as exc:
            await reply(
                update, text("chat.settings.invalid", context.lang, error=said(exc, context.lang))
            )
            return
        updated = context.svc.store.chats.update_chat_settings(chat_id, **changes)
        _follow_language(update, context, chat_id, changes)
        await reply(update, text("chat.settings.saved", context.lang) + "\n\n" + describe(updated))
        return
    body, markup = page("main", _current(context, chat_id))
    await reply(update, body, markup)


@admins_only
async def menu_button(update: Update, context: Context) -> None:
    """ "Settings" under a digest or a notice: the menu, as a new message (that one stays)."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    await query.answer()
    body, markup = page("main", _current(context, target_chat(update, context)))
    await reply(update, body, markup)


async def settings_button(update: Update, context: Context) -> None:
    """A press in the menu: open a page, or set a value and show the main page; the menu
    message is edited in place."""
    query = update.callback_query
    assert query is not None  # registered for button presses only
    chat_id = target_chat(update, context)
    action = (query.data or "").removeprefix("set:")
    name, is_value, value = action.partition("=")
    shown = "main"
    if is_value:
        try:
            changes = parse_setting(name, value)
        except PreferenceError as exc:
            await query.answer(str(said(exc, context.lang))[:190], show_alert=True)
            return
        context.svc.store.chats.update_chat_settings(chat_id, **changes)
        _follow_language(update, context, chat_id, changes)
        await query.answer(text("chat.settings.saved", context.lang))
    else:
        shown = name if name in NAMES else "main"
        await query.answer()
    body, markup = page(shown, _current(context, chat_id))
    if not is_value and name == "tickers":
        subs = context.svc.store.subscriptions.chat_subscriptions(chat_id)
        body, markup = choosing.tickers_page(subs, context.lang)
    if isinstance(query.message, Message):
        await edit_in_place(query.message, body, markup)
