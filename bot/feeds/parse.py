"""The parse stage: the bytes of a feed document become `Article`s.

In: the body of one fetched document (bytes), the feed's configured name, and optionally the URL
it came from and its Content-Type. Out: a `ParsedFeed` (feed title, link, TTL, articles, warnings)
with every entry cleaned: plain-text title and text, canonical URL, a stable id unique within the
document, a UTC publication date, tickers the feed attached, and SEC EDGAR form/items/CIKs.
Fails with `NotAFeed` for documents that are not feeds (HTML pages, JSON, other XML, text) and
`FeedError` for broken XML nothing could be recovered from; `str()` of either is a short reason
fit for the feed's status. Pure: no I/O, no settings (the clock can be passed in as `now`).
"""

from __future__ import annotations

import calendar
import hashlib
import html
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any
from xml.sax import SAXParseException

import feedparser

from bot.feeds import edgar
from bot.feeds.urls import canonical_url
from bot.models import Article


class FeedError(Exception):
    """The document cannot be used; str() is a clear reason for the feed's status."""


class NotAFeed(FeedError):
    """The document is something other than a feed: an HTML page, JSON, other XML, text."""


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """One parsed document: the feed's own title, link and TTL (seconds), its articles, and
    what was wrong with it but did not stop it from being read."""

    title: str
    link: str | None
    ttl: int | None
    articles: tuple[Article, ...]
    warnings: tuple[str, ...] = ()


# Publication dates further ahead than this are clock errors or placeholders, not news.
FUTURE_TOLERANCE = timedelta(days=1)
_TITLE_FALLBACK_LEN = 120


# ---------------------------------------------------------------------------------------------
# HTML to plain text

# Markers for the structure HTML gives: a paragraph break and a line break. Private-use
# characters, which are not whitespace (so that str.split(), much faster than a regex, collapses
# the whitespace around them and keeps them) and which are dropped from the text itself.
_PARA = "\ue000"
_LINE = "\ue001"
# fmt: off
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
    "summary", "table", "tbody", "thead", "tfoot", "tr", "ul",
})
# fmt: on
_CELL_TAGS = frozenset({"td", "th"})
# Elements whose content is never text a reader sees.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe"})
_DOUBLE_LINE = re.compile(r" ?\ue001 ?(?:\ue001 ?)+")
_INVISIBLE = str.maketrans(
    {"\u200b": None, "\ufeff": None, "\u00ad": None, "\u2028": " ", "\u2029": " "}
)
_INVISIBLE_HTML = str.maketrans(
    {"\u200b": None, "\ufeff": None, "\u00ad": None, _PARA: None, _LINE: None}
)
# Markup or entities still present after one pass: the source escaped its HTML twice (or a
# damaged document left some). News prose does not write tags, so any tag, comment, declaration
# ("<!") or entity counts as markup; "3 < 4" and "a<b" do not look like tags.
_LEFTOVER_MARKUP = re.compile(
    r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>|<!"
    r"|&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});",
    re.IGNORECASE,
)

# CDATA markers, also as a damaged document leaves them ("<!<[CDATA[").
_CDATA_MARKERS = re.compile(r"<?!?<?!?\[?CDATA\[|\]\]>")


