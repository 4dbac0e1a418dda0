"""Small helpers for Telegram HTML: escaping, measuring what Telegram counts, cutting safely.

In: plain text (to escape) or Telegram HTML that this package produced (to measure or cut).
Out: strings. Nothing here raises on odd input: stray `<` or `&` in markup are counted as the
characters they are, the way Telegram's parser treats text it cannot read as a tag or entity.
Telegram limits a message to 4096 characters *after* entity parsing, counted in UTF-16 code
units (an emoji outside the Basic Multilingual Plane counts two), so that is what we measure.
"""

from __future__ import annotations

import html
import re
import unicodedata

MESSAGE_LIMIT = 4096
ELLIPSIS = "…"

# One token of markup: a tag, an entity, a run of text, or a lone `<`/`&` that starts neither.
_TOKEN_RE = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);|[^<&]+|[<&]")
_TAG_NAME_RE = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")
# How far back a cut may move to land between words instead of inside one.
_WORD_BACKOFF = 30


def escape(value: str) -> str:
    """Text for a Telegram HTML message body: `<`, `>` and `&` escaped, quotes left readable."""
    return html.escape(value, quote=False)


def escape_attr(value: str) -> str:
    """Text for an attribute value in double quotes (an `href`): quotes escaped as well."""
    return html.escape(value, quote=True)


def utf16_len(value: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(value.encode("utf-16-le", "surrogatepass")) // 2


def _is_tag(token: str) -> bool:
    return token.startswith("<") and token.endswith(">") and len(token) > 1


def _token_text(token: str) -> str:
    """What one token shows once Telegram has parsed it."""
    if _is_tag(token):
        return ""
    if token.startswith("&") and token.endswith(";") and len(token) > 1:
        return html.unescape(token)
    return token


def to_plain(markup: str) -> str:
    """The text Telegram shows for `markup`: tags dropped, entities decoded."""
    return "".join(_token_text(t) for t in _TOKEN_RE.findall(markup))


def visible_length(markup: str) -> int:
    """How many characters Telegram counts for `markup` (UTF-16 code units after parsing)."""
    return utf16_len(to_plain(markup))


def cut_plain(value: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """`value` cut to at most `limit` UTF-16 units, between words if possible, plus `ellipsis`."""
    if utf16_len(value) <= limit:
        return value
    budget = limit - utf16_len(ellipsis)
    kept: list[str] = []
    used = 0
    for char in value:
        cost = utf16_len(char)
        if used + cost > budget:
            break
        kept.append(char)
        used += cost
    head = _back_to_word_boundary("".join(kept), value[len(kept) : len(kept) + 1])
    return head + ellipsis


def _back_to_word_boundary(head: str, following: str) -> str:
    """`head` shortened to end between words, unless that throws away too much; tidy end."""
    if following and not following.isspace() and head and not head[-1].isspace():
        space = head.rfind(" ")
        if space > 0 and len(head) - space <= _WORD_BACKOFF:
            head = head[:space]
    head = head.rstrip()
    # A joiner or combining mark left at the end belongs to a character we cut off.
    while head and (head[-1] == "\u200d" or unicodedata.combining(head[-1])):
        head = head[:-1]
    return head.rstrip(" ,;:–—-")


def cut_html(markup: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """`markup` cut to at most `limit` visible UTF-16 units, ending in `ellipsis`.

    Cuts only between tokens or between characters of a text run, never inside a tag or an
    entity; tags left open are closed, and tags that would end up empty are dropped.
    """
    if visible_length(markup) <= limit:
        return markup
    budget = limit - utf16_len(ellipsis)
    out: list[str] = []
    open_tags: list[tuple[str, int]] = []  # (name, index of its opening token in `out`)
    used = 0
    tokens = _TOKEN_RE.findall(markup)
    for token in tokens:
        if _is_tag(token):
            match = _TAG_NAME_RE.match(token)
            name = match.group(1).lower() if match else ""
            if token.startswith("</"):
                if open_tags and open_tags[-1][0] == name:
                    open_tags.pop()
            elif not token.endswith("/>"):
                open_tags.append((name, len(out)))
            out.append(token)
            continue
        shown = _token_text(token)
        cost = utf16_len(shown)
        if used + cost <= budget:
            out.append(token)
            used += cost
            continue
        if shown == token:  # a text run: keep the characters that fit
            part: list[str] = []
            for char in token:
                char_cost = utf16_len(char)
                if used + char_cost > budget:
                    break
                part.append(char)
                used += char_cost
            kept = "".join(part)
            out.append(_back_to_word_boundary(kept, token[len(kept) : len(kept) + 1]))
        break
    # Drop tags opened at the very end with nothing shown inside them.
    while open_tags and all(not _token_text(t) for t in out[open_tags[-1][1] + 1 :]):
        name, index = open_tags.pop()
        del out[index:]
    body = "".join(out).rstrip()
    closing = "".join(f"</{name}>" for name, _ in reversed(open_tags))
    return body + escape(ellipsis) + closing
