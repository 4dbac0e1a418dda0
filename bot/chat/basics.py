"""The chat's first and plainest commands: /start, /help, /pause, /resume, /channel, and text
that is not a command.

In: the commands (a deep link `/start watch-AMZN-NVDA` subscribes too, its words read as /watch
reads them: `watch-BRK-B` is BRK-B, `watch-coca_cola` Coca-Cola; `/channel @name` names a
channel that the bot and the user both administer). Out: replies; the chat's pause recorded
through `Store.chats`; the channel remembered in the user's data. Fails: never silently; a
channel that cannot be reached or administered is answered with the reason.
"""

from __future__ import annotations

from telegram import Update
from telegram.error import TelegramError

from bot.chat.context import Context, message_argument, reply
from bot.chat.gate import admins_only, is_admin, remember_chat, remember_topic, target_chat
from bot.chat.watching import watch_words
from bot.matching.resolve import deep_link_words
from bot.texts import text
from bot.texts.formats import local_moment

DEEP_LINK_WORDS = 20


async def start(update: Update, context: Context) -> None:
    """Welcome the user; `/start watch-AMZN-NVDA` (a deep link) also subscribes."""
    chat_id = remember_chat(update, context)
    await reply(
        update,
        text(
            "chat.start", context.lang, disclaimer=context.svc.settings.disclaimer_for(context.lang)
        ),
    )
    payload = context.args[0] if context.args else ""
    admin = await is_admin(update, context)
    if admin:
        remember_topic(update, context, chat_id)
    if payload.lower().startswith("watch-"):
        if not admin:
            await reply(update, text("chat.admins_only", context.lang))
            return
        words = deep_link_words(payload).split()[:DEEP_LINK_WORDS]
        await watch_words(update, context, target_chat(update, context), " ".join(words))


async def help_command(update: Update, context: Context) -> None:
    """List the commands with examples and the keyword query language."""
    remember_chat(update, context)
    await reply(update, text("chat.help", context.lang))


@admins_only
async def pause(update: Update, context: Context) -> None:
    """Stop alerts until /resume; what arrives meanwhile is not sent later."""
    chat_id = target_chat(update, context)
    context.svc.store.chats.pause_chat(chat_id, context.svc.clock())
    await reply(update, text("chat.pause.done", context.lang))


@admins_only
async def resume(update: Update, context: Context) -> None:
    """Alerts again, from now on; articles from the paused time are not sent."""
    chat_id = target_chat(update, context)
    chats = context.svc.store.chats
    current = chats.chat_settings(chat_id)
    if current is None or current.paused_at is None:
        await reply(update, text("chat.resume.not_paused", context.lang))
        return
    since = local_moment(current.paused_at, "UTC", context.lang, "format.timestamp")
    chats.resume_chat(chat_id, context.svc.clock())
    await reply(update, text("chat.resume.done", context.lang, since=since))


async def channel(update: Update, context: Context) -> None:
    """`/channel @name` in a private chat: the commands that follow set up that channel (the
    bot and the user must both administer it); `/channel off` goes back to this chat."""
    remember_chat(update, context)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type != "private" or context.user_data is None:
        await reply(update, text("chat.channel.private_only", context.lang))
        return
    raw = message_argument(update)
    if not raw:
        await reply(update, text("chat.channel.usage", context.lang))
        return
    if raw.lower() in ("off", "none", "stop"):
        context.user_data.channel = None
        await reply(update, text("chat.channel.off", context.lang))
        return
    found = await _administered_channel(update, context, raw, user.id)
    if found is None:
        return
    channel_id, title = found
    context.svc.subscriptions.chat_seen(channel_id, "channel", title, context.lang)
    context.user_data.channel = channel_id
    await reply(update, text("chat.channel.set", context.lang, name=title or raw))


async def _administered_channel(
    update: Update, context: Context, raw: str, user_id: int
) -> tuple[int, str | None] | None:
    """The channel `raw` names when the bot and the user both administer it (its id and
    title); else None, the reason answered."""
    ref: int | str = int(raw) if raw.lstrip("-").isdigit() else "@" + raw.lstrip("@")
    try:
        found = await context.bot.get_chat(ref)
        if found.type != "channel":
            await reply(update, text("chat.channel.not_channel", context.lang, name=raw[:64]))
            return None
        me = await context.bot.get_chat_member(found.id, context.bot.id)
        them = await context.bot.get_chat_member(found.id, user_id)
    except TelegramError as exc:
        await reply(
            update, text("chat.channel.unreachable", context.lang, name=raw[:64], error=exc.message)
        )
        return None
    if me.status != "administrator":
        await reply(
            update, text("chat.channel.bot_not_admin", context.lang, name=found.title or raw)
        )
        return None
    if them.status not in ("creator", "administrator"):
        await reply(
            update, text("chat.channel.user_not_admin", context.lang, name=found.title or raw)
        )
        return None
    return found.id, found.title


async def plain_text(update: Update, context: Context) -> None:
    """A private message that is not a command: explain how to talk to the bot."""
    remember_chat(update, context)
    await reply(update, text("chat.not_command", context.lang))
