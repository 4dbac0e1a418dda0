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
function of the row and the chat's language only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.models import Alert, Article
from bot.render.buttons import Keyboard, from_json
from bot.render.html import to_plain
from bot.render.message import render_alert
from bot.settings import DEFAULT_DISCLAIMER
from bot.storage.outbox_rows import Content


@dataclass(frozen=True, slots=True)
class Style:
    """The operator's settings every alert is rendered with."""

    disclaimer: str = DEFAULT_DISCLAIMER
    summary_length: int = 500


@dataclass(frozen=True, slots=True)
class Message:
    """A message to send: Telegram HTML, its keyboard, and its plain-text fallback."""

    text: str
    keyboard: Keyboard
    plain_text: str


def compose(
    content: Content, chat_id: int, stories: Mapping[int, Article], *, lang: str, style: Style
) -> Message:
    """The message for one row in its chat's language; see the module docstring."""
    if content.text is not None:
        plain = content.plain_text if content.plain_text is not None else to_plain(content.text)
        return Message(content.text, from_json(content.buttons), plain)
    if content.article_id is None:
        raise ValueError("an outbox row with neither a text nor a story")
    alert = Alert(chat_id, stories[content.article_id], content.hits)
    rendered = render_alert(
        alert, disclaimer=style.disclaimer, summary_length=style.summary_length, lang=lang
    )
    return Message(rendered.text, rendered.buttons, rendered.plain_text)
