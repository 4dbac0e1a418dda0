"""Escaping, measuring and cutting Telegram HTML."""

from __future__ import annotations

import pytest

from bot.render.html import cut_html, cut_plain, escape, escape_attr, utf16_len, visible_length
from tests.fakes.telegram_html import telegram_html_errors

LENGTHS = [
    ("ascii", "abc", 3),
    ("entity", "a &amp; b", 5),
    ("tags", '<b>ab</b><a href="https://x.example/?a=1&amp;b=2">c</a>', 3),
    ("emoji", "📈", 2),
    ("emoji_zwj", "👩‍💻", 5),
    ("rtl", "שלום", 4),
    ("numeric_entity", "&#x1F4C8;", 2),
]


@pytest.mark.parametrize(
    ("markup", "length"), [x[1:] for x in LENGTHS], ids=[x[0] for x in LENGTHS]
)
def test_visible_length_counts_utf16_after_parsing(markup: str, length: int) -> None:
    assert visible_length(markup) == length


def test_escape() -> None:
    assert escape("<a> & \"q\" 'q'") == "&lt;a&gt; &amp; \"q\" 'q'"
    assert escape_attr('https://x.example/?a="1"&b=<2>') == (
        "https://x.example/?a=&quot;1&quot;&amp;b=&lt;2&gt;"
    )


CUTS = [
    ("inside_tag", "<b>alpha beta gamma</b> delta", 12, "<b>alpha beta…</b>"),
    ("inside_entity", "AT&amp;T AT&amp;T AT&amp;T", 7, "AT&amp;T…"),
    (
        "nested",
        '<b>one <a href="https://x.example">two three</a></b> four',
        10,
        '<b>one <a href="https://x.example">two…</a></b>',
    ),
    ("empty_tag_dropped", "one two <b>three</b>", 9, "one two…"),
    ("emoji_pair", "ab📈📈📈", 5, "ab📈…"),
    ("fits", "<i>short</i>", 10, "<i>short</i>"),
    ("long_word", "x" * 50, 10, "x" * 9 + "…"),
]


@pytest.mark.parametrize(
    ("markup", "limit", "expected"), [c[1:] for c in CUTS], ids=[c[0] for c in CUTS]
)
def test_cut_html(markup: str, limit: int, expected: str) -> None:
    cut = cut_html(markup, limit)
    assert cut == expected
    assert visible_length(cut) <= limit
    assert telegram_html_errors(cut) == []


def test_cut_plain_counts_utf16() -> None:
    cut = cut_plain("📈" * 10, 7)
    assert cut == "📈📈📈…"
    assert utf16_len(cut) == 7
