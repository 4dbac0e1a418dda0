"""WebSub discovery: where a fetched feed says it is pushed from. Pure.

In: the `Link` HTTP header of the fetch (if any), the links of the document (rel, href, as
the parse stage reads them), and the URL the feed was fetched from. Out: a `HubLink` (hub
and topic) or None. Following the W3C recommendation, the HTTP header is looked at first, then
the document (`<link rel="hub">` in Atom, `<atom:link rel="hub">` in RSS); the topic is the
rel="self" link (header first, then document), else the feed's URL. Only http(s) URLs count.
Fails with nothing: a malformed header is no hub.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from bot.websub.lease import HubLink

# One link-value of RFC 8288: <URI> followed by ;-separated parameters.
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^,;]+)*)")
_REL = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,"]+))""", re.IGNORECASE)


def header_links(value: str | None, base: str) -> list[tuple[str, str]]:
    """(rel, absolute URL) for each relation of each link in a `Link` header."""
    found: list[tuple[str, str]] = []
    for match in _LINK.finditer(value or ""):
        rel = _REL.search(match.group(2) or "")
        if rel is None:
            continue
        target = urljoin(base, match.group(1).strip())
        for name in (rel.group(1) or rel.group(2) or "").split():
            found.append((name.lower(), target))
    return found


def _web(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in ("http", "https")


def _first(links: Iterable[tuple[str, str]], rel: str) -> str | None:
    return next((href for name, href in links if name == rel and _web(href)), None)


def discover(
    link_header: str | None, document_links: Iterable[tuple[str, str]], feed_url: str
) -> HubLink | None:
    """The feed's hub and topic: each from the `Link` header first, else from the document;
    the topic, when neither names one, is the feed's URL."""
    header = header_links(link_header, feed_url)
    document = [(rel.lower(), urljoin(feed_url, href)) for rel, href in document_links]
    hub = _first(header, "hub") or _first(document, "hub")
    if hub is None:
        return None
    return HubLink(hub, _first(header, "self") or _first(document, "self") or feed_url)
