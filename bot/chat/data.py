"""The chat's data: /export and /import of its subscriptions and settings, and /delete_me.

In: /export; a JSON file sent with the caption /import (or right after /import); /delete_me
and its confirmation button ("forget:yes" / "forget:no").
Out: a JSON document; the chat's state replaced by a valid import in one transaction; or
everything about the chat removed. The work is the subscriptions service's (the database and
the match index together); the file's format is `bot.subscriptions.transfer`'s.
Fails: a malformed file is refused with the reason (`ImportRefused`'s text) and changes nothing.
"""

from __future__ import annotations

import json

from telegram import InputFile, Message, Update

from bot.chat import keyboards
from bot.chat.context import Context, edit_in_place, reply
from bot.chat.gate import admins_only, target_chat
from bot.subscriptions.transfer import MAX_IMPORT_BYTES, ImportRefused
from bot.texts import plural, said, text


async def export_command(update: Update, context: Context) -> None:
    """/export: the chat's subscriptions and settings as a JSON file."""
    chat_id = target_chat(update, context)
    document = context.svc.subscriptions.export_state(chat_id)
    payload = json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8")
    message = update.effective_message
    if message is None:
        return
    await message.reply_document(
        InputFile(payload, filename="investor-alerts.json"),
        caption=plural("chat.export.caption", len(document["subscriptions"]), context.lang),
    )


@admins_only
async def import_command(update: Update, context: Context) -> None:
    """/import without a file: wait for the file in this chat."""
    if context.chat_data is not None:
        context.chat_data.awaiting_import = True
    await reply(update, text("chat.import.usage", context.lang))


async def document_received(update: Update, context: Context) -> None:
    """A file: imported when its caption is /import or /import was sent just before."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    captioned = (message.caption or "").strip().lower().startswith("/import")
    awaited = context.chat_data is not None and context.chat_data.awaiting_import
    if context.chat_data is not None:
        context.chat_data.awaiting_import = False
    if captioned or awaited:
        await _import(update, context)


@admins_only
async def _import(update: Update, context: Context) -> None:
    chat_id = target_chat(update, context)
    message = update.effective_message
    assert message is not None  # document_received checked
    assert message.document is not None
    if (message.document.file_size or 0) > MAX_IMPORT_BYTES:
        refusal = text("chat.import.error.size", context.lang, limit=MAX_IMPORT_BYTES // 1024)
        await reply(update, text("chat.import.refused", context.lang, error=refusal))
        return
    file = await message.document.get_file()
    raw = bytes(await file.download_as_bytearray())
    try:
        done = context.svc.subscriptions.import_state(chat_id, raw)
    except ImportRefused as exc:
        await reply(
            update, text("chat.import.refused", context.lang, error=said(exc, context.lang))
        )
        return
    await reply(
        update, text("chat.import.done", context.lang, count=done.count, replaced=done.replaced)
    )


@admins_only
async def delete_me(update: Update, context: Context) -> None:
    """/delete_me: ask first; the button does it."""
    target_chat(update, context)
    markup = keyboards.confirm(
        "forget",
        text("chat.delete.button.yes", context.lang),
        text("chat.delete.button.no", context.lang),
    )
    await reply(update, text("chat.delete.confirm", context.lang), markup)


@admins_only
async def delete_button(update: Update, context: Context) -> None:
    """The confirmation: remove everything stored about the chat, or leave it be."""
    query = update.callback_query
    chat = update.effective_chat
    assert query is not None  # registered for button presses only
    assert chat is not None
    chat_id = target_chat(update, context)
    await query.answer()
    if query.data != "forget:yes":
        if isinstance(query.message, Message):
            await edit_in_place(query.message, text("chat.delete.cancelled", context.lang))
        return
    count = context.svc.subscriptions.delete_chat(chat_id)
    if context.user_data is not None and chat_id != chat.id:
        context.user_data.channel = None  # the channel it was setting up is gone
    if isinstance(query.message, Message):
        await edit_in_place(query.message, plural("chat.delete.done", count, context.lang))