class _TextCollector(HTMLParser):
    """Collects the visible text of an HTML fragment, with paragraph and line markers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        else:
            self._mark(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _SKIPPED_TAGS:  # <script/> opens nothing
            self._mark(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag != "br":  # </br> is a stray, not a second line break
            self._mark(tag)

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data.translate(_INVISIBLE_HTML))

    def unknown_decl(self, data: str) -> None:
        # A CDATA section inside HTML that was escaped twice: its text is the article's.
        if data.startswith("CDATA["):
            self.handle_data(data[6:])

    def handle_comment(self, data: str) -> None:
        # A damaged CDATA opener ("<!<[CDATA[ text ]]>") reads as a comment: keep its text.
        _, cdata, text = data.partition("[CDATA[")
        if cdata:
            self.handle_data(text.removesuffix("]]"))

    def _mark(self, tag: str) -> None:
        if tag == "br":
            self.parts.append(_LINE)
        elif tag in _BLOCK_TAGS:
            self.parts.append(_PARA)
        elif tag in _CELL_TAGS:
            self.parts.append(" ")


def _paragraphs(fragment: str) -> list[str]:
    collector = _TextCollector()
    collector.feed(fragment)
    collector.close()
    flat = " ".join("".join(collector.parts).split())
    if flat.count(_LINE) > 1:
        flat = _DOUBLE_LINE.sub(_PARA, flat)  # <br><br> separates paragraphs
    out = []
    for block in flat.split(_PARA):
        lines = [line.strip() for line in block.split(_LINE)]
        paragraph = "\n".join(line for line in lines if line)
        if paragraph:
            out.append(paragraph)
    return out


def _has_markup(text: str) -> bool:
    # The membership tests are much cheaper than the regex and rule out most text.
    return ("<" in text or "&" in text) and _LEFTOVER_MARKUP.search(text) is not None


def html_to_text(html_text: str) -> str:
    """Plain text of an HTML fragment: paragraphs separated by a blank line, single <br> as a
    line break, whitespace collapsed, entities decoded, scripts and styles dropped. HTML that was
    escaped twice (so the first pass leaves tags or entities as text) is decoded once more."""
    if not html_text:
        return ""
    out: list[str] = []
    for paragraph in _paragraphs(html_text):
        if _has_markup(paragraph):
            # CDATA means nothing in HTML: its markers go, its text (and tags) stay.
            unwrapped = _CDATA_MARKERS.sub("", paragraph)
            out.extend(_paragraphs(unwrapped.replace("\n", "<br>")))
        else:
            out.append(paragraph)
    return "\n\n".join(out)


def _plain_text(text: str) -> str:
    """Tidy text that is already plain: paragraphs at blank lines, whitespace collapsed."""
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text.translate(_INVISIBLE)))
    return "\n\n".join(p for p in paragraphs if p)


def _one_line(text: str) -> str:
    return " ".join(text.split())


_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})


def _as_text(value: str, content_type: str | None) -> str:
    """A feed field as plain text, whether the feed declared it HTML or plain text."""
    # Feeds mislabel: "plain text" with tags in it, or escaped twice ("AT&amp;amp;T" arrives as
    # "AT&amp;T"), is HTML in practice.
    if content_type in _HTML_TYPES or _has_markup(value):
        return html_to_text(value)
    return _plain_text(value)


# ---------------------------------------------------------------------------------------------
# Telling feeds from other documents

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_SNIFF_BYTES = 65536
# Prolog that may come before the first element: XML declaration, processing instructions,
# comments, a doctype.
_PROLOG = re.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.I
)
_XML_DECLARATION = re.compile(r"\s*<\?xml\s")
_HTML_DOCTYPE = re.compile(r"<!DOCTYPE\s+html\b", re.IGNORECASE)
_HTML_ROOT = re.compile(r"<(?:html|head|body)[\s>/]", re.IGNORECASE)
_FEED_ROOT = re.compile(r"<(?:[\w.-]+:)?(?:rss|feed|rdf|channel)[\s>/]", re.IGNORECASE)
_HTML_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")


def _head_text(content: bytes) -> str:
    """The start of the document as text, good enough to sniff what kind of document it is."""
    head = content[:_SNIFF_BYTES]
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    return head.decode("utf-8", errors="replace")


def _split_prolog(text: str) -> tuple[str, str]:
    """The prolog before the first element, and the rest of the document from that element."""
    pos = 0
    while (m := _PROLOG.match(text, pos)) and m.end() > pos:
        pos = m.end()
    return text[:pos], text[pos:].lstrip()


def _is_html(prolog: str, body: str) -> bool:
    # A page whose root is <html>, or that declares itself HTML and has no feed root (HTML5 may
    # leave out <html>); a feed behind a stray HTML doctype is still a feed.
    if _HTML_ROOT.match(body):
        return True
    return _HTML_DOCTYPE.search(prolog) is not None and not _FEED_ROOT.match(body)


def _html_reason(text: str) -> NotAFeed:
    m = _HTML_TITLE.search(text)
    title = _one_line(html.unescape(m.group(1)))[:80] if m else ""
    if title:
        return NotAFeed(f"not a feed: an HTML page (<title>{title}</title>)")
    return NotAFeed("not a feed: an HTML page")


def _sniff(content: bytes) -> None:
    """Reject what is plainly not a feed before feedparser spends time on it."""
    prolog, body = _split_prolog(_head_text(content))
    if not body:
        raise FeedError("empty document")
    if body[:1] in ("{", "["):
        kind = "a JSON Feed (not supported)" if "jsonfeed.org" in body[:2000] else "JSON"
        raise NotAFeed(f"not a feed: {kind}")
    if _is_html(prolog, body):
        raise _html_reason(body)


def _describe(exc: BaseException, content: bytes) -> str:
    if isinstance(exc, SAXParseException):
        line: int = exc.getLineNumber() or 1
        # feedparser puts an XML declaration and a newline before documents that have none.
        if not _XML_DECLARATION.match(_head_text(content[:256])):
            line = max(1, line - 1)
        return f"broken XML at line {line}: {exc.getMessage()}"
    return str(exc) or type(exc).__name__


def _not_a_feed(content: bytes, exc: BaseException | None) -> FeedError:
    """Why a document with no feed format and no entries cannot be used."""
    _, body = _split_prolog(_head_text(content))
    if _HTML_ROOT.search(body[:4096]):
        return _html_reason(body)
    if not body.startswith("<"):
        return NotAFeed(f"not a feed: text, not XML (starts with {_one_line(body)[:40]!r})")
    if isinstance(exc, SAXParseException):
        return FeedError(_describe(exc, content))
    m = _ROOT.match(body)
    root = m.group(1) if m else "?"
    return NotAFeed(f"not a feed: an XML document with root element <{root}>")


# ---------------------------------------------------------------------------------------------
# Fields of one entry

_MONTHS = {
    # Portuguese, Spanish, French, German, Italian, Dutch month abbreviations -> English.
    **dict.fromkeys(("jan", "janv", "ene", "gen", "jän"), "Jan"),
    **dict.fromkeys(("fev", "fév", "févr", "feb", "febr"), "Feb"),
    **dict.fromkeys(("mar", "mars", "mär", "mrz", "mrt"), "Mar"),
    **dict.fromkeys(("abr", "avr", "apr"), "Apr"),
    **dict.fromkeys(("mai", "may", "mag", "mei"), "May"),
    **dict.fromkeys(("jun", "juin", "giu"), "Jun"),
    **dict.fromkeys(("jul", "juil", "lug"), "Jul"),
    **dict.fromkeys(("ago", "aoû", "août", "aug"), "Aug"),
    **dict.fromkeys(("set", "sep", "sept"), "Sep"),
    **dict.fromkeys(("out", "oct", "okt", "ott"), "Oct"),
    **dict.fromkeys(("nov",), "Nov"),
    **dict.fromkeys(("dez", "dic", "déc", "dec"), "Dec"),
}
_DATE_WORD = re.compile(r"[^\W\d_]+\.?")


def _foreign_date(value: str) -> datetime | None:
    """An RFC 822 date written with another language's day and month names
    ("Seg, 24 Set 2018 19:42:40 -0300"), which feedparser does not read."""
    value = value.split(",", 1)[1] if "," in value[:12] else value  # drop the weekday

    def english(m: re.Match[str]) -> str:
        word = m.group(0).rstrip(".").lower()
        return _MONTHS.get(word, m.group(0))

    try:
        parsed = parsedate_to_datetime(_DATE_WORD.sub(english, value).strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _published(entry: Mapping[str, Any], now: datetime) -> datetime | None:
    when: datetime | None = None
    for key in ("published_parsed", "updated_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:  # feedparser's tuples are already UTC
                when = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (TypeError, ValueError, OverflowError, OSError):
                continue
            break
    if when is None:
        for key in ("published", "updated"):
            raw = entry.get(key)
            if isinstance(raw, str) and raw.strip() and (when := _foreign_date(raw)):
                when = when.astimezone(UTC)
                break
    if when is not None and when > now + FUTURE_TOLERANCE:
        return None
    return when


_US_EXCHANGE_TICKER = re.compile(
    r"\b(?:NYSE(?:\s*(?:American|Arca|MKT))?|NASDAQ(?:GS|GM|CM)?|AMEX|NYSEAMERICAN|NYSEARCA|"
    r"NYSEMKT|OTC(?:QX|QB|MKTS)?|OTC\s*Markets|CBOE|BATS)\s*:\s*"
    r"([A-Z][A-Z0-9]{0,5}(?:[./-][A-Z0-9]{1,2})?)(?![\w.-])",
    re.IGNORECASE,
)
_BARE_TICKER = re.compile(r"^[A-Z][A-Z0-9]{0,5}(?:[./-][A-Z0-9]{1,2})?$")


def _normal_ticker(symbol: str) -> str:
    # The SEC table, our ticker universe, spells share classes with a dash: BRK-B.
    return symbol.upper().replace(".", "-").replace("/", "-")


def _feed_tickers(entry: Mapping[str, Any]) -> tuple[str, ...]:
    """Tickers the feed attached: exchange-qualified categories ("NYSE:F", GlobeNewswire's
    "Nasdaq:AMZN"), bare symbols in categories whose scheme says stock/ticker, and Nasdaq's
    <nasdaq:tickers>. Tickers on non-US exchanges are left out: our universe is the SEC's."""
    found: dict[str, None] = {}
    for tag in entry.get("tags") or ():
        term = (tag.get("term") or "").strip()
        scheme = (tag.get("scheme") or "").lower()
        symbols = _US_EXCHANGE_TICKER.findall(term)
        if not symbols and any(w in scheme for w in ("stock", "ticker", "symbol")):
            symbols = [term] if _BARE_TICKER.match(term) else []
        for symbol in symbols:
            found.setdefault(_normal_ticker(symbol), None)
    for key, value in entry.items():
        if key.endswith("_tickers") and isinstance(value, str):
            for symbol in re.split(r"[\s,;]+", value.strip()):
                if _BARE_TICKER.match(symbol.upper()):
                    found.setdefault(_normal_ticker(symbol), None)
    return tuple(found)


