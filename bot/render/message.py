"""One alert laid out for Telegram: header, linked title, summary, why, also, disclaimer, buttons.

In: an `Alert` (article + the hits that matched it), the operator's disclaimer, a summary length.
The first line names the story's main event in the chat's language ("📊 Earnings · $AMZN ·
Source"), when the story has one.
Out: `RenderedAlert`: Telegram HTML text, its keyboard (`bot.render.buttons`) and, for when
Telegram refuses the HTML, the plain text (also alone: `render_plain`). Both texts are at most
4096 characters as Telegram counts them (UTF-16 units after parsing) and always end with the
complete disclaimer: a long message is cut in its summary, then in its body, never in the
disclaimer, a tag or an entity.
Raises `ValueError` only for a disclaimer too long to leave room for an alert (see
`DISCLAIMER_LIMIT`); anything in the article, however odd, renders.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot.models import Alert, Article, Hit, Kind, Subscription
from bot.render.buttons import Button as Button  # re-exported: the chat handlers use them
from bot.render.buttons import Keyboard, alert_keyboard
from bot.render.buttons import mute_callback as mute_callback
from bot.render.buttons import parse_callback as parse_callback
from bot.render.buttons import undo_button as undo_button
from bot.render.buttons import unmute_callback as unmute_callback
from bot.render.filings import filing_lines, filing_title
from bot.render.html import (
    MESSAGE_LIMIT,
    cut_html,
    cut_plain,
    escape,
    escape_attr,
    to_plain,
    utf16_len,
    visible_length,
)
from bot.render.labels import distinct_subscriptions, event_label, is_web_url, one_line
from bot.render.labels import subscription_label as subscription_label
from bot.render.summary import summarise
from bot.texts import plural, template, text

# The disclaimer must leave room for an alert; Settings should refuse longer ones.
DISCLAIMER_LIMIT = 2000
# Caps on the parts around the summary, so the summary keeps most of the room.
TITLE_LIMIT = 300
WHY_LIMIT = 300
HEADER_TICKERS = 8
TICKER_LIMIT = 20
ALSO_LINKS = 5
SOURCE_NAME_LIMIT = 60
TERMS_PER_HIT = 5
SEPARATOR = " · "
MIN_SUMMARY = 40
TEXT_CACHE = 4096  # rendered texts remembered; see `_anonymous`


@dataclass(frozen=True, slots=True)
class RenderedAlert:
    """A message ready to send: Telegram HTML `text`, rows of inline `buttons`, and the
    `plain_text` to send instead if Telegram refuses the HTML."""

    text: str
    buttons: Keyboard
    plain_text: str


def match_terms(alert: Alert) -> list[str]:
    """Every word to set in bold: the matched terms and the ticker symbols."""
    terms: list[str] = []
    for hit in alert.hits:
        terms.extend(hit.terms)
        # The symbol itself, unless a single letter ("F") that would bold stray initials.
        if hit.subscription.kind is Kind.TICKER and len(hit.subscription.value.strip()) > 1:
            terms.append(hit.subscription.value)
    return [t for t in dict.fromkeys(terms) if t.strip()]


# --- the blocks of a message, each as (html, plain) ---

_Block = tuple[str, str]


def _header(alert: Alert, lang: str) -> _Block | None:
    """ "📊 Earnings · $AMZN · Source": the story's event, the tickers matched, the source."""
    tickers = list(dict.fromkeys(cut_plain(one_line(t), TICKER_LIMIT) for t in alert.tickers))
    tickers = [t for t in tickers if t]
    shown = tickers[:HEADER_TICKERS]
    source = cut_plain(one_line(alert.article.source), SOURCE_NAME_LIMIT)
    event = event_label(alert.article.events, lang)
    html_parts = [escape(event)] if event else []
    plain_parts = [event] if event else []
    if shown:
        html_parts.append(" ".join(f"<b>${escape(t)}</b>" for t in shown))
        plain_parts.append(" ".join(f"${t}" for t in shown))
    if source:
        html_parts.append(escape(source))
        plain_parts.append(source)
    if not html_parts:
        return None
    return SEPARATOR.join(html_parts), SEPARATOR.join(plain_parts)


def headline(article: Article, lang: str = "en", limit: int = TITLE_LIMIT) -> str:
    """The plain title to show: the article's, or for a filing "Company: Form 8-K"."""
    raw = filing_title(article, lang) if article.form else article.title
    return cut_plain(one_line(raw), limit) or text("alert.untitled", lang)


def _title(article: Article, lang: str) -> _Block:
    title = headline(article, lang)
    if is_web_url(article.url):
        html = f'<b><a href="{escape_attr(article.url)}">{escape(title)}</a></b>'
        return html, f"{title}\n{article.url}"
    return f"<b>{escape(title)}</b>", title


def _summary(alert: Alert, summary_length: int, lang: str) -> _Block | None:
    article = alert.article
    if article.form:
        lines = filing_lines(article, lang)
        if not lines:
            return None
        return escape("\n".join(lines)), "\n".join(lines)
    summary = summarise(article, match_terms(alert), summary_length)
    return (summary, to_plain(summary)) if summary else None


