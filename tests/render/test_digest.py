"""Digests: grouping by ticker and keyword, splitting into messages, the disclaimer on each."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.models import Alert
from bot.render.digest import group, render_digest
from bot.render.html import visible_length
from bot.settings import DEFAULT_DISCLAIMER
from tests.fakes.telegram_html import telegram_html_errors
from tests.render import cases

TAIL = f"\n\n<i>{DEFAULT_DISCLAIMER}</i>"


def many(alert: Alert, count: int) -> list[Alert]:
    """`count` distinct articles like `alert`'s."""
    return [
        replace(
            alert,
            article=replace(
                alert.article, key=f"{alert.article.key}#{i}", title=f"{alert.article.title} #{i}"
            ),
        )
        for i in range(count)
    ]


def test_no_alerts_no_messages() -> None:
    assert render_digest([], disclaimer=DEFAULT_DISCLAIMER, title="Digest") == []


def test_groups_tickers_then_keywords_each_article_once(fixtures_dir: Path) -> None:
    seed = cases.seed_alert(fixtures_dir)  # $AMZN and “Trainium”: listed under $AMZN only
    fed = cases.multi_source_alert(fixtures_dir)
    groups = group([fed, seed, seed, cases.press_release_alert()])
    assert [(label, len(lines)) for label, lines in groups] == [
        ("$AMZN", 1),
        ("$F", 1),
        ("“Fed”", 1),
    ]


def test_alert_without_hits_goes_under_other() -> None:
    alert = replace(cases.press_release_alert(), hits=())
    assert [label for label, _ in group([alert])] == ["Other"]


def test_long_digest_is_split_and_each_message_is_whole(fixtures_dir: Path) -> None:
    batch = many(cases.seed_alert(fixtures_dir), 40) + many(
        cases.multi_source_alert(fixtures_dir), 40
    )
    messages = render_digest(batch, disclaimer=DEFAULT_DISCLAIMER, title="Your digest")
    assert len(messages) > 1
    assert messages[0].startswith("<b>Your digest</b>\n\n<b>$AMZN</b>\n• ")
    assert messages[1].startswith("<b>Your digest (continued)</b>\n\n<b>")
    lines = 0
    for message in messages:
        assert telegram_html_errors(message) == []
        assert visible_length(message) <= 4096
        assert message.endswith(TAIL)
        lines += message.count("\n• ")
    assert lines == 80