def _detail_type(entry: Mapping[str, Any], key: str) -> str | None:
    detail = entry.get(key)
    return detail.get("type") if isinstance(detail, Mapping) else None


def _entry_text(entry: Mapping[str, Any], rss: bool) -> str:
    """The longer of the entry's content and summary, as plain text."""
    best = ""
    summary = entry.get("summary")
    if isinstance(summary, str) and summary:
        best = _as_text(summary, _detail_type(entry, "summary_detail") or "text/html")
    for content in entry.get("content") or ():
        kind = content.get("type") or "text/plain"
        value = content.get("value") or ""
        # In RSS, plain-text "content" is feedparser's home for <media:description>, a photo
        # caption; EDGAR's content is XML data, not prose.
        if not value or (rss and kind == "text/plain") or kind not in _HTML_TYPES | {"text/plain"}:
            continue
        text = _as_text(value, kind)
        if len(text) > len(best):
            best = text
    return best


def _without_title(text: str, title: str, publisher: str | None) -> str:
    """Text that merely repeats the title (Google News: headline link + publisher) is no text;
    a first paragraph that is the title is dropped."""
    if not text or not title:
        return text
    folded_title = title.casefold()
    if text.casefold().startswith(folded_title):
        rest = text[len(title) :].strip()
        if not rest or (publisher and rest.casefold() == publisher.casefold()):
            return ""
    first, sep, others = text.partition("\n\n")
    if sep and first.casefold() == folded_title:
        return others
    return text


