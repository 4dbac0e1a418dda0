"""What a queued row says, as the message to send: the one render path of the outbox.

In: a row's `Content` (an alert's story id and hits, or a message written when it was queued),
the stories of the round (by id), the chat's language and the render `Style` (disclaimer,
summary length). Out: a `Message`: Telegram HTML, its keyboard, and the plain text to send if
Telegram refuses the HTML. An alert is rendered here, when it is sent, in the chat's language
(`bot.render.message.render_alert`; its texts are remembered per story, hits and language, so
a story sent to thousands of chats is laid out once); a notice, a broadcast, a digest, or an
alert queued before migration 0009 is sent as it was written. Pure. Raises `KeyError` when an
alert's story is not among `stories` (the caller loads them with the rows).

Crash recovery builds a row's keyboard here too: it must be the one that was sent, so it is a
function of the row and the chat's language only. A digest, notice or broadcast without a
stored keyboard gets one made from its row id (`bot.render.buttons.message_keyboard`), so that
every message the outbox sends can be recognised in its chat.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.models import Alert, Article, DeliveryKind
from bot.render.buttons import Keyboard, from_json, message_keyboard
from bot.render.html import to_plain
from bot.render.message import render_alert
from bot.settings import DEFAULT_DISCLAIMER
from bot.storage.outbox_rows import Content


@dataclass(frozen=True, slots=True)
class Style:
    """The operator's settings every alert is rendered with."""

    disclaimer: str = DEFAULT_DISCLAIMER
    summary_length: int = 500
    # Each language's disclaimer (`Settings.disclaimers`); `disclaimer` for one not listed.
    disclaimers: Mapping[str, str] = field(default_factory=dict)

    def disclaimer_in(self, lang: str) -> str:
        """The disclaimer a chat in `lang` reads: never none."""
        return self.disclaimers.get(lang) or self.disclaimer


@dataclass(frozen=True, slots=True)
class Message:
    """A message to send: Telegram HTML, its keyboard, and its plain-text fallback."""

    text: str
    keyboard: Keyboard
    plain_text: str


def compose(
    content: Content,
    chat_id: int,
    stories: Mapping[int, Article],
    *,
    lang: str,
    style: Style,
    delivery_id: int | None = None,
) -> Message:
    """The message for row `delivery_id` in its chat's language; see the module docstring."""
    if content.text is not None:
        plain = content.plain_text if content.plain_text is not None else to_plain(content.text)
        keyboard = from_json(content.buttons)
        if not keyboard and delivery_id is not None and content.kind is not DeliveryKind.ALERT:
            keyboard = message_keyboard(delivery_id, lang)
        return Message(content.text, keyboard, plain)
    if content.article_id is None:
        raise ValueError("an outbox row with neither a text nor a story")
    alert = Alert(chat_id, stories[content.article_id], content.hits)
    rendered = render_alert(
        alert, disclaimer=style.disclaimer_in(lang), summary_length=style.summary_length, lang=lang
    )
    return Message(rendered.text, rendered.buttons, rendered.plain_text)
