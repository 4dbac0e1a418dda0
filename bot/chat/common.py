"""What every chat handler shares: the services, replies, the chat a command acts on, and the
check that only administrators change a group's subscriptions.

In: PTB updates and contexts. Out: `services()`, `reply()`, `target_chat()` (the chat itself,
or the channel a channel administrator is setting up from a private chat), `may_change()` (a
group administrator check through getChatMember). A member who is not an administrator gets a
polite refusal, never an error. Fails with PTB's `TelegramError` only when Telegram does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from functools import wraps
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from bot.services import Services
from bot.texts import text

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})
# Where a private chat keeps the channel its user is setting up (context.user_data).
CHANNEL_KEY = "channel"

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


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


async def note_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Record the id of every message the bot receives as the chat's highest known id (a
    handler that runs before all others): crash recovery looks for an alert that was in flight
    above the id known when it was claimed, however many messages the user wrote since."""
    message = update.message or update.channel_post
    if message is not None:
        services(context).store.chats.note_message(message.chat_id, message.message_id)


def remember_chat(update: Update, svc: Services) -> int:
    """Record the chat (reactivating it if it had blocked us); returns its id."""
    chat = update.effective_chat
    assert chat is not None
    record_chat(svc, chat.id, chat.type, chat.title or chat.full_name)
    return chat.id


def record_chat(svc: Services, chat_id: int, chat_type: str, title: str | None) -> None:
    """Record a chat; one that comes back after being deactivated is matched again at once."""
    if svc.store.chats.upsert_chat(chat_id, chat_type, title, svc.clock()):
        svc.chat_returned(chat_id)


def target_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    """The chat a command changes: the chat itself, or, in a private chat whose user chose a
    channel with /channel, that channel. Records the chat it came from."""
    svc = services(context)
    chat_id = remember_chat(update, svc)
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE and context.user_data is not None:
        channel = context.user_data.get(CHANNEL_KEY)
        if isinstance(channel, int):
            return channel
    return chat_id


def chat_lang(context: ContextTypes.DEFAULT_TYPE, chat_id: int) -> str:
    found = services(context).store.chats.chat_settings(chat_id)
    return found.lang if found is not None else "en"


def command_argument(message_text: str | None) -> str:
    """Everything after the command word, as typed (quotes kept for the query language)."""
    if not message_text:
        return ""
    _, _, rest = message_text.partition(" ")
    return rest.strip()


async def is_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Whether the sender may change this chat: anyone in a private chat; in a group, its
    administrators (an anonymous administrator writes as the group itself)."""
    chat, user, message = update.effective_chat, update.effective_user, update.effective_message
    if chat is None or chat.type not in GROUP_TYPES:
        return True
    if message is not None and message.sender_chat is not None:
        return message.sender_chat.id == chat.id
    if user is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError as exc:
        log.warning("getChatMember failed in chat %s: %s", chat.id, exc)
        return False
    return member.status in ADMIN_STATUSES


def remember_topic(update: Update, svc: Services, chat_id: int) -> None:
    """In a forum, alerts go to the topic where an administrator set the bot up."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.id != chat_id or not chat.is_forum or message is None:
        return
    thread = message.message_thread_id if message.is_topic_message else None
    current = svc.store.chats.chat_settings(chat_id)
    if current is not None and current.thread_id != thread:
        svc.store.chats.update_chat_settings(chat_id, thread_id=thread)


def admins_only(handler: Handler) -> Handler:
    """Wrap a handler that changes subscriptions or settings: in groups only administrators get
    through; others get a polite refusal (a button press gets it as a notice)."""

    @wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not await is_admin(update, context):
            refusal = text("chat.admins_only")
            if update.callback_query is not None:
                await update.callback_query.answer(refusal, show_alert=True)
            else:
                await reply(update, refusal)
            return
        svc = services(context)
        chat = update.effective_chat
        if chat is not None and chat.type in GROUP_TYPES:
            remember_chat(update, svc)
            remember_topic(update, svc, chat.id)
        await handler(update, context)

    return guarded


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot does not have: say so, and point at /help."""
    message = update.effective_message
    word = (message.text or "").split()[0] if message and message.text else ""
    await reply(update, text("chat.unknown", command=word[:64]))


async def edit_in_place(
    message: Message, body: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace a message's text and buttons (a menu after a press); pressing the value that is
    already chosen changes nothing, which Telegram answers with "message is not modified"."""
    try:
        await message.edit_text(body, reply_markup=markup, link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
