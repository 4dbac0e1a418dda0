"""SEC forms and 8-K items in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.models import Article
from bot.render.filings import company, filing_lines, filing_title, form_meaning, item_line


def filing(title: str, form: str = "8-K", items: tuple[str, ...] = (), text: str = "") -> Article:
    return Article(
        key="urn:x",
        entry_id="urn:x",
        title=title,
        url="https://www.sec.gov/Archives/edgar/data/1/x-index.htm",
        text=text,
        published=datetime(2026, 2, 12, tzinfo=UTC),
        source="SEC EDGAR",
        form=form,
        items=items,
    )


FORMS = [
    ("8-K", "Current report on material events"),
    ("10-K", "Annual report"),
    ("10-K/A", "Annual report (amendment)"),
    ("4", "Insider trade (change in beneficial ownership)"),
    ("SC 13G/A", "Stake above 5% by a passive investor (amendment)"),
    ("424B2", "Prospectus"),
    ("X-17A-5", None),
]


@pytest.mark.parametrize(("form", "meaning"), FORMS, ids=[f for f, _ in FORMS])
def test_form_meaning(form: str, meaning: str | None) -> None:
    assert form_meaning(form) == meaning


ITEMS = [
    ("2.02", "Item 2.02: Results of operations and financial condition"),
    ("5.02", "Item 5.02: Departure or appointment of directors or officers"),
    ("1.05", "Item 1.05: Material cybersecurity incident"),
    ("9.99", "Item 9.99"),
]


@pytest.mark.parametrize(("number", "line"), ITEMS, ids=[n for n, _ in ITEMS])
def test_item_line(number: str, line: str) -> None:
    assert item_line(number) == line


COMPANIES = [
    ("latest_filings", "8-K - Apple Inc. (0000320193) (Filer)", "Apple Inc."),
    (
        "parse_stage",
        "8-K - Ultragenyx Pharmaceutical Inc. - Current report",
        "Ultragenyx Pharmaceutical Inc.",
    ),
    ("company_feed", "8-K  - Current report", None),
    ("other_title", "Something else", None),
]


@pytest.mark.parametrize(
    ("title", "name"), [c[1:] for c in COMPANIES], ids=[c[0] for c in COMPANIES]
)
def test_company(title: str, name: str | None) -> None:
    assert company(filing(title)) == name


def test_items_read_from_text_when_the_feed_gives_none() -> None:
    article = filing("8-K  - Current report", text="Filed: 2026-02-12\nitems 2.02, 2.05and9.01")
    assert filing_title(article) == "SEC filing: Form 8-K"
    assert filing_lines(article) == [
        "Form 8-K: Current report on material events",
        "• Item 2.02: Results of operations and financial condition",
        "• Item 2.05: Costs associated with exit or disposal activities",
        "• Item 9.01: Financial statements and exhibits",
    ]
