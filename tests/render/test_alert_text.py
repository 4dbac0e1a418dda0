"""What an alert says, on real documents: Google News items (the publisher, the story's own
link, a summary) and a Guardian feed (no "Continue reading...", paragraphs kept apart)."""

from __future__ import annotations

from pathlib import Path

from bot.models import Alert
from bot.render.html import to_plain
from bot.render.message import render_alert
from bot.render.summary import summarise
from tests.fakes.telegram_html import telegram_html_errors
from tests.render import cases

GOOGLE_CLUSTER = "real/google_news_top_stories_2020_cluster.xml"
GUARDIAN = "real/guardian_uk_rss_2025_continue_reading.xml"


def _alert(fixtures: Path, name: str, index: int, *hit_terms: str) -> Alert:
    article = cases.articles(fixtures / name, "News feed")[index]
    return Alert(cases.CHAT, article, (cases.keyword(5, hit_terms[0], *hit_terms),))


def test_a_google_news_alert_names_the_publisher_links_the_story_and_has_a_summary(
    fixtures_dir: Path,
) -> None:
    rendered = render_alert(_alert(fixtures_dir, GOOGLE_CLUSTER, 0, "Barrett"), disclaimer="d")
    assert telegram_html_errors(rendered.text) == []
    head, title, *body = rendered.text.split("\n")
    assert head == "⚖️ Legal · Fox News"  # the story's event first
    assert '<a href="https://www.foxnews.com/entertainment/maher-rips-barrett' in title
    summary = "\n".join(body)
    assert "(Bloomberg Politics)" in summary
    assert "Google News" not in rendered.text
    assert rendered.buttons[-1][0].url is not None
    assert rendered.buttons[-1][0].url.startswith("https://www.foxnews.com/")


def test_a_google_news_search_item_names_the_publisher(fixtures_dir: Path) -> None:
    rendered = render_alert(cases.title_only_alert(fixtures_dir), disclaimer="d")
    assert rendered.text.startswith("🧭 Guidance · <b>$AVGO</b> · The Motley Fool\n")


def test_continue_reading_is_removed_and_paragraphs_stay_apart(fixtures_dir: Path) -> None:
    summary = to_plain(summarise(_alert(fixtures_dir, GUARDIAN, 1, "Zelenskyy").article, (), 500))
    assert "Continue reading" not in summary
    # The standfirst has no full stop: it ends its line instead of running into the next.
    assert summary.startswith(
        "Back home there was widespread support for Ukraine’s president, but also dismay at his "
        "car-crash encounter in the Oval Office\nLive reaction to Zelenskyy’s clash"
    )
    assert "Oval Office Live" not in summary


def test_the_whole_guardian_alert_reads_cleanly(fixtures_dir: Path) -> None:
    rendered = render_alert(_alert(fixtures_dir, GUARDIAN, 0, "Zelenskyy"), disclaimer="d")
    assert telegram_html_errors(rendered.text) == []
    assert "Continue reading" not in rendered.text
    assert "Starmer later ‘He defended" not in rendered.text
    assert "Keir Starmer later\n‘He defended our honour’" in rendered.text
