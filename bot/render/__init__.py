"""The render stage: alerts, digests and SEC filings turned into Telegram HTML (pure functions).

In: `Alert`s (a stored story and a chat's hits, when the outbox sends them: bot.delivery.compose)
and the operator's disclaimer, in the chat's language. Out: `RenderedAlert` (message text, its
keyboard and the plain-text fallback) and digest messages, each within Telegram's
4096-character limit with the disclaimer complete at the end. Modules: message (one alert),
summary and furniture (the article's own sentences), buttons (the keyboard), digest, filings
(SEC forms), labels and html (small shared pieces).
"""

from bot.render.digest import render_digest
from bot.render.furniture import clean_paragraphs
from bot.render.message import Button, RenderedAlert, render_alert, render_plain
from bot.render.summary import summarise

__all__ = [
    "Button",
    "RenderedAlert",
    "clean_paragraphs",
    "render_alert",
    "render_digest",
    "render_plain",
    "summarise",
]
