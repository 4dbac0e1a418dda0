"""The render stage: alerts, digests and SEC filings turned into Telegram HTML (pure functions).

In: `Alert`s from the match stage and the operator's disclaimer. Out: `RenderedAlert`
(message text and inline-button specs), plain-text fallbacks and digest messages, each within
Telegram's 4096-character limit with the disclaimer complete at the end.
"""

from bot.render.digest import render_digest
from bot.render.message import Button, RenderedAlert, render_alert, render_plain
from bot.render.summary import clean_paragraphs, summarise

__all__ = [
    "Button",
    "RenderedAlert",
    "clean_paragraphs",
    "render_alert",
    "render_digest",
    "render_plain",
    "summarise",
]
