"""A digest: many alerts for one chat in as few messages as fit, grouped by ticker and keyword.

In: the chat's `Alert`s (in the order to show them), the disclaimer, a title for the digest.
Out: Telegram HTML messages, each within 4096 characters as Telegram counts them, each
starting with the title (marked "continued" after the first) and ending with the complete
disclaimer; one line per article with its main event, its link and source. No alerts, no messages.
Raises `ValueError` only for a disclaimer too long to leave room (as `render_alert` does).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.models import Alert, Kind
from bot.render.html import MESSAGE_LIMIT, cut_plain, escape, escape_attr, visible_length
from bot.render.labels import event_label, is_web_url, subscription_label
from bot.render.message import DISCLAIMER_LIMIT, SEPARATOR, headline
from bot.texts import template, text

LINE_TITLE_LIMIT = 200
GROUP_LABEL_LIMIT = 100
SOURCE_LIMIT = 40
TITLE_LIMIT = 200

# Group order: tickers first, then keywords, then alerts without a hit.
_ORDER = {Kind.TICKER: 0, Kind.KEYWORD: 1}


def _group_key(alert: Alert, lang: str) -> tuple[int, str]:
    """Where an alert goes: its first ticker, else its first keyword, else "Other"."""
    hits = sorted(alert.hits, key=lambda h: _ORDER[h.subscription.kind])
    if not hits:
        return 2, text("digest.group.other", lang)
    first = hits[0].subscription
    return _ORDER[first.kind], cut_plain(subscription_label(first, lang), GROUP_LABEL_LIMIT)


def _line(alert: Alert, lang: str) -> str:
    """One article: "• 📊 Earnings · Title (Source)" with the title linked."""
    article = alert.article
    shown = escape(headline(article, lang, LINE_TITLE_LIMIT))
    if is_web_url(article.url):
        shown = f'<a href="{escape_attr(article.url)}">{shown}</a>'
    event = event_label(article.events, lang)
    if event:
        shown = f"{escape(event)}{SEPARATOR}{shown}"
    source = cut_plain(" ".join(article.source.split()), SOURCE_LIMIT)
    if source:
        shown = escape(template("digest.line.source", lang)).format(
            title=shown, source=escape(source)
        )
    return f"• {shown}"


def group(alerts: Sequence[Alert], lang: str = "en") -> list[tuple[str, list[str]]]:
    """(group heading, article lines) pairs in display order, each article once."""
    groups: dict[tuple[int, str], list[str]] = {}
    seen: set[str] = set()
    for alert in alerts:
        if alert.article.key in seen:
            continue
        seen.add(alert.article.key)
        groups.setdefault(_group_key(alert, lang), []).append(_line(alert, lang))
    return [(label, lines) for (_, label), lines in sorted(groups.items())]


def render_digest(
    alerts: Sequence[Alert], *, disclaimer: str, title: str, lang: str = "en"
) -> list[str]:
    """The digest as Telegram HTML messages; see the module docstring for the rules."""
    if not alerts:
        return []
    tail = f"<i>{escape(' '.join(disclaimer.split()))}</i>"
    if visible_length(tail) > DISCLAIMER_LIMIT:
        raise ValueError(f"the disclaimer is over {DISCLAIMER_LIMIT} characters")
    plain_title = cut_plain(" ".join(title.split()), TITLE_LIMIT)
    first_head = f"<b>{escape(plain_title)}</b>"
    next_head = f"<b>{escape(text('digest.continued', lang, title=plain_title))}</b>"
    room = MESSAGE_LIMIT - visible_length(tail) - 2

    messages: list[str] = []
    body = first_head
    for label, lines in group(alerts, lang):
        heading = f"<b>{escape(label)}</b>"
        block = f"\n\n{heading}"
        for line in lines:
            if visible_length(f"{body}{block}\n{line}") > room:
                # Close this message; the next one repeats the title and the group heading.
                if block != f"\n\n{heading}":
                    body += block
                messages.append(f"{body}\n\n{tail}")
                body, block = next_head, f"\n\n{heading}"
            block += f"\n{line}"
        body += block
    messages.append(f"{body}\n\n{tail}")
    return messages
