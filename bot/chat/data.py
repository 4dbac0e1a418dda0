"""The chat's data: /export and /import of its subscriptions and settings, and /delete_me.

In: /export; a JSON file sent with the caption /import (or right after /import); /delete_me
and its confirmation button ("forget:yes" / "forget:no").
Out: a JSON document (`export_document`), the chat's state replaced by a valid import in one
transaction (`Store.subscriptions.replace_chat_state`), or everything about the chat removed
(`Store.chats.delete_chat`); the match index follows every change.
Fails: a malformed file is refused with the reason (`ImportRefused`'s text) and changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.chat.common import (
    admins_only,
    edit_in_place,
    reply,
    services,
    target_chat,
)
from bot.chat.settings_menu import parse_setting
from bot.delivery.preferences import PreferenceError
from bot.matching.keywords import QueryError, parse_query
from bot.matching.tickers import TickerUniverse
from bot.models import ChatSettings, Kind
from bot.services import Services
from bot.storage.subscriptions import SubscriptionState
from bot.texts import text

FORMAT = "investor-alerts-export"
VERSION = 1
MAX_IMPORT_BYTES = 256 * 1024
AWAITING_IMPORT = "awaiting_import"
# Exported settings, by the name /settings uses, and how to write each one back as text.
EXPORTED = ("mode", "digest", "timezone", "quiet", "rate", "previews", "lang")


class ImportRefused(ValueError):
    """An import file that cannot be used; str() says why."""


def export_document(settings: ChatSettings, subs: list[SubscriptionState]) -> dict[str, Any]:
    """The chat's subscriptions and settings as a JSON-ready document."""
    quiet = f"{settings.quiet_start}-{settings.quiet_end}" if settings.quiet_start else "off"
    return {
        "format": FORMAT,
        "version": VERSION,
        "subscriptions": [{"kind": s.kind.value, "value": s.value, "muted": s.muted} for s in subs],
        "settings": {
            "mode": settings.delivery_mode.value,
            "digest": settings.digest_time,
            "timezone": settings.timezone,
            "quiet": quiet,
            "rate": str(settings.max_per_hour) if settings.max_per_hour else "off",
            "previews": "on" if settings.link_previews else "off",
            "lang": settings.lang,
        },
    }


def read_import(
    raw: bytes, universe: TickerUniverse, limit: int
) -> tuple[list[SubscriptionState], dict[str, object]]:
    """Check an import file completely before anything is changed: the subscriptions and the
    settings fields it holds. Raises ImportRefused naming the first problem."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ImportRefused(text("chat.import.error.size", limit=MAX_IMPORT_BYTES // 1024))
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ImportRefused(text("chat.import.error.json", error=str(exc)[:200])) from None
    if not isinstance(document, Mapping) or document.get("format") != FORMAT:
        raise ImportRefused(text("chat.import.error.format"))
    if document.get("version") != VERSION:
        raise ImportRefused(text("chat.import.error.version", version=str(document.get("version"))))
    items = document.get("subscriptions", [])
    if not isinstance(items, list):
        raise ImportRefused(text("chat.import.error.field", field="subscriptions"))
    if len(items) > limit:
        raise ImportRefused(text("chat.import.error.limit", count=len(items), limit=limit))
    subs = [_subscription(item, n, universe) for n, item in enumerate(items, start=1)]
    given = document.get("settings", {})
    if not isinstance(given, Mapping):
        raise ImportRefused(text("chat.import.error.field", field="settings"))
    changes: dict[str, object] = {}
    for name, value in given.items():
        if name not in EXPORTED or not isinstance(value, str):
            raise ImportRefused(text("chat.import.error.setting", name=str(name)[:40]))
        try:
            changes.update(parse_setting(name, value))
        except PreferenceError as exc:
            raise ImportRefused(
                text("chat.import.error.value", name=name, error=str(exc))
            ) from None
    return subs, changes


def _subscription(item: object, number: int, universe: TickerUniverse) -> SubscriptionState:
    if not isinstance(item, Mapping):
        raise ImportRefused(text("chat.import.error.item", number=number))
    kind, value, muted = item.get("kind"), item.get("value"), item.get("muted", False)
    if not isinstance(value, str) or not value.strip() or not isinstance(muted, bool):
        raise ImportRefused(text("chat.import.error.item", number=number))
    if kind == Kind.TICKER.value:
        company = universe.company(value)
        if company is None:
            raise ImportRefused(text("chat.import.error.ticker", number=number, value=value[:40]))
        return SubscriptionState(Kind.TICKER, company.tickers[0], muted)
    if kind == Kind.KEYWORD.value:
        try:
            query = parse_query(value)
        except QueryError as exc:
            raise ImportRefused(
                text("chat.import.error.keyword", number=number, error=str(exc))
            ) from None
        return SubscriptionState(Kind.KEYWORD, query.text, muted)
    raise ImportRefused(text("chat.import.error.kind", number=number, kind=str(kind)[:20]))


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/export: the chat's subscriptions and settings as a JSON file."""
    svc = services(context)
    chat_id = target_chat(update, context)
    settings = svc.store.chats.chat_settings(chat_id) or ChatSettings(chat_id=chat_id)
    document = export_document(settings, svc.store.subscriptions.subscription_states(chat_id))
    payload = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    message = update.effective_message
    if message is None:
        return
    await message.reply_document(
        InputFile(payload, filename="investor-alerts.json"),
        caption=text("chat.export.caption", count=len(document["subscriptions"])),
    )


