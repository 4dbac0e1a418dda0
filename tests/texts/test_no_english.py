"""Everything a Chinese chat is sent, with no English left but tickers, URLs, commands, the
values users type (/settings mode daily) and the story's own text.

Every catalogue message is said in Chinese with Chinese values; then an alert, a filing and a
digest of Chinese stories are rendered for a Chinese chat. What is left after removing the
allowed tokens must hold no Latin word.
"""

from __future__ import annotations

import re
import string
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import Alert, Article
from bot.render.digest import render_digest
from bot.render.filings import company as filed_by
from bot.render.html import to_plain
from bot.render.message import render_alert
from bot.texts import keys, plural, plural_keys, text
from tests.render import cases

ZH = "zh_Hans"
# What may stay Latin in a Chinese message: commands and their typed values, tickers and
# cashtags, URLs, names of products, standards and codes users type or see on the SEC's site.
ALLOWED = [
    r'"AI chips"',
    r"\bSEC_USER_AGENT\b",
    r"\bhttp\(s\)",
    r"https?://\S+",
    r"t\.me/\S+",
    r"/[a-z_]+(?:@\w+)?",
    r"\$?\b[A-Z][A-Z0-9.\-]{0,9}\b",  # tickers, form and product codes (SEC, IPO, OPML, 8-K)
    r"\b(?:Asia/Shanghai|America/New_York|Europe/Berlin)\b",
    r"\bInvestor Alerts\b",
    r"-crypto\b|\bcrypto\b",
    r"\b(?:instant|hourly|daily|on|off|en|zh|timezone|digest|quiet|rate|lang)\b",  # typed values
    r"\b(?:ticker|keyword|muted|true|false)\b",  # the export file's own field names
    # A ticker's choice as typed after /watch, /sources and /events (bot.subscriptions.choice).
    r"\b(?:about|any|all|only|except|news|press|filings)\b",
    r"\b(?:earnings|analyst|guidance|merger|dividend|buyback|offering|fda|legal)\b",
    r"\b(?:solicitation|executive|filing)\b",
    r"\b(?:or|and|not)\b",  # the query language's operators, in any case
    r"-ed/-ing",
    r"\bNASDAQ\b",
]
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
STORY_TITLE = "亚马逊首席执行官：Trainium 芯片已量产超过一百万颗"
STORY_TEXT = (
    "亚马逊首席执行官表示，自研 Trainium 芯片已量产超过一百万颗，每年带来数十亿美元收入。"
    "公司计划继续扩大产能。"
)


def english_left(message: str, story: tuple[str, ...] = ()) -> list[str]:
    """The Latin words left in `message` once the allowed tokens and the story's text go."""
    for own in story:
        message = message.replace(own, " ")
    for pattern in ALLOWED:
        message = re.sub(pattern, " ", message)
    return LATIN_WORD.findall(message)


def filled(key: str) -> dict[str, object]:
    """Chinese sample values for every placeholder of `key`."""
    template_fields: set[str] = set()
    for lang in ("en", ZH):
        raw = _raw(key, lang)
        template_fields |= {f for _, f, _, _ in string.Formatter().parse(raw) if f}
    return {name: "示例" for name in template_fields if name != "count" or key not in plural_keys()}


def _raw(key: str, lang: str) -> str:
    from bot.texts import _catalogue  # the compiled catalogue: its raw template

    catalogue = _catalogue(lang)
    if key in plural_keys():
        return catalogue.ngettext(key, key, 2)
    return catalogue.gettext(key)


@pytest.mark.parametrize("key", sorted(keys(ZH) - {"language.name"}), ids=str)
def test_every_message_in_chinese_has_no_english_left(key: str) -> None:
    if key.startswith("format."):
        return  # date patterns (LDML), not messages
    values = filled(key)
    said = plural(key, 3, ZH, **values) if key in plural_keys() else text(key, ZH, **values)
    assert english_left(said) == [], said


def chinese_story(number: int = 1) -> Article:
    return Article(
        key=f"https://finance.example.cn/amzn-{number}",
        entry_id=f"amzn-{number}",
        title=STORY_TITLE,
        url=f"https://finance.example.cn/amzn-{number}",
        text=STORY_TEXT,
        source="新浪财经",
        published=datetime(2026, 12, 7, 1, 0, tzinfo=UTC),
    )


def chinese_alert(number: int = 1) -> Alert:
    hits = (cases.ticker(7, "AMZN", "亚马逊"), cases.keyword(8, "芯片", "芯片"))
    return Alert(cases.CHAT, chinese_story(number), hits)


def test_an_alert_for_a_chinese_chat() -> None:
    rendered = render_alert(chinese_alert(), disclaimer=text("disclaimer", ZH), lang=ZH)
    plain = to_plain(rendered.text)
    assert "匹配原因：" in plain
    assert text("disclaimer", ZH) in plain
    assert english_left(plain, (STORY_TITLE, STORY_TEXT, "Trainium")) == [], plain
    labels = [b.label for row in rendered.buttons for b in row]
    assert english_left(" ".join(labels)) == [], labels


def test_a_filing_for_a_chinese_chat(fixtures_dir: Path) -> None:
    alert = cases.edgar_alert(fixtures_dir)
    rendered = render_alert(alert, disclaimer=text("disclaimer", ZH), lang=ZH)
    plain = to_plain(rendered.text)
    assert "经营业绩与财务状况" in plain  # item 2.02, explained in Chinese
    company = filed_by(alert.article) or ""
    story = (company, alert.article.title, alert.article.source)
    assert english_left(plain, story) == [], plain


def test_a_digest_for_a_chinese_chat() -> None:
    alerts = [chinese_alert(n) for n in range(1, 4)]
    alerts.append(replace(chinese_alert(9), hits=()))
    (message,) = render_digest(
        alerts,
        disclaimer=text("disclaimer", ZH),
        title=text("delivery.digest.daily", ZH),
        lang=ZH,
    )
    plain = to_plain(message)
    assert "你的每日摘要" in plain
    assert english_left(plain, (STORY_TITLE, "新浪财经", "Trainium")) == [], plain