def _title_fallback(text: str) -> str:
    first = text.split("\n", 1)[0]
    if len(first) <= _TITLE_FALLBACK_LEN:
        return first
    return first[: _TITLE_FALLBACK_LEN - 1].rsplit(" ", 1)[0] + "…"


def _hash_id(*parts: str) -> str:
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return "sha256:" + digest[:32]


@dataclass(frozen=True, slots=True)
class _FeedContext:
    """What every entry of one document shares."""

    source: str
    base: str | None
    rss: bool
    now: datetime
    edgar_company: str | None
    edgar_cik: int | None


def _edgar_fields(
    entry: Mapping[str, Any], title: str, link: str, text: str, ctx: _FeedContext
) -> tuple[str, str | None, tuple[str, ...], tuple[int, ...]]:
    """Title, form, 8-K items and CIKs of an EDGAR entry."""
    parsed = edgar.parse_title(title)
    form = next(
        (
            (t.get("term") or "").strip().upper()
            for t in entry.get("tags") or ()
            if (t.get("label") or "").lower() == "form type" and t.get("term")
        ),
        parsed.form if parsed else None,
    )
    ciks: dict[int, None] = {}
    for cik in (parsed.cik if parsed else None, edgar.cik_from_link(link), ctx.edgar_cik):
        if cik:
            ciks.setdefault(cik, None)
    items: tuple[str, ...] = ()
    if form and form.startswith(("8-K", "6-K")):
        items = edgar.item_numbers(text, str(entry.get("items-desc") or ""))
    company = (parsed.company if parsed else None) or ctx.edgar_company
    description = parsed.description if parsed else None
    if form and company:
        title = " - ".join(p for p in (form, company, description) if p)
    return title, form, items, tuple(ciks)


