"""Every chat command, button and message the bot answers, in one table, and the command menu.

In: a PTB application built with `bot.chat.context.CONTEXT_TYPES`. Out: its handlers, in the
order PTB tries them: first the two that see every update (message ids for crash recovery,
then the per-chat rate limit, which may stop the update); then the commands and buttons; then
files; last the catch-alls (an unknown command, plain text in a private chat). The command
menu Telegram shows is made from the same table: everyone's, and in the operators' private
chats theirs, which adds their commands (no one else gets a hint that these exist).
Fails with PTB's `TelegramError` when Telegram refuses the menu (logged for an operator who never
started the bot).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.chat import admin, basics, choosing, data, feeds, insights, settings_menu, watching
from bot.chat.context import Handler
from bot.chat.gate import note_language, note_message, rate_limit, unknown_command
from bot.texts import DEFAULT_LANG, languages, text
from bot.texts.formats import telegram_codes

log = logging.getLogger(__name__)


class Menu(Enum):
    """Whose command menu lists a command."""

    EVERYONE = "everyone"
    OPERATORS = "operators"
    NONE = "none"  # answered, not listed


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    handler: Handler
    menu: Menu = Menu.EVERYONE


# In the order the menu shows them.
COMMANDS = (
    Command("start", basics.start),
    Command("help", basics.help_command),
    Command("watch", watching.watch),
    Command("keyword", watching.keyword),
    Command("remove", watching.remove),
    Command("list", watching.list_command),
    Command("sources", choosing.sources_command),
    Command("events", choosing.events_command),
    Command("settings", settings_menu.settings_command),
    Command("pause", basics.pause),
    Command("resume", basics.resume),
    Command("test", insights.test_command),
    Command("trend", insights.trend_command),
    Command("export", data.export_command),
    Command("import", data.import_command),
    Command("feeds", insights.feeds_command),
    Command("addfeed", feeds.add_feed),
    Command("myfeeds", feeds.my_feeds),
    Command("removefeed", feeds.remove_feed),
    Command("exportopml", feeds.export_opml),
    Command("channel", basics.channel),
    Command("about", insights.about_command),
    Command("delete_me", data.delete_me),
    Command("importopml", feeds.import_opml, Menu.NONE),  # usage; the file comes captioned
    Command("stats", admin.stats_command, Menu.OPERATORS),
    Command("broadcast", admin.broadcast_command, Menu.OPERATORS),
    Command("feedhealth", admin.feed_health, Menu.OPERATORS),
)
# Button presses, by the start of their callback data (bot.chat.keyboards).
BUTTONS = (
    (r"^watch:", watching.watch_button),
    (r"^rm:", watching.remove_button),
    (r"^(mute|unmute):", watching.mute_button),
    (r"^snooze:", watching.snooze_button),
    (r"^set:", settings_menu.settings_button),
    (r"^ch:", choosing.choice_button),
    (r"^menu:", settings_menu.menu_button),
    (r"^forget:", data.delete_button),
    (r"^bcast:", admin.broadcast_button),
)
OPML_FILE = filters.Document.ALL & filters.CaptionRegex(r"^/importopml\b")


def add_handlers(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Register every chat handler on `app`; the order is the one the docstring gives."""
    app.add_handler(TypeHandler(Update, note_language), group=-3)
    app.add_handler(TypeHandler(Update, note_message), group=-2)
    app.add_handler(TypeHandler(Update, rate_limit), group=-1)
    app.add_handlers([CommandHandler(c.name, c.handler) for c in COMMANDS])
    app.add_handlers([CallbackQueryHandler(h, pattern=p) for p, h in BUTTONS])
    # An OPML file captioned /importopml; any other file may be an /import.
    app.add_handler(MessageHandler(OPML_FILE, feeds.import_opml))
    app.add_handler(MessageHandler(filters.Document.ALL, data.document_received))
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & filters.TEXT, basics.plain_text))


def command_menu(operator: bool = False, lang: str = DEFAULT_LANG) -> list[BotCommand]:
    """The commands Telegram lists, described in `lang`."""
    shown = {Menu.EVERYONE, Menu.OPERATORS} if operator else {Menu.EVERYONE}
    return [BotCommand(c.name, text(f"menu.{c.name}", lang)) for c in COMMANDS if c.menu in shown]


async def publish_commands(bot: Bot, operators: frozenset[int]) -> None:
    """The command menu for everyone (English by default, and each language's own for users
    whose Telegram speaks it), and (in their private chats) operators' own."""
    await bot.set_my_commands(command_menu())
    for lang in languages():
        for code in telegram_codes(lang):
            await bot.set_my_commands(command_menu(lang=lang), language_code=code)
    for user_id in sorted(operators):
        try:
            await bot.set_my_commands(
                command_menu(operator=True), scope=BotCommandScopeChat(user_id)
            )
        except TelegramError as exc:
            # Telegram refuses a chat scope for a user who never started the bot.
            log.warning("could not set operator commands for %s: %s", user_id, exc)
