"""The feed catalogue's `source`: news by default, press for the press wires, filings for SEC
EDGAR by itself; a word it does not know is refused naming the entry. The shipped catalogue
marks the press wires."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.feeds.catalogue import CatalogueError, load_catalogue
from bot.models import SourceKind

ROOT = Path(__file__).parent.parent.parent
EDGAR_8K = (
    "https://www.sec.gov/cgi-bin/browse-edgar?action=getcurrent&type=8-K&company=&dateb="
    "&owner=include&start=0&count=100&output=atom"
)


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ('url = "https://n.example/rss"', SourceKind.NEWS),
        ('url = "https://w.example/rss"\nsource = "press"', SourceKind.PRESS),
        (f'url = "{EDGAR_8K}"', SourceKind.FILINGS),
        ('url = "https://www.sec.gov/news/pressreleases.rss"', SourceKind.NEWS),
        (f'url = "{EDGAR_8K}"\nsource = "news"', SourceKind.NEWS),
    ],
    ids=["default-news", "press", "edgar-is-filings", "sec-newsroom-is-news", "said-wins"],
)
def test_a_feeds_kind_of_source(tmp_path: Path, entry: str, kind: SourceKind) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(f'[[feeds]]\nname = "F"\n{entry}\n', encoding="utf-8")
    (feed,) = load_catalogue(path, 300)
    assert feed.source is kind


def test_an_unknown_source_is_refused_naming_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text('[[feeds]]\nname = "F"\nurl = "https://f.example/"\nsource = "blog"\n')
    with pytest.raises(CatalogueError, match=r"feed #1 \(F\): source must be one of news"):
        load_catalogue(path, 300)


def test_the_shipped_catalogue_marks_the_press_wires() -> None:
    feeds = load_catalogue(ROOT / "config" / "feeds.toml", 300)
    press = {f.name for f in feeds if f.source is SourceKind.PRESS}
    assert {"GlobeNewswire - Press releases", "PR Newswire - Financial news"} <= press
    assert "Business Wire - Home" in press
    filings = [f for f in feeds if f.source is SourceKind.FILINGS]
    assert filings
    assert all("EDGAR" in f.name for f in filings)