def why_line(alert: Alert, lang: str = "en") -> str | None:
    """The plain "Why:" line: each subscription that matched, with the words that differ."""
    reasons: list[str] = []
    for subscription in distinct_subscriptions(alert.hits):
        label = subscription_label(subscription, lang)
        value = subscription.value.casefold().strip()
        words: list[str] = []
        for hit in alert.hits:
            if hit.subscription.id == subscription.id:
                words.extend(one_line(t) for t in hit.terms if t.strip())
        words = [w for w in dict.fromkeys(words) if w.casefold() != value][:TERMS_PER_HIT]
        if words:
            label = text("alert.why.words", lang, label=label, words=", ".join(words))
        reasons.append(label)
    if not reasons:
        return None
    return cut_plain(text("alert.why", lang, reasons=SEPARATOR.join(reasons)), WHY_LIMIT)


def _also(article: Article, lang: str) -> _Block | None:
    others = [(cut_plain(one_line(name), SOURCE_NAME_LIMIT), url) for name, url in article.also]
    others = [(name or url, url) for name, url in others if name or is_web_url(url)]
    if not others:
        return None
    html_links: list[str] = []
    plain_links: list[str] = []
    for name, url in others[:ALSO_LINKS]:
        if is_web_url(url):
            html_links.append(f'<a href="{escape_attr(url)}">{escape(name)}</a>')
            plain_links.append(f"{name} ({url})")
        else:
            html_links.append(escape(name))
            plain_links.append(name)
    if len(others) > ALSO_LINKS:
        more = plural("alert.also.more", len(others) - ALSO_LINKS, lang)
        html_links.append(escape(more))
        plain_links.append(more)
    frame = template("alert.also", lang)
    return (
        escape(frame).format(links=", ".join(html_links)),
        frame.format(links=", ".join(plain_links)),
    )


# --- assembly ---


def _room(disclaimer_len: int) -> int:
    """What the body may use: the limit less the disclaimer and the blank line before it."""
    if disclaimer_len > DISCLAIMER_LIMIT:
        raise ValueError(f"the disclaimer is over {DISCLAIMER_LIMIT} characters")
    return MESSAGE_LIMIT - disclaimer_len - 2


@dataclass(slots=True)
class _Parts:
    """The message's blocks: head (header, title), the summary, foot (why, also)."""

    head: list[str]
    summary: str | None
    foot: list[str]

    def layout(self) -> str:
        groups = [self.head, [self.summary] if self.summary else [], self.foot]
        return "\n\n".join("\n".join(group) for group in groups if group)


def _blocks(alert: Alert, summary_length: int, lang: str, *, html: bool) -> _Parts:
    """The message's parts, as HTML (`html`) or plain text."""
    pick = 0 if html else 1
    article = alert.article
    header = _header(alert, lang)
    head = [b[pick] for b in (header, _title(article, lang)) if b]
    summary = _summary(alert, summary_length, lang)
    why = why_line(alert, lang)
    also = _also(article, lang)
    foot = [b[pick] for b in ((escape(why), why) if why else None, also) if b]
    return _Parts(head, summary[pick] if summary else None, foot)


def _fit(parts: _Parts, room: int, *, html: bool) -> str:
    """The body within `room`: the summary is cut first, then (rarely) the whole body."""
    measure, cut = (visible_length, cut_html) if html else (utf16_len, cut_plain)
    over = measure(parts.layout()) - room
    if over > 0 and parts.summary:
        keep = measure(parts.summary) - over
        # A summary cut to a few words says nothing; drop it rather than show a stub.
        parts.summary = cut(parts.summary, keep) if keep >= MIN_SUMMARY else None
    return cut(parts.layout(), room)


def render_alert(
    alert: Alert, *, disclaimer: str, summary_length: int = 500, lang: str = "en"
) -> RenderedAlert:
    """The alert as Telegram HTML with its buttons; see the module docstring for the rules."""
    anonymous = _anonymous(alert)
    return RenderedAlert(
        text=_html_text(anonymous, disclaimer, summary_length, lang),
        buttons=alert_keyboard(alert, lang),
        plain_text=_plain_text(anonymous, disclaimer, summary_length, lang),
    )


# Many chats are alerted to the same article for the same reasons: their texts are the same
# (only the buttons name each chat's own subscriptions), so texts are remembered per alert
# with the chat and subscription ids numbered from 0 (hits of one subscription stay together).


def _anonymous(alert: Alert) -> Alert:
    # Built with the constructors, not dataclasses.replace: this runs once per alert queued.
    numbers: dict[int, int] = {}
    hits = []
    for hit in alert.hits:
        sub = hit.subscription
        number = numbers.setdefault(sub.id, len(numbers))
        hits.append(Hit(Subscription(number, 0, sub.kind, sub.value), hit.terms, hit.sentence))
    return Alert(0, alert.article, tuple(hits))


@functools.lru_cache(maxsize=TEXT_CACHE)
def _html_text(alert: Alert, disclaimer: str, summary_length: int, lang: str) -> str:
    tail = f"<i>{escape(one_line(disclaimer))}</i>"
    room = _room(visible_length(tail))
    body = _fit(_blocks(alert, summary_length, lang, html=True), room, html=True)
    return f"{body}\n\n{tail}"


def render_plain(
    alert: Alert, *, disclaimer: str, summary_length: int = 500, lang: str = "en"
) -> str:
    """The alert as plain text (no markup, links written out), same rules and limit."""
    return _plain_text(_anonymous(alert), disclaimer, summary_length, lang)


@functools.lru_cache(maxsize=TEXT_CACHE)
def _plain_text(alert: Alert, disclaimer: str, summary_length: int, lang: str) -> str:
    tail = one_line(disclaimer)
    room = _room(utf16_len(tail))
    body = _fit(_blocks(alert, summary_length, lang, html=False), room, html=False)
    return f"{body}\n\n{tail}"
