"""The extractive summary, on the example article and rule tables (page furniture:
test_furniture.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Article
from bot.render.html import to_plain, visible_length
from bot.render.summary import bold_terms, summarise, term_pattern
from tests.render import cases

PROSE = (
    "Amazon said on Tuesday that its Trainium chips now bring in billions of dollars a year "
    "and that more than one million of them are running in its data centres."
)


def article(text: str, title: str = "Amazon's chip business") -> Article:
    return Article(
        key="k",
        entry_id="e",
        title=title,
        url="https://example.com/a",
        text=text,
        published=datetime(2026, 1, 1, tzinfo=UTC),
        source="Example",
    )


def test_example_summary_is_about_trainium_revenue_and_chips(fixtures_dir: Path) -> None:
    summary = summarise(cases.seed_article(fixtures_dir), ["Amazon", "Trainium"], 500)
    plain = to_plain(summary)
    assert visible_length(summary) <= 500
    assert plain.startswith("Amazon.com's CEO has disclosed")
    for word in ("revenue", "chips", "Trainium"):
        assert word in plain
    assert "<b>Trainium</b>" in summary
    assert "<b>Amazon</b>" in summary


@pytest.mark.parametrize("limit", [100, 200, 500, 1000, 3000], ids=str)
def test_summary_respects_the_limit(limit: int, fixtures_dir: Path) -> None:
    summary = summarise(cases.seed_article(fixtures_dir), ["Trainium"], limit)
    assert 0 < visible_length(summary) <= limit


def test_long_lead_is_cut_between_words() -> None:
    summary = summarise(article(PROSE), ["Trainium"], 60)
    assert to_plain(summary) == "Amazon said on Tuesday that its Trainium chips now bring in…"


def test_title_only_gives_no_summary() -> None:
    assert summarise(article(""), ["Amazon"], 500) == ""
    assert summarise(article("Amazon's chip business\n\nShare this article"), ["Amazon"], 500) == ""


def test_summary_escapes_html() -> None:
    summary = summarise(article("AT&T <script> said \"x\" & 'y'."), ["AT&T"], 500)
    assert summary == "<b>AT&amp;T</b> &lt;script&gt; said \"x\" &amp; 'y'."


TERMS = [
    ("word", ["chip"], "The chip and chips, not microchip.", ["chip", "chips"]),
    ("model_number", ["Trainium"], "Trainium2 and Trainium3 beat Trainiums.", None),
    ("ticker_case", ["IT"], "IT said it would.", ["IT"]),
    ("phrase", ["AI chips"], "New AI  chips, ai chips, AI chip.", ["AI  chips", "ai chips"]),
    ("dollar_ticker", ["AMZN"], "Buy $AMZN or AMZNX.", ["AMZN"]),
    ("none", [], "Nothing here.", []),
]


@pytest.mark.parametrize(
    ("terms", "text", "expected"),
    [t[1:] for t in TERMS],
    ids=[t[0] for t in TERMS],
)
def test_term_pattern(terms: list[str], text: str, expected: list[str] | None) -> None:
    pattern = term_pattern(terms)
    found = [m.group(0) for m in pattern.finditer(text)] if pattern else []
    assert found == (expected if expected is not None else ["Trainium2", "Trainium3", "Trainiums"])


ZH_TEXT = (
    "英伟达周三公布财报，营收同比增长94%，超出分析师预期。"
    "公司表示，数据中心业务仍是增长主力！"
    "市场关注其新一代芯片何时量产？"
    "股价盘后上涨5%。"
)

# (terms, limit, the summary as plain text)
CHINESE = [
    (["英伟达"], 500, ZH_TEXT),
    (
        ["英伟达"],
        50,
        "英伟达周三公布财报，营收同比增长94%，超出分析师预期。公司表示，数据中心业务仍是增长主力！",
    ),
    (
        ["芯片"],
        60,
        "英伟达周三公布财报，营收同比增长94%，超出分析师预期。 … 市场关注其新一代芯片何时量产？",
    ),
    (["英伟达"], 21, "英伟达周三公布财报，营收同比增长94%，…"),
    (["英伟达"], 20, "英伟达周三公布财报，…"),
]


@pytest.mark.parametrize(
    ("terms", "limit", "plain"),
    CHINESE,
    ids=["whole", "two sentences", "gap", "clause cut", "earlier clause"],
)
def test_chinese_summaries_cut_on_chinese_sentence_ends(
    terms: list[str], limit: int, plain: str
) -> None:
    summary = summarise(article(ZH_TEXT, title="英伟达财报"), terms, limit)
    assert to_plain(summary) == plain
    assert visible_length(summary) <= limit


@pytest.mark.parametrize(
    ("terms", "text", "bold"),
    [
        (["苹果"], "马斯克与苹果CEO库克会面", "马斯克与<b>苹果</b>CEO库克会面"),
        (["Meta平台"], "Meta平台(META.US)称", "<b>Meta平台</b>(META.US)称"),
        (["Meta平台"], "XMeta平台称", "XMeta平台称"),
        (["芯片", "AI"], "英伟达的AI芯片", "英伟达的<b>AI</b><b>芯片</b>"),
    ],
    ids=["before Latin letters", "Latin start", "not inside a Latin word", "mixed"],
)
def test_chinese_terms_in_bold(terms: list[str], text: str, bold: str) -> None:
    assert bold_terms(text, term_pattern(terms)) == bold