def _article(entry: Mapping[str, Any], ctx: _FeedContext) -> tuple[Article, str, str] | None:
    """The article for one entry, with its id candidates (GUID, link); None if it is empty."""
    raw_link = entry.get("link") or ""
    link = canonical_url(raw_link, ctx.base) if isinstance(raw_link, str) else ""
    guid = entry.get("id") or ""
    guid = _one_line(guid) if isinstance(guid, str) else ""
    # Yahoo gives some items the tail of their link's query ("?src=A00220&yptr=yahoo") as GUID,
    # the same for several items: a bare query or fragment identifies nothing.
    if guid[:1] in ("?", "#", "&") and link:
        guid = link

    raw_title = entry.get("title") or ""
    title = _one_line(_as_text(raw_title, _detail_type(entry, "title_detail")))
    source_info = entry.get("source")
    publisher = source_info.get("title") if isinstance(source_info, Mapping) else None
    publisher = _one_line(publisher) if isinstance(publisher, str) else None
    # Google News appends " - Publisher"; strip it only when <source> names that publisher.
    if publisher and title.endswith(" - " + publisher) and len(title) > len(publisher) + 3:
        title = title[: -len(publisher) - 3].rstrip()

    text = _without_title(_entry_text(entry, ctx.rss), title, publisher)
    if not title and not text:
        return None

    form: str | None = None
    items: tuple[str, ...] = ()
    ciks: tuple[int, ...] = ()
    key = link
    if edgar.is_edgar(guid, link):
        title, form, items, ciks = _edgar_fields(entry, title, link, text, ctx)
        # The same filing appears in the company feed and the latest-filings feed, once per
        # company involved, under different links: the accession number is its identity.
        if guid.startswith("urn:tag:sec.gov"):
            key = guid
    published = _published(entry, ctx.now)
    article = Article(
        key=key or guid,
        entry_id=guid,
        title=title or _title_fallback(text),
        url=link,
        text=text,
        published=published,
        source=ctx.source,
        feed_tickers=_feed_tickers(entry),
        form=form,
        items=items,
        ciks=ciks,
    )
    return article, guid, link


