"""Before a command runs: which chat it is about, who sent it, and whether they may.

In: PTB updates and the typed `Context`. Out: `remember_chat()` (the chat recorded, and matched
again if it had blocked the bot), `target_chat()` (the chat itself, or the channel a channel
administrator is setting up from a private chat), `admins_only` (in groups only administrators
change things, checked through getChatMember), `operators_only` (anyone else gets exactly the
unknown-command answer: no hint that the command exists), and the two handlers that run before
every other one (`note_message`, `rate_limit`: a refused command is answered once per window,
a refused button press every time, with a short notice). A refused member gets a polite
answer, never an error. Fails with PTB's `TelegramError` only when Telegram does.
"""

from __future__ import annotations

import logging
from functools import wraps

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.chat.context import Context, Handler, reply
from bot.texts import text
from bot.texts.formats import language_for

log = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
GROUP_TYPES = frozenset({ChatType.GROUP, ChatType.SUPERGROUP})


def remember_chat(update: Update, context: Context) -> int:
    """Record the chat the update came from (reactivating it if it had blocked us); its id."""
    chat = update.effective_chat
    assert chat is not None  # every command and button press comes from a chat
    # A new chat (a group too) speaks the language of whoever wrote first: who set it up.
    context.svc.subscriptions.chat_seen(
        chat.id, chat.type, chat.title or chat.full_name, context.first_language
    )
    return chat.id


def target_chat(update: Update, context: Context) -> int:
    """The chat a command changes: the chat itself, or, in a private chat whose user chose a
    channel with /channel, that channel. Records the chat it came from."""
    chat_id = remember_chat(update, context)
    chat, user_data = update.effective_chat, context.user_data
    private = chat is not None and chat.type == ChatType.PRIVATE
    if private and user_data is not None and user_data.channel is not None:
        return user_data.channel
    return chat_id


def remember_topic(update: Update, context: Context, chat_id: int) -> None:
    """In a forum, alerts go to the topic where an administrator set the bot up."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or chat.id != chat_id or not chat.is_forum or message is None:
        return
    thread = message.message_thread_id if message.is_topic_message else None
    chats = context.svc.store.chats
    current = chats.chat_settings(chat_id)
    if current is not None and current.thread_id != thread:
        chats.update_chat_settings(chat_id, thread_id=thread)


async def is_admin(update: Update, context: Context) -> bool:
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


def admins_only(handler: Handler) -> Handler:
    """Wrap a handler that changes what a chat receives: in groups only administrators get
    through; others get a polite refusal (a button press gets it as a notice)."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        if not await is_admin(update, context):
            refusal = text("chat.admins_only", context.lang)
            if update.callback_query is not None:
                await update.callback_query.answer(refusal, show_alert=True)
            else:
                await reply(update, refusal)
            return
        chat = update.effective_chat
        if chat is not None and chat.type in GROUP_TYPES:
            remember_chat(update, context)
            remember_topic(update, context, chat.id)
        await handler(update, context)

    return guarded


def is_operator(update: Update, context: Context) -> bool:
    user = update.effective_user
    return user is not None and user.id in context.svc.settings.admin_chat_ids


def operators_only(handler: Handler) -> Handler:
    """Wrap an operator's command (ADMIN_CHAT_IDS): anyone else is answered exactly as for a
    command the bot does not have, and a button press gets no answer but its acknowledgement."""

    @wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        if is_operator(update, context):
            await handler(update, context)
        elif update.callback_query is not None:
            await update.callback_query.answer()
        else:
            await unknown_command(update, context)

    return guarded


async def unknown_command(update: Update, context: Context) -> None:
    """A command the bot does not have: say so, and point at /help."""
    message = update.effective_message
    word = (message.text or "").split()[0] if message and message.text else ""
    await reply(update, text("chat.unknown", context.lang, command=word[:64]))


async def note_language(update: Update, context: Context) -> None:
    """Runs before every other handler: the language a chat gets if this update is its first
    contact, from the sender's Telegram `language_code`."""
    user = update.effective_user
    context.first_language = language_for(user.language_code if user else None)


async def note_message(update: Update, context: Context) -> None:
    """Record the id of every message the bot receives as the chat's highest known id (a
    handler that runs before all others): crash recovery looks for an alert that was in flight
    above the id known when it was claimed, however many messages the user wrote since."""
    message = update.message or update.channel_post
    if message is not None:
        context.svc.store.chats.note_message(message.chat_id, message.message_id)


async def rate_limit(update: Update, context: Context) -> None:
    """Runs before every command handler: counts commands and button presses per chat; past
    the limit, answers once per window and stops the update from reaching the command."""
    chat = update.effective_chat
    if chat is None or not _is_command(update):
        return
    limiter = context.bot_data.limiter
    verdict = limiter.check(chat.id)
    if verdict == "ok":
        return
    seconds = limiter.retry_in(chat.id)
    if update.callback_query is not None:
        # Every refused press is answered (a short notice costs no message): an unanswered
        # button spins, and a silent one looks broken. The first gets the notice as a pop-up.
        key = "chat.rate_limited" if verdict == "warn" else "chat.rate_limited.button"
        await update.callback_query.answer(
            text(key, context.lang, seconds=seconds), show_alert=verdict == "warn"
        )
    elif verdict == "warn":
        await reply(update, text("chat.rate_limited", context.lang, seconds=seconds))
    raise ApplicationHandlerStop


def _is_command(update: Update) -> bool:
    if update.callback_query is not None:
        return True
    message = update.message
    return bool(message and message.text and message.text.startswith("/"))
