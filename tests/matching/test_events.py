"""Event types, on real headlines and leads (publisher named in each id), each type both ways."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest

from bot.matching.events import _EXECUTIVE, _LOWERED, _NEEDS, classify, lead
from tests.matching.conftest import article

# (title, text, events that must be there, events that must not)
Case = tuple[str, str, set[str], set[str]]

CASES: dict[str, Case] = {
    "benzinga-earnings-recap": (
        "",
        "GoPro GPRO reported its Q1 earnings results on Thursday, May 5, 2022 at 04:00 PM.",
        {"earnings"},
        {"analyst"},
    ),
    "trap-yahoo-dividend-stocks-listicle-is-no-dividend": (
        "7 Best Monthly Dividend Stocks to Buy Now",
        "",
        set(),
        {"dividend", "merger"},
    ),
    "tobacco-reporter-dividend": ("Altria announces dividend", "", {"dividend"}, {"earnings"}),
    "trap-dividend-per-share-is-no-earnings": (
        "Aptar Raises Quarterly Dividend",
        "AptarGroup, Inc. (NYSE: ATR), a global leader in drug delivery, consumer product"
        " dispensing and material science solutions, today declared a quarterly cash dividend of"
        " $0.38 per share which is an increase of approximately 6% from the previous dividend"
        " amount.",
        {"dividend"},
        {"earnings"},
    ),
    "thefly-analyst-rating": (
        "Hawaiian Electric downgraded to Underperform from Hold at Jefferies",
        "",
        {"analyst"},
        set(),
    ),
    "trap-biospace-overweight-patients-are-no-rating": (
        "",
        "Eli Lilly’s recently registered Phase IIIb SURMOUNT-5 trial will compare its Mounjaro"
        " with Novo Nordisk’s Wegovy in obese or overweight patients with weight-related health"
        " conditions.",
        {"fda"},
        {"analyst"},
    ),
    "google-news-guidance": (
        "Broadcom Projects Over 100 Billion in AI Chip Revenue by 2027",
        "",
        {"guidance"},
        set(),
    ),
    "cnbc-merger": (
        "Charles Schwab to buy USAA assets in $1.8 billion deal",
        "",
        {"merger"},
        set(),
    ),
    "trap-google-news-reasons-to-buy-a-stock": (
        "A $100 Billion and More Reasons to Buy Broadcom Stock Now",
        "",
        set(),
        {"merger"},
    ),
    "trueviralnews-buyback": (
        "",
        "The board of Synchrony approved the addition of $2.8 billion to the company's stock buy"
        " back plan as well as a 5% dividend increase.",
        {"buyback", "dividend"},
        set(),
    ),
    "benzinga-offering": (
        "",
        "Ocugen Inc OCGN shares are trading lower by 11% to $1.25 Thursday morning after the"
        " company announced the pricing of its public offering of 30,434,783 shares of common"
        " stock at $1.15 per share, aiming to raise $35 million before expenses.",
        {"offering"},
        set(),
    ),
    "trap-sec-illegal-offering-is-a-legal-story": (
        "SEC Charges Arete Wealth Broker-Dealer and Advisory Firms, Their Chief Compliance"
        " Officer, and Several Representatives in Connection With Illegal Securities Offering",
        "",
        {"legal"},
        {"offering"},
    ),
    "optimum-fda": (
        "Destiny Pharma announces positive update from US FDA on XF-73 Phase 3 development plans",
        "",
        {"fda"},
        set(),
    ),
    "trap-hollywood-reporter-pivotal-research-is-no-trial": (
        "Analyst Downgrades Facebook Stock, Citing Price Run-up",
        '"Too far, too fast," says Pivotal Research analyst Brian Wieser in a report about the'
        " recent gains of the social network's stock.",
        {"analyst"},
        {"fda"},
    ),
    "sec-legal": (
        "SEC Charges LPL Financial with Anti-Money Laundering Violations",
        "",
        {"legal"},
        {"solicitation"},
    ),
    "stocklosslawyer-solicitation": (
        "If you suffered losses in Anavex stock, contact Anavex stock loss lawyer Timothy L. Miles"
        " about an Anavex lawsuit",
        "The Anavex class action lawsuit seeks to represent purchasers or acquirers of Anavex Life"
        " Sciences Corporation (NASDAQ: AVXL) publicly traded securities between February 1, 2022"
        " and January 1, 2024, inclusive (the “Class Period”).",
        {"legal", "solicitation"},
        {"merger"},
    ),
    "reuters-executive": (
        "",
        "Intel CEO Pat Gelsinger stepped down from his role on Dec. 1, less than four years after"
        " taking the helm.",
        {"executive"},
        set(),
    ),
    "trap-seed-like-ceo-reveals-is-no-change": (
        "Broadcom CEO Hock Tan sees AI chip revenue 'significantly' above $100 billion next year",
        "",
        {"guidance"},
        {"executive"},
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_event_types(case: Case) -> None:
    title, text, present, absent = case
    events = set(classify(article(title, text)))
    assert present <= events, events
    assert not absent & events, events


@pytest.mark.parametrize(
    ("form", "items", "expected"),
    [
        ("8-K", ("2.02", "9.01"), {"filing", "earnings"}),
        ("8-K", ("5.02",), {"filing", "executive"}),
        ("8-K", ("2.01",), {"filing", "merger"}),
        ("8-K", ("8.01",), {"filing"}),
        ("S-1", (), {"filing", "offering"}),
    ],
    ids=["results", "officers", "acquisition-completed", "other-events", "registration"],
)
def test_filings_by_form_and_items(form: str, items: tuple[str, ...], expected: set[str]) -> None:
    filing = article(
        "8-K - Ultragenyx Pharmaceutical Inc. - Current report", form=form, items=items
    )
    assert set(classify(filing)) == expected


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _real_leads() -> list[str]:
    """The leads of the labelled stories and of every entry of the real feeds, lowered."""
    stories = json.loads((FIXTURES / "labelled" / "stories.json").read_text("utf-8"))
    pairs = [(s["title"], s["text"]) for s in stories]
    for path in sorted((FIXTURES / "real").glob("*.xml")):
        for entry in feedparser.parse(str(path)).entries:
            pairs.append((entry.get("title", ""), entry.get("summary", "")))
    titled = [(title, text) for title, text in pairs] + [("", f"{t} {x}") for t, x in pairs]
    return [lead(article(title, text)).lower() for title, text in titled]


def test_every_match_of_a_rule_holds_one_of_its_needs() -> None:
    """The substrings that let `classify` skip a rule are in every match of it, on real text
    and on this file's cases, so the skipping never changes an event type."""
    leads = _real_leads() + [lead(article(t, x)).lower() for t, x, _, _ in CASES.values()]
    rules = {**_LOWERED, **_EXECUTIVE}
    for name, needs in _NEEDS.items():
        for text in leads:
            for match in rules[name].finditer(text):
                assert any(need in match.group() for need in needs), (name, match.group())
