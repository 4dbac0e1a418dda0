"""OPML, the format feed readers exchange subscription lists in: reading and writing.

In: the bytes of an OPML document (from a user: untrusted), or a list of `Feed`s. Out: the
(title, url) pairs of every outline with an xmlUrl, in document order and without repeats; or
an OPML 2.0 document. Reading fails with `OpmlError` saying why (not XML, not OPML, too big);
entity tricks (billion laughs, external entities) are refused by defusedxml.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from bot.models import Feed

MAX_OPML_BYTES = 1024 * 1024
MAX_OUTLINES = 500


class OpmlError(ValueError):
    """The document is not OPML that can be read; str() says why."""


def read_opml(content: bytes) -> list[tuple[str, str]]:
    """The (title, url) of each feed outline in an OPML document."""
    if len(content) > MAX_OPML_BYTES:
        raise OpmlError(f"larger than {MAX_OPML_BYTES // 1024} KB")
    try:
        root = fromstring(content)
    except DefusedXmlException as exc:
        raise OpmlError(f"refused XML construct ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        raise OpmlError(f"not XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>")
    found: dict[str, str] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if not url or url in found:
            continue
        found[url] = (outline.get("title") or outline.get("text") or url).strip()
        if len(found) > MAX_OUTLINES:
            raise OpmlError(f"more than {MAX_OUTLINES} feeds")
    return [(title, url) for url, title in found.items()]


def write_opml(feeds: Sequence[Feed], *, title: str, now: datetime) -> bytes:
    """An OPML 2.0 document listing `feeds`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = now.strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    for feed in feeds:
        ET.SubElement(body, "outline", type="rss", text=feed.name, title=feed.name, xmlUrl=feed.url)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
