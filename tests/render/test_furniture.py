"""Page furniture removed from an article's text, on the example article and rule tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.render.furniture import clean_paragraphs
from tests.render import cases
from tests.render.test_summary import PROSE, article

FURNITURE = [
    ("time_ago", "Deep News 3 hours ago"),
    ("minutes_ago", "Updated 25 min ago"),
    ("byline", "By Jane Doe and John Roe"),
    ("published", "Published Dec 3, 2025, 9:12 AM"),
    ("risk_disclaimer", "**Risk Disclaimer** Investing carries risks, and caution is advised."),
    ("disclaimer_label", "Disclaimer: Investing carries risk. This is not financial advice."),
    ("not_advice", "This article does not constitute personal investment advice."),
    ("info_only", "It is solely for general information purposes only and nothing more."),
    ("own_research", "Investors should do their own research before investing."),
    ("share", "Share this article"),
    ("follow", "Follow us on X and LinkedIn for more news"),
    ("caption_photo", "Photo: Andy Jassy at re:Invent in Las Vegas"),
    ("caption_getty", "Andy Jassy speaks in Las Vegas. Noah Berger/Getty Images"),
    ("caption_credit", "A Trainium2 server rack (Credit: Amazon)"),
    ("cookies", "We use cookies to improve your experience. Accept all cookies to continue."),
    ("numbers", "1. 1"),
    ("read_more", "Read more: Nvidia's grip on AI chips loosens"),
    ("repeated_title", "Amazon's chip business"),
    ("forward_looking", "This press release contains forward-looking statements about sales."),
    ("continue_reading", "Continue reading..."),
    ("keep_reading", "Keep reading →"),
    ("read_full_story", "Read the full story at Reuters"),
    ("wordpress_post", "The post Amazon's chip business appeared first on Deep News."),
]


@pytest.mark.parametrize("paragraph", [p for _, p in FURNITURE], ids=[n for n, _ in FURNITURE])
def test_furniture_is_removed(paragraph: str) -> None:
    assert clean_paragraphs(article(f"{paragraph}\n\n{PROSE}")) == [PROSE]


BLOCKS = [
    ("most_discussed", "Most Discussed\n\n1. 1\n\n2. 2\n\n3. Short headline here"),
    ("related", "Related Articles\n\nNvidia slips\n\nAMD gains on MI400 news"),
    ("about_tail", "About Amazon\n\n" + PROSE.replace("Amazon said", "Amazon is")),
    ("contacts_tail", "Media Contacts\n\nJane Doe, jane@example.com"),
    ("safe_harbor_tail", "Forward-Looking Statements\n\nStatements herein may differ."),
]


@pytest.mark.parametrize("block", [b for _, b in BLOCKS], ids=[n for n, _ in BLOCKS])
def test_blocks_after_the_article_are_removed(block: str) -> None:
    assert clean_paragraphs(article(f"{PROSE}\n\n{block}")) == [PROSE]


def test_links_block_in_the_middle_ends_at_prose() -> None:
    later = "Later, Jassy said Trainium3 improves performance fourfold over its predecessor chip."
    text = f"{PROSE}\n\nMost Read\n\nNvidia slips\n\n{later}"
    assert clean_paragraphs(article(text)) == [PROSE, later]


DATELINES = [
    ("wire", "DEARBORN, Mich., Feb. 04, 2026 /PRNewswire/ -- Ford Motor Company (NYSE: F) said"),
    ("plain", "NEW YORK, Jan. 5, 2026 -- Ford Motor Company (NYSE: F) said"),
    ("reuters", "SEATTLE (Reuters) - Ford Motor Company (NYSE: F) said"),
]


@pytest.mark.parametrize("lead", [d for _, d in DATELINES], ids=[n for n, _ in DATELINES])
def test_datelines_are_stripped(lead: str) -> None:
    assert clean_paragraphs(article(lead)) == ["Ford Motor Company (NYSE: F) said"]


def test_example_article_has_no_furniture(fixtures_dir: Path) -> None:
    paragraphs = clean_paragraphs(cases.seed_article(fixtures_dir))
    text = "\n".join(paragraphs)
    assert len(paragraphs) == 12
    assert paragraphs[0].startswith("Amazon.com's CEO has disclosed")
    assert paragraphs[-1].startswith("However, Amazon appears")
    for furniture in ("3 hours ago", "Disclaimer", "Most Discussed", "advice", "1. 1", "**"):
        assert furniture not in text


CUT = PROSE.removesuffix(".")  # 28 words
CUTS = [
    ("bracketed_ellipsis", f"{CUT} […]", f"{CUT}…"),
    ("bracketed_dots", f"{CUT} [...]", f"{CUT}…"),
    ("three_dots", f"{CUT}...", f"{CUT}…"),
    ("long_mid_sentence", f"{CUT} and", f"{CUT} and…"),
    ("glued_continue_reading", f"{PROSE} Continue reading...", PROSE),
    ("glued_read_more", f"{PROSE} Read more »", PROSE),
    ("full_stop_kept", PROSE, PROSE),
    ("short_headline_kept", "Amazon's chips in numbers", "Amazon's chips in numbers"),
]


@pytest.mark.parametrize(
    ("last", "shown"), [(t, s) for _, t, s in CUTS], ids=[n for n, _, _ in CUTS]
)
def test_a_text_the_feed_cut_short_ends_with_an_ellipsis(last: str, shown: str) -> None:
    assert clean_paragraphs(article(f"{PROSE}\n\n{last}")) == [PROSE, shown]


def test_lines_a_br_broke_stay_apart() -> None:
    # "Giovanni Pernice<br>The actor said…": a name on its own line is not the next sentence's.
    text = f"Andy Jassy\n{PROSE}"
    assert clean_paragraphs(article(text)) == ["Andy Jassy", PROSE]
