"""Reading SEC EDGAR entries' strings: titles, 8-K item numbers, CIKs, accession numbers."""

from __future__ import annotations

import pytest

from bot.feeds import edgar

TITLE_CASES = [
    (
        "8-K - Ultragenyx Pharmaceutical Inc. (0001515673) (Filer)",
        edgar.EdgarTitle("8-K", "Ultragenyx Pharmaceutical Inc.", 1515673, "Filer"),
    ),
    (
        "SC 13D/A - ADURO CLEAN TECHNOLOGIES INC. (0001863934) (Subject)",
        edgar.EdgarTitle("SC 13D/A", "ADURO CLEAN TECHNOLOGIES INC.", 1863934, "Subject"),
    ),
    (
        "4 - Smith John (0001234567) (Reporting)",
        edgar.EdgarTitle("4", "Smith John", 1234567, "Reporting"),
    ),
    (
        "8-K/A - Acme (Holdings) Corp (0000320193) (Filer)",
        edgar.EdgarTitle("8-K/A", "Acme (Holdings) Corp", 320193, "Filer"),
    ),
    ("8-K  - Current report", edgar.EdgarTitle("8-K", description="Current report")),
    ("Nothing to see", None),
]


@pytest.mark.parametrize(("title", "expected"), TITLE_CASES, ids=[c[0][:30] for c in TITLE_CASES])
def test_edgar_parse_title(title: str, expected: edgar.EdgarTitle | None) -> None:
    assert edgar.parse_title(title) == expected


ITEM_CASES = [
    ("Item 2.02: Results of Operations\nItem 9.01: Exhibits", ("2.02", "9.01")),
    ("items 2.02, 2.05and9.01", ("2.02", "2.05", "9.01")),
    ("Items 2.02 and 9.01", ("2.02", "9.01")),
    ("item 8.01", ("8.01",)),
    ("Filed: 2026-02-23 AccNo: 0001193125-26-062568 Size: 1.50 MB", ()),
    ("", ()),
]


@pytest.mark.parametrize(("text", "items"), ITEM_CASES, ids=[c[0][:25] for c in ITEM_CASES])
def test_edgar_item_numbers(text: str, items: tuple[str, ...]) -> None:
    assert edgar.item_numbers(text) == items


def test_edgar_small_helpers() -> None:
    assert edgar.accession_number("urn:tag:sec.gov,2008:accession-number=0001193125-26-062568") == (
        "0001193125-26-062568"
    )
    assert edgar.accession_number("no number") is None
    link = "https://www.sec.gov/Archives/edgar/data/1515673/000119312526062568/x-index.htm"
    assert edgar.cik_from_link(link) == 1515673
    assert edgar.cik_from_link("https://www.sec.gov/newsroom/press-releases/2025-31") is None
    assert edgar.parse_cik("0001515673") == 1515673
    assert edgar.parse_cik("abc") is None
    assert edgar.is_edgar("", link)
    assert not edgar.is_edgar("x", "https://www.sec.gov/newsroom/press-releases/2025-31")
