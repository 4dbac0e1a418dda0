"""The alert layout's rules: disclaimer, limit, links, buttons, plain fallback, languages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from bot.models import Alert
from bot.render.buttons import parse_snooze, snooze_choices
from bot.render.html import utf16_len, visible_length
from bot.render.message import (
    DISCLAIMER_LIMIT,
    Button,
    parse_callback,
    render_alert,
    render_plain,
    undo_button,
)
from bot.settings import DEFAULT_DISCLAIMER
from tests.fakes.telegram_html import telegram_html_errors
from tests.render import cases

TAIL = f"<i>{DEFAULT_DISCLAIMER}</i>"


def test_one_subscription_gives_mute_and_snooze_then_open(fixtures_dir: Path) -> None:
    alert = cases.edgar_alert(fixtures_dir)
    rendered = render_alert(alert, disclaimer=DEFAULT_DISCLAIMER)
    assert rendered.buttons == (
        (
            Button("Mute $RARE", callback_data="mute:3"),
            Button("Snooze", callback_data="snooze:3"),
        ),
        (Button("Open", url=alert.article.url),),
    )


def test_several_subscriptions_each_get_a_row_of_mute_and_snooze(fixtures_dir: Path) -> None:
    rendered = render_alert(cases.seed_alert(fixtures_dir), disclaimer=DEFAULT_DISCLAIMER)
    assert [[b.label for b in row] for row in rendered.buttons] == [
        ["Mute $AMZN", "Snooze"],
        ["Mute “Trainium”", "Snooze"],
        ["Open"],
    ]
    assert [parse_callback(row[0].callback_data or "") for row in rendered.buttons[:2]] == [
        ("mute", 7),
        ("mute", 8),
    ]
    assert [parse_snooze(row[1].callback_data or "") for row in rendered.buttons[:2]] == [
        (7, None),
        (8, None),
    ]


@pytest.mark.parametrize(
    ("data", "parsed"),
    [
        ("snooze:7", (7, None)),
        ("snooze:7:1h", (7, timedelta(hours=1))),
        ("snooze:7:1d", (7, timedelta(days=1))),
        ("snooze:7:1w", (7, timedelta(weeks=1))),
        ("snooze:7:2y", None),
        ("snooze:x", None),
        ("mute:7", None),
    ],
    ids=["press", "hour", "day", "week", "unknown-span", "not-a-number", "other-button"],
)
def test_snooze_callbacks(data: str, parsed: tuple[int, timedelta | None] | None) -> None:
    assert parse_snooze(data) == parsed


def test_snooze_offers_three_spans_within_64_bytes() -> None:
    spans = snooze_choices(2**62)
    assert [b.label for b in spans] == ["1 hour", "1 day", "1 week"]
    assert [b.callback_data for b in spans] == [f"snooze:{2**62}:{s}" for s in ("1h", "1d", "1w")]


def test_long_keyword_button_stays_short_and_callback_within_64_bytes() -> None:
    alert = cases.press_release_alert()
    long_query = "électricité 📈 " * 20
    hit = cases.keyword(2**62, long_query, "Ford")
    rendered = render_alert(replace(alert, hits=(hit,)), disclaimer="d")
    mute = rendered.buttons[0][0]
    assert len(mute.label) <= 40
    assert mute.callback_data is not None
    assert len(mute.callback_data.encode()) <= 64


def test_undo_and_callbacks() -> None:
    assert undo_button(12) == Button("Undo", callback_data="unmute:12")
    assert parse_callback("unmute:12") == ("unmute", 12)
    assert parse_callback("other:12") is None
    assert parse_callback("mute:x") is None


def test_button_refuses_long_callback_data() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Button("x", callback_data="é" * 33)
    with pytest.raises(ValueError, match="either"):
        Button("x")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "", "ftp://x.example/a", "https://"], ids=str
)
def test_unusable_url_gives_no_link_and_no_open_button(url: str) -> None:
    alert = cases.press_release_alert()
    rendered = render_alert(replace(alert, article=replace(alert.article, url=url)), disclaimer="d")
    assert "<a " not in rendered.text
    assert [b.label for row in rendered.buttons for b in row] == ["Mute $F", "Snooze"]
    assert telegram_html_errors(rendered.text) == []


def test_keyword_only_alert_header_is_the_source(fixtures_dir: Path) -> None:
    rendered = render_alert(cases.multi_source_alert(fixtures_dir), disclaimer=DEFAULT_DISCLAIMER)
    assert rendered.text.startswith("CNBC\n<b><a href=")


def test_many_other_sources_are_capped(fixtures_dir: Path) -> None:
    alert = cases.multi_source_alert(fixtures_dir)
    also = tuple((f"Outlet {i}", f"https://o{i}.example/s") for i in range(9))
    alert = replace(alert, article=replace(alert.article, also=also))
    text = render_alert(alert, disclaimer="d").text
    assert "Outlet 4</a>, +4 more" in text
    assert "Outlet 5" not in text


def test_title_only_shows_the_title_and_nothing_invented(fixtures_dir: Path) -> None:
    alert = cases.title_only_alert(fixtures_dir)
    text = render_alert(alert, disclaimer=DEFAULT_DISCLAIMER).text
    body = text.removesuffix("\n\n" + TAIL)
    assert body.count("\n\n") == 1  # head, then straight to the why line
    assert body.endswith("Why: $AVGO (Broadcom)")


@pytest.mark.parametrize("summary_length", [100, 500, 3000, 10_000], ids=str)
def test_disclaimer_is_always_last_and_complete(summary_length: int, fixtures_dir: Path) -> None:
    disclaimer = cases.LONG_DISCLAIMER
    rendered = render_alert(
        cases.cut_alert(fixtures_dir), disclaimer=disclaimer, summary_length=summary_length
    )
    assert rendered.text.endswith(f"\n\n<i>{disclaimer}</i>")
    assert visible_length(rendered.text) <= 4096
    assert telegram_html_errors(rendered.text) == []


def test_very_long_title_is_cut(fixtures_dir: Path) -> None:
    alert = cases.seed_alert(fixtures_dir)
    title = "Trainium " * 1000
    alert = replace(alert, article=replace(alert.article, title=title))
    text = render_alert(alert, disclaimer=DEFAULT_DISCLAIMER, summary_length=3000).text
    assert telegram_html_errors(text) == []
    assert text.endswith(TAIL)


def test_disclaimer_longer_than_the_limit_is_refused(fixtures_dir: Path) -> None:
    with pytest.raises(ValueError, match="disclaimer"):
        render_alert(cases.seed_alert(fixtures_dir), disclaimer="x" * (DISCLAIMER_LIMIT + 1))


def test_disclaimer_is_escaped() -> None:
    text = render_alert(cases.press_release_alert(), disclaimer="Risk <high> & real").text
    assert text.endswith("<i>Risk &lt;high&gt; &amp; real</i>")


def test_plain_fallback(fixtures_dir: Path) -> None:
    alert = cases.multi_source_alert(fixtures_dir)
    plain = render_plain(alert, disclaimer=DEFAULT_DISCLAIMER)
    assert "<" not in plain
    assert alert.article.url in plain
    assert "Reuters (https://www.reuters.example/markets/us/fed-story)" in plain
    assert plain.endswith("\n\n" + DEFAULT_DISCLAIMER)


def test_plain_fallback_is_cut_before_the_disclaimer(fixtures_dir: Path) -> None:
    plain = render_plain(
        cases.cut_alert(fixtures_dir), disclaimer=cases.LONG_DISCLAIMER, summary_length=3000
    )
    assert plain.endswith("\n\n" + cases.LONG_DISCLAIMER)
    assert 4000 < utf16_len(plain) <= 4096


def test_unknown_language_falls_back_to_english(fixtures_dir: Path) -> None:
    alert: Alert = cases.seed_alert(fixtures_dir)
    english = render_alert(alert, disclaimer="d")
    assert render_alert(alert, disclaimer="d", lang="xx") == english
    assert render_alert(alert, disclaimer="d", lang="../../etc") == english


REAL_FEEDS = [
    "cnbc_finance_rss_2019.xml",
    "ctv_news_top_stories_bom_cdata.xml",
    "google_news_search_broadcom_avgo.xml",
    "nyt_us_news_rss_2021.xml",
    "sec_edgar_company_atom_ultragenyx_8k.xml",
    "sec_press_releases_rss.xml",
    "uol_noticias_latin1_no_decl_pt.xml",
    "yahoo_finance_rssindex_2022.xml",
]


@pytest.mark.parametrize("name", REAL_FEEDS, ids=str)
def test_every_real_entry_renders(name: str, fixtures_dir: Path) -> None:
    found = cases.articles(fixtures_dir / "real" / name, name)
    assert found
    for article in found:
        hit = cases.keyword(1, article.title.split()[0] if article.title else "x", "the")
        rendered = render_alert(Alert(1, article, (hit,)), disclaimer=DEFAULT_DISCLAIMER)
        assert telegram_html_errors(rendered.text) == [], article.title
        assert rendered.text.endswith(TAIL)
        assert "<a href=" in rendered.text
