"""The operator's feed catalogue (FEEDS_FILE, TOML) turned into `Feed`s.

In: the path of a TOML file with `[[feeds]]` tables (`name`, `url`, optional `interval` in
seconds, optional `source`: "news", the default, "press" or "filings"; SEC EDGAR feeds are
"filings" by themselves). Out: a list of `Feed`. Fails with `CatalogueError` naming the file and
the entry that is wrong (missing url, not http(s), interval too small, duplicate url, unknown
source), never with a KeyError.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from urllib.parse import urlsplit

from bot.models import Feed, SourceKind

MIN_INTERVAL = 1


class CatalogueError(ValueError):
    """The feed catalogue cannot be used; str() says where and why."""


def load_catalogue(path: Path, default_interval: int) -> list[Feed]:
    """Read the catalogue at `path`; feeds without an interval get `default_interval`."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogueError(f"{path}: feed catalogue not found (set FEEDS_FILE)") from None
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError(f"{path}: not valid TOML: {exc}") from None
    entries = document.get("feeds", [])
    if not isinstance(entries, list):
        raise CatalogueError(f"{path}: 'feeds' must be an array of tables ([[feeds]])")
    feeds: list[Feed] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        where = f"{path}: feed #{number}"
        if not isinstance(entry, dict):
            raise CatalogueError(f"{where}: must be a table with name and url")
        url = entry.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            raise CatalogueError(f"{where}: url must be an http(s) URL, got {url!r}")
        name = entry.get("name") or urlsplit(url).hostname or url
        interval = entry.get("interval", default_interval)
        if not isinstance(interval, int) or interval < MIN_INTERVAL:
            raise CatalogueError(f"{where} ({name}): interval must be a whole number of seconds")
        if url in seen:
            raise CatalogueError(f"{where} ({name}): {url} is listed twice")
        seen.add(url)
        source = _source(entry.get("source"), url, f"{where} ({name})")
        feeds.append(Feed(name=str(name), url=url, interval=interval, source=source))
    return feeds


def _source(value: object, url: str, where: str) -> SourceKind:
    """The kind of source an entry declares; filings for SEC EDGAR, else news by default."""
    if value is None:
        return SourceKind.FILINGS if _is_edgar(url) else SourceKind.NEWS
    choices = [k.value for k in SourceKind]
    if value not in choices:
        raise CatalogueError(f"{where}: source must be one of {', '.join(choices)}, got {value!r}")
    return SourceKind(str(value))


def _is_edgar(url: str) -> bool:
    """An EDGAR feed (browse-edgar, the Archives), not one of the SEC's other pages."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return (host == "sec.gov" or host.endswith(".sec.gov")) and "edgar" in parts.path.lower()
