"""The event named in an alert's first line: the story's most telling event type, in the
chat's language; none for a story without one."""

from __future__ import annotations

import pytest

from bot.render.labels import event_label


@pytest.mark.parametrize(
    ("events", "lang", "label"),
    [
        (("earnings",), "en", "📊 Earnings"),
        (("earnings", "filing"), "en", "📊 Earnings"),  # an 8-K of results: the results
        (("filing",), "en", "📄 Filing"),
        (("legal", "solicitation"), "en", "📢 Law-firm solicitation"),
        (("legal",), "en", "⚖️ Legal"),
        (("analyst", "guidance"), "en", "🎯 Analyst rating"),
        (("merger",), "zh_Hans", "🤝 并购"),
        (("newer-than-the-catalogue", "dividend"), "en", "💵 Dividend"),
        ((), "en", None),
    ],
    ids=[
        "earnings",
        "filing-of-results",
        "filing",
        "solicitation-not-legal",
        "legal",
        "first-of-two",
        "chinese",
        "unknown-skipped",
        "none",
    ],
)
def test_event_label(events: tuple[str, ...], lang: str, label: str | None) -> None:
    assert event_label(events, lang) == label
