"""Google News items: the story's own link, and the description's related coverage as text.

In: an item's link and its description (HTML, as feedparser gives it), its title and the
publisher its <source> names. Out: `story_link`, the publisher's URL that a Google News link
carries (older article ids hold it, base64-encoded; newer ones are opaque: None);
`description_text`, the description as plain text with each headline's publisher in brackets
("Headline (CNBC)"), the item's own headline and Google's "View Full Coverage" line left out.
Pure; never raises.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import urlsplit

from bot.feeds.html_text import html_to_text

_HOST = "news.google.com"
# /rss/articles/ID, /articles/ID and /__i/rss/rd/articles/ID
_ARTICLE_PATH = re.compile(r"/articles/([A-Za-z0-9_-]{8,})$")
# The id is a small protocol buffer: field 1 (a varint), then field 4, the URL, length-delimited.
_URL_FIELD = b"\x08\x13\x22"
# Google's headline link is followed by two no-break spaces and the publisher in grey.
_PUBLISHER = re.compile(r"(?:\s|&nbsp;|\u00a0)*<font[^>]*>(.*?)</font>", re.IGNORECASE | re.DOTALL)
_FULL_COVERAGE = re.compile(r"^view full coverage on google news$", re.IGNORECASE)


def is_google_news(link: str) -> bool:
    """Whether `link` points into Google News (where the story itself is not)."""
    try:
        return (urlsplit(link).hostname or "") == _HOST
    except ValueError:
        return False


def story_link(link: str) -> str | None:
    """The publisher's URL a Google News article link carries, when it carries one."""
    if not is_google_news(link):
        return None
    found = _ARTICLE_PATH.search(urlsplit(link).path)
    if found is None:
        return None
    token = found.group(1)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(_URL_FIELD):
        return None
    length, at = _varint(raw, len(_URL_FIELD))
    url = raw[at : at + length]
    if length < 12 or len(url) != length or not url.startswith((b"https://", b"http://")):
        return None
    try:
        return url.decode("ascii")
    except UnicodeDecodeError:
        return None


def _varint(raw: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while at < len(raw) and shift < 35:
        byte = raw[at]
        value |= (byte & 0x7F) << shift
        at += 1
        shift += 7
        if not byte & 0x80:
            break
    return value, at


def description_text(html: str, title: str, publisher: str | None) -> str:
    """The description's related coverage as paragraphs, "Headline (Publisher)"; "" when it
    only repeats the item's headline."""
    marked = _PUBLISHER.sub(lambda m: f" ({m.group(1).strip()})", html)
    own = {_fold(title), _fold(f"{title} ({publisher})") if publisher else ""}
    kept = [
        paragraph
        for paragraph in html_to_text(marked).split("\n\n")
        if _fold(paragraph) not in own and not _FULL_COVERAGE.match(paragraph.strip())
    ]
    return "\n\n".join(kept)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()
