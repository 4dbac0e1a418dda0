"""Feed fields as plain text: HTML fragments, text that is already plain, and mislabelled mixes.

In: the string of one feed field (a title, summary or content), and the type the feed declared
for it when it declared one. Out: plain text, paragraphs separated by a blank line, whitespace
collapsed, entities decoded, scripts and styles dropped; HTML escaped twice is decoded once more.
Total: any string gives a string (broken markup gives whatever text could be read from it).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

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


def has_markup(text: str) -> bool:
    """Does the text still hold a tag, comment or entity (see _LEFTOVER_MARKUP)?"""
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
        if has_markup(paragraph):
            # CDATA means nothing in HTML: its markers go, its text (and tags) stay.
            unwrapped = _CDATA_MARKERS.sub("", paragraph)
            out.extend(_paragraphs(unwrapped.replace("\n", "<br>")))
        else:
            out.append(paragraph)
    return "\n\n".join(out)


def plain_text(text: str) -> str:
    """Tidy text that is already plain: paragraphs at blank lines, whitespace collapsed."""
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text.translate(_INVISIBLE)))
    return "\n\n".join(p for p in paragraphs if p)


def one_line(text: str) -> str:
    """The text on one line, every run of whitespace a single space."""
    return " ".join(text.split())


# The declared types whose value is markup (MIME types, and Atom's short "html"/"xhtml").
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", "html", "xhtml"})


def as_text(value: str, content_type: str | None) -> str:
    """A feed field as plain text, whether the feed declared it HTML or plain text."""
    # Feeds mislabel: "plain text" with tags in it, or escaped twice ("AT&amp;amp;T" arrives as
    # "AT&amp;T"), is HTML in practice.
    if content_type in HTML_TYPES or has_markup(value):
        return html_to_text(value)
    return plain_text(value)
