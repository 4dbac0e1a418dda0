"""Publication dates: RFC 822 and ISO, other languages' names, and dates too far ahead."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.feeds.documents import parse, rss

DATE_CASES = [
    ("rfc822", "<pubDate>Wed, 03 Dec 2025 09:12:00 +0000</pubDate>", datetime(2025, 12, 3, 9, 12)),
    ("offset", "<pubDate>Fri, 24 Jan 2025 11:00:00 -0500</pubDate>", datetime(2025, 1, 24, 16, 0)),
    ("iso", "<pubDate>2022-01-07T14:53:09Z</pubDate>", datetime(2022, 1, 7, 14, 53, 9)),
    ("dc-date", "<dc:date>2024-05-01T10:00:00+02:00</dc:date>", datetime(2024, 5, 1, 8, 0)),
    (
        "portuguese",
        "<pubDate>Seg, 24 Set 2018 19:42:40 -0300</pubDate>",
        datetime(2018, 9, 24, 22, 42, 40),
    ),
    ("german", "<pubDate>Di, 03 Dez 2024 08:00:00 +0100</pubDate>", datetime(2024, 12, 3, 7, 0)),
    ("spanish-no-zone", "<pubDate>lun, 05 ene 2026 08:00:00</pubDate>", datetime(2026, 1, 5, 8, 0)),
    (
        "within-a-day-ahead",
        "<pubDate>Thu, 26 Nov 2026 20:00:00 +0000</pubDate>",
        datetime(2026, 11, 26, 20, 0),
    ),
    ("far-future", "<pubDate>Fri, 01 Jan 2038 00:00:00 +0000</pubDate>", None),
    ("garbage", "<pubDate>yesterday-ish</pubDate>", None),
    ("missing", "", None),
]


@pytest.mark.parametrize(
    ("xml", "expected"), [c[1:] for c in DATE_CASES], ids=[c[0] for c in DATE_CASES]
)
def test_published(xml: str, expected: datetime | None) -> None:
    doc = rss(
        f"<item><title>T</title><link>https://example.com/t</link>{xml}</item>",
        ns='xmlns:dc="http://purl.org/dc/elements/1.1/"',
    )
    published = parse(doc).articles[0].published
    assert published == (expected.replace(tzinfo=UTC) if expected else None)
