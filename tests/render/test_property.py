"""Property tests: any title, body, terms, sources and disclaimer render as valid Telegram HTML
within the limit, with the disclaimer complete at the end (alerts, plain text and digests)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.models import Alert, Article, Hit, Kind, Subscription
from bot.render.digest import render_digest
from bot.render.html import escape, utf16_len, visible_length
from bot.render.message import render_alert, render_plain
from tests.fakes.telegram_html import telegram_html_errors

# Characters that break naive renderers: markup, entities, quotes, emoji, RTL, joiners.
TRICKY = st.sampled_from(
    [*"<>&\"'", "&amp;", "&lt;", "<b>", "</a>", "📈", "👩\u200d💻", "שלום", "مرحبا", "\u200f", "é"]
)
WORDS = st.one_of(
    st.text(min_size=1, max_size=12),
    TRICKY,
    st.sampled_from(["Amazon", "Trainium", "AMZN", "$AMZN", "(NYSE: F)", "3 hours ago"]),
    st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "📈", "ש"]), st.integers(200, 5000)),
)
SENTENCES = st.lists(WORDS, min_size=1, max_size=40).map(lambda ws: " ".join(ws) + ".")
BODIES = st.lists(st.lists(SENTENCES, min_size=1, max_size=6).map(" ".join), max_size=12).map(
    "\n\n".join
)
URLS = st.one_of(
    st.sampled_from(['https://x.example/a?b=1&c="2"', "http://x.example/<p>", "javascript:x"]),
    st.text(max_size=30),
)
DISCLAIMERS = st.text(min_size=1, max_size=800).filter(lambda s: s.strip())


@st.composite
def alerts(draw: st.DrawFn, *, with_body: bool = True) -> Alert:
    article = Article(
        key=draw(st.text(max_size=10)),
        entry_id="e",
        title=" ".join(draw(st.lists(WORDS, max_size=30))),
        url=draw(URLS),
        text=draw(BODIES) if with_body else "",
        published=datetime(2026, 1, 1, tzinfo=UTC),
        source=draw(st.text(max_size=80)),
        also=tuple(draw(st.lists(st.tuples(st.text(max_size=50), URLS), max_size=8))),
        form=draw(st.sampled_from([None, None, "8-K", "10-K/A", "<x>"])),
        items=tuple(draw(st.lists(st.sampled_from(["2.02", "9.01", "<&>"]), max_size=3))),
    )
    hits = tuple(
        Hit(
            Subscription(draw(st.integers(1, 2**63 - 1)), 1, kind, draw(WORDS)),
            tuple(draw(st.lists(WORDS, max_size=4))),
            "",
        )
        for kind in draw(st.lists(st.sampled_from(list(Kind)), max_size=4))
    )
    return Alert(1, article, hits)


@settings(max_examples=120, deadline=None)
@given(alert=alerts(), disclaimer=DISCLAIMERS, summary_length=st.integers(1, 5000))
def test_any_alert_renders_valid_html_within_the_limit(
    alert: Alert, disclaimer: str, summary_length: int
) -> None:
    rendered = render_alert(alert, disclaimer=disclaimer, summary_length=summary_length)
    assert telegram_html_errors(rendered.text) == []
    assert visible_length(rendered.text) <= 4096
    assert rendered.text.endswith(f"\n\n<i>{escape(' '.join(disclaimer.split()))}</i>")
    for row in rendered.buttons:
        for button in row:
            assert len((button.callback_data or "").encode()) <= 64

    plain = render_plain(alert, disclaimer=disclaimer, summary_length=summary_length)
    assert utf16_len(plain) <= 4096
    assert plain.endswith("\n\n" + " ".join(disclaimer.split()))


@settings(max_examples=40, deadline=None)
@given(
    batch=st.lists(alerts(with_body=False), min_size=1, max_size=60),
    disclaimer=DISCLAIMERS,
    title=st.text(max_size=300),
)
def test_any_digest_renders_valid_html_within_the_limit(
    batch: list[Alert], disclaimer: str, title: str
) -> None:
    messages = render_digest(batch, disclaimer=disclaimer, title=title)
    assert messages
    tail = f"\n\n<i>{escape(' '.join(disclaimer.split()))}</i>"
    for message in messages:
        assert telegram_html_errors(message) == []
        assert visible_length(message) <= 4096
        assert message.endswith(tail)
