"""The alerts a poll's new stories make: match them, render them, as rows for the outbox.

In: new stories (`Article`s), the `Matcher`, the oldest publication date still alerted, the
chats that own a user feed (None for the others) and the render settings. Out: the outbox rows
of each story, keyed by its entry id (`article_id` is left 0: the commit sets it for the stories
whose insert won). Pure apart from the metrics; never raises for any article.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.matching.detect import detect_tickers
from bot.matching.index import MatchIndex
from bot.matching.tickers import TickerUniverse
from bot.models import Alert, Article
from bot.observability.metrics import MATCHES
from bot.render.message import RenderedAlert, render_alert, render_plain
from bot.storage.outbox import OutboxRow, matched_json


@dataclass(frozen=True, slots=True)
class Matcher:
    """Tickers are detected once per article, then the one index finds every chat's hits."""

    universe: TickerUniverse
    index: MatchIndex

    def alerts(self, article: Article) -> list[Alert]:
        return self.index.match(article, detect_tickers(article, self.universe))


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What rendering an alert needs from the settings."""

    disclaimer: str
    summary_length: int


def buttons_json(rendered: RenderedAlert) -> str:
    """The keyboard as the outbox stores it: rows of {"label", "callback_data" | "url"}."""
    return json.dumps(
        [
            [
                {
                    k: v
                    for k, v in (
                        ("label", b.label),
                        ("callback_data", b.callback_data),
                        ("url", b.url),
                    )
                    if v is not None
                }
                for b in row
            ]
            for row in rendered.buttons
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def outbox_rows(
    stories: Sequence[Article],
    matcher: Matcher,
    *,
    oldest: datetime,
    options: RenderOptions,
    owners: Collection[int] | None = None,
) -> dict[str, list[OutboxRow]]:
    """Match and render new stories, by entry id; stories published before `oldest` are not
    alerted, and with `owners` (a user feed) only those chats are."""
    rows: dict[str, list[OutboxRow]] = {}
    for article in stories:
        if article.published is not None and article.published < oldest:
            continue
        for alert in matcher.alerts(article):
            if owners is not None and alert.chat_id not in owners:
                continue
            MATCHES.inc()
            rendered = render_alert(
                alert, disclaimer=options.disclaimer, summary_length=options.summary_length
            )
            rows.setdefault(article.entry_id, []).append(
                OutboxRow(
                    chat_id=alert.chat_id,
                    article_id=0,
                    text=rendered.text,
                    plain_text=render_plain(alert, disclaimer=options.disclaimer),
                    buttons=buttons_json(rendered),
                    matched=matched_json(alert),
                )
            )
    return rows
