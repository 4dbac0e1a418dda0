"""PTB's handler context, typed, and the ways a handler answers.

In: nothing at import time; `bot.app` builds the application with `CONTEXT_TYPES` and fills
`BotData` once. Out: `Context`, the type every handler takes (`context.svc` is the `Services`,
`context.bot_data`, `context.chat_data` and `context.user_data` are dataclasses, not dicts);
`reply()` and `edit_in_place()`, the two ways a handler answers; `command_argument()`.
Fails with PTB's `TelegramError` only when Telegram does.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup, LinkPreviewOptions, Message, Update
from telegram.error import BadRequest
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from bot.chat.ratelimit import RateLimiter
from bot.feeds.guard import Resolver, system_resolver
from bot.feeds.pool import ParsePool
from bot.services import Services
from bot.texts import DEFAULT_LANG, known

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Telegram refuses a message over 4096 characters; a long answer is cut a little before.
MESSAGE_LIMIT = 4000


@dataclass
class BotData:
    """What every handler shares; the fields without a default are set by `bot.app`."""

    services: Services = field(init=False)
    limiter: RateLimiter = field(init=False)
    parse_pool: ParsePool = field(init=False)
    resolver: Resolver = system_resolver  # the DNS lookups of the user feeds' SSRF guard
    broadcasts: dict[int, str] = field(default_factory=dict)  # awaiting the operator's "yes"


@dataclass
class ChatData:
    awaiting_import: bool = False  # /import was sent without a file: the next file is it


@dataclass
class UserData:
    channel: int | None = None  # the channel this user's private chat sets up (/channel)


class Context(CallbackContext[ExtBot[None], UserData, ChatData, BotData]):
    """The context every handler takes (one per update)."""

    # Set by `bot.chat.gate.note_language` before any other handler runs.
    first_language: str = DEFAULT_LANG
    _lang: str | None = None

    @property
    def svc(self) -> Services:
        return self.bot_data.services

    @property
    def lang(self) -> str:
        """The language of the chat this update came from, which its replies are written in:
        the chat's setting, or for a chat not recorded yet its sender's language."""
        if self._lang is None:
            found = self.svc.store.chats.chat_settings(self._chat_id) if self._chat_id else None
            self._lang = known(found.lang) if found is not None else self.first_language
        return self._lang

    @lang.setter
    def lang(self, value: str) -> None:
        """The chat changed its language: what follows in this update is in the new one."""
        self._lang = known(value)


CONTEXT_TYPES = ContextTypes(
    context=Context, bot_data=BotData, chat_data=ChatData, user_data=UserData
)
Handler = Callable[[Update, Context], Coroutine[Any, Any, None]]


async def reply(update: Update, message: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer in the chat the update came from, as plain text (nothing a user typed can break
    it) without link previews."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        message[:MESSAGE_LIMIT], reply_markup=markup, link_preview_options=NO_PREVIEW
    )


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


def command_argument(message_text: str | None) -> str:
    """Everything after the command word, as typed (quotes kept for the query language)."""
    if not message_text:
        return ""
    _, _, rest = message_text.partition(" ")
    return rest.strip()


def message_argument(update: Update) -> str:
    """`command_argument` of the update's message."""
    message = update.effective_message
    return command_argument(message.text if message else None)