def _unique_articles(entries: Iterable[Mapping[str, Any]], ctx: _FeedContext) -> Iterator[Article]:
    """Articles with ids unique within the document: a repeated GUID falls back to the link,
    then to a hash; an entry repeated whole is dropped; EDGAR's one-entry-per-company copies of
    a filing are merged into one article with all their CIKs."""
    used: set[str] = set()
    seen: set[tuple[str, ...]] = set()
    filings: dict[str, Article] = {}
    order: list[str | Article] = []
    for entry in entries:
        # A plain dict: FeedParserDict's own lookups remap keys and warn about deprecations.
        made = _article(dict(entry), ctx)
        if made is None:
            continue
        article, guid, link = made
        if article.form and article.key.startswith("urn:tag:sec.gov"):
            earlier = filings.get(article.key)
            if earlier is not None:
                merged = dict.fromkeys(earlier.ciks + article.ciks)
                filings[article.key] = replace(earlier, ciks=tuple(merged))
                continue
            filings[article.key] = article
            used.add(article.entry_id)
            order.append(article.key)
            continue
        stamp = article.published.isoformat() if article.published else ""
        whole = (guid, link, article.title, stamp, article.text)
        if whole in seen:  # the same item listed twice
            continue
        seen.add(whole)
        for candidate in (guid, link, _hash_id(article.title, stamp, link, article.text)):
            if candidate and candidate not in used:
                used.add(candidate)
                order.append(replace(article, entry_id=candidate, key=article.key or candidate))
                break
    for item in order:
        yield filings[item] if isinstance(item, str) else item


# ---------------------------------------------------------------------------------------------
# The document


def _ttl_seconds(value: object) -> int | None:
    try:
        minutes = int(str(value).strip())
    except ValueError:
        return None
    return minutes * 60 if minutes > 0 else None


def parse_feed(
    content: bytes,
    *,
    source: str,
    url: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse one feed document into articles. `source` is the feed's configured name; `url` and
    `content_type` (from the HTTP response) help resolve relative links and the charset; `now`
    is the clock against which future dates are judged. Raises NotAFeed or FeedError."""
    _sniff(content)
    headers = {}
    if url:
        headers["content-location"] = url
    if content_type:
        headers["content-type"] = content_type
    # A file object, never bytes: feedparser would try to open short byte strings as file names.
    # We only keep text, so feedparser need not sanitize HTML or rewrite links inside it.
    try:
        doc = feedparser.parse(
            io.BytesIO(content),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:
        # feedparser's fallback parser for broken XML has bugs of its own (an out-of-range
        # "&#xFFFFFFF;", an empty </height>, a NUL in the declared charset): the document is
        # broken either way, and one bad feed must not stop the others.
        raise FeedError(f"broken feed: {type(exc).__name__}: {exc}") from exc
    version = doc.get("version") or ""
    entries = doc.get("entries") or []
    problem = doc.get("bozo_exception") if doc.get("bozo") else None
    if not version and not entries:
        raise _not_a_feed(content, problem)
    if not entries and isinstance(problem, SAXParseException):
        raise FeedError(_describe(problem, content))

    feed: Mapping[str, Any] = dict(doc.get("feed") or {})
    feed_title = _one_line(
        _as_text(str(feed.get("title") or ""), _detail_type(feed, "title_detail"))
    )
    base = url or None
    feed_link = canonical_url(str(feed.get("link") or ""), base) or None
    edgar_company = feed.get("conformed-name")
    if not edgar_company and isinstance(feed.get("cik"), str):
        edgar_company = re.sub(r"\s*\(\d+\)\s*$", "", feed_title) or None
    ctx = _FeedContext(
        source=source,
        base=base or feed_link,
        rss=version.startswith("rss") or not version,
        now=now or datetime.now(UTC),
        edgar_company=_one_line(edgar_company) if isinstance(edgar_company, str) else None,
        edgar_cik=edgar.parse_cik(str(feed.get("cik") or "")),
    )
    warnings = [_describe(problem, content)] if problem is not None else []
    if not version:
        warnings.append("unknown feed format; entries read anyway")
    return ParsedFeed(
        title=feed_title,
        link=feed_link,
        ttl=_ttl_seconds(feed.get("ttl")) if feed.get("ttl") else None,
        articles=tuple(_unique_articles(entries, ctx)),
        warnings=tuple(warnings),
    )