@admins_only
async def import_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/import without a file: wait for the file in this chat."""
    if context.chat_data is not None:
        context.chat_data[AWAITING_IMPORT] = True
    await reply(update, text("chat.import.usage"))


async def document_received(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file: imported when its caption is /import or /import was sent just before."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    captioned = (message.caption or "").strip().lower().startswith("/import")
    awaited = context.chat_data is not None and context.chat_data.pop(AWAITING_IMPORT, False)
    if not (captioned or awaited):
        return
    await _import(update, context)


@admins_only
async def _import(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat_id = target_chat(update, context)
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if (message.document.file_size or 0) > MAX_IMPORT_BYTES:
        await reply(
            update,
            text(
                "chat.import.refused",
                error=text("chat.import.error.size", limit=MAX_IMPORT_BYTES // 1024),
            ),
        )
        return
    file = await message.document.get_file()
    raw = bytes(await file.download_as_bytearray())
    try:
        wanted, changes = read_import(raw, svc.universe, svc.settings.max_subscriptions)
    except ImportRefused as exc:
        await reply(update, text("chat.import.refused", error=str(exc)))
        return
    removed, added = svc.store.subscriptions.replace_chat_state(
        chat_id, wanted, changes, svc.clock()
    )
    _reindex(svc, [s.id for s in removed], added)
    await reply(update, text("chat.import.done", count=len(wanted), replaced=len(removed)))


def _reindex(svc: Services, removed_ids: list[int], added: list[Any]) -> None:
    for sub_id in removed_ids:
        svc.index.remove(sub_id)
    for sub in added:
        svc.index.add(sub)


def _confirm_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(text("chat.delete.button.yes"), callback_data="forget:yes"),
                InlineKeyboardButton(text("chat.delete.button.no"), callback_data="forget:no"),
            ]
        ]
    )


@admins_only
async def delete_me(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/delete_me: ask first; the button does it."""
    target_chat(update, context)
    await reply(update, text("chat.delete.confirm"), _confirm_markup())


@admins_only
async def delete_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The confirmation: remove everything stored about the chat, or leave it be."""
    query = update.callback_query
    assert query is not None
    svc = services(context)
    chat = update.effective_chat
    assert chat is not None
    chat_id = target_chat(update, context)
    await query.answer()
    if query.data != "forget:yes":
        if isinstance(query.message, Message):
            await edit_in_place(query.message, text("chat.delete.cancelled"))
        return
    removed = svc.store.chats.delete_chat(chat_id)
    _reindex(svc, [s.id for s in removed], [])
    if context.user_data is not None and chat_id != chat.id:
        context.user_data.pop("channel", None)
    if isinstance(query.message, Message):
        await edit_in_place(query.message, text("chat.delete.done", count=len(removed)))


def add_handlers(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("import", import_command))
    app.add_handler(CommandHandler("delete_me", delete_me))
    app.add_handler(CallbackQueryHandler(delete_button, pattern=r"^forget:"))
    app.add_handler(MessageHandler(filters.Document.ALL, document_received))
