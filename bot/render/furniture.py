"""Page furniture: which paragraphs of an article are its own, and which the page's.

In: an `Article` (plain text, paragraphs separated by a blank line). Out: `clean_paragraphs`,
the paragraphs worth reading, in order: disclaimers, bylines, share prompts, captions, cookie
notices, blocks of related links, "Continue reading..." and "The post … appeared first on …"
lines, and a press release's tail (about the company, safe harbor, contacts) dropped; a glued-on
`**Heading**`, a dateline and a trailing "Continue reading" taken off; a text the feed cut short
(ending in "[…]", "..." or long and mid-sentence) ends with "…"; nothing else rewritten apart
from whitespace. Lines a <br> broke stay apart: each is a paragraph of its own, so that a
caption or a standfirst never runs into the next sentence. Pure; never raises on odd text.
"""

from __future__ import annotations

import re

from bot.models import Article

_PARAGRAPH_SPLIT_RE = re.compile(r"\n")  # a blank line, or one <br>: both end a paragraph
# A markdown-style subheading glued to the start of a paragraph: "**Key Client** The billions…".
_GLUED_HEADING_RE = re.compile(r"^\*\*([^*]{1,120})\*\*\s*")
# Chinese sentences end in full-width marks, closed by full-width quotes and brackets.
SENTENCE_END_RE = re.compile(r"[.!?…。！？][\"'”’)\]」』）]*$")
_SHORT = 12  # words: furniture lines (bylines, prompts, headings) are short

_DISCLAIMER_RE = re.compile(
    r"^\W*(?:risk\s+|important\s+|legal\s+)?disclaimers?\b"
    r"|\bnot\s+(?:be\s+)?(?:constitute\s+)?(?:a\s+)?(?:personal\s+|professional\s+)?"
    r"(?:investment|financial|legal|tax)\s+advice\b"
    r"|\bshould\s+not\s+be\s+(?:regarded|construed|considered|relied\s+upon)\s+as\b"
    r"|\bfor\s+(?:general\s+)?information(?:al)?\s+purposes?\s+only\b"
    r"|\bdo\s+(?:your|their)\s+own\s+research\b"
    r"|\bassumes?\s+no\s+(?:responsibility|liability)\b",
    re.IGNORECASE,
)
# Headings after which a block of short links follows ("Most Discussed", "Related Articles").
_LINKS_HEADING_RE = re.compile(
    r"^(?:most\s+(?:discussed|read|popular|viewed)|related(?:\s+(?:articles?|stories|news|"
    r"coverage|content|links|posts|quotes))?|read\s+(?:more|next)|more\s+(?:from|on|stories|news)"
    r"\b.*|recommended(?:\s+for\s+you)?|trending(?:\s+now)?|popular(?:\s+now)?|you\s+may\s+"
    r"(?:also\s+)?like|editor'?s\s+picks|top\s+stories|latest\s+news|see\s+also)\W*$",
    re.IGNORECASE,
)
# One-line pointers to other pages inside the body: "Read more: …", "Related: …".
_LINK_LINE_RE = re.compile(
    r"^(?:read\s+more|related|see\s+also|also\s+read|more|watch|listen)\s*[:|>»-]", re.IGNORECASE
)
# Headings that start a press release's tail: company boilerplate, safe harbor, contacts.
_TAIL_HEADING_RE = re.compile(
    r"^(?:about\s+\S.{0,60}|(?:cautionary\s+(?:note|statement)s?\s+(?:regarding|concerning|on)\s+)?"
    r"forward[-\s]looking\s+statements?|safe\s+harbou?r(?:\s+statement)?|(?:media\s+|investor\s+|"
    r"press\s+)?(?:relations\s+)?contacts?|for\s+(?:further|more)\s+information|source:.*|#{3,})"
    r"\W*$",
    re.IGNORECASE,
)
_FORWARD_LOOKING_RE = re.compile(
    r"\b(?:this|the)\s+(?:press\s+)?release\s+(?:contains|includes|may\s+contain)\s+"
    r"forward[-\s]looking|\bsafe\s+harbou?r\s+provisions?\b",
    re.IGNORECASE,
)
_TIME_AGO_RE = re.compile(
    r"\b\d+\s*(?:s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?|d|days?|weeks?|"
    r"months?)\s+ago\b",
    re.IGNORECASE,
)
_BYLINE_RE = re.compile(
    r"^(?:by|written\s+by|reporting\s+by|editing\s+by|posted\s+by|published|updated|posted|"
    r"last\s+updated)\b",
    re.IGNORECASE,
)
_SHARE_RE = re.compile(
    r"^(?:share|tweet|e-?mail|print|copy\s+link|follow\s+us|sign\s+up|subscribe|click\s+here|"
    r"download\s+(?:the|our)\s+app|join\s+us|like\s+us)\b",
    re.IGNORECASE,
)
_CAPTION_RE = re.compile(
    r"^(?:photo|image|picture|pictured|caption|credit|file\s+photo|illustration)\s*(?:[:|]|by\b)"
    r"|\((?:photo|image|credit|source|pictured)\b[^)]*\)\s*$"
    r"|getty\s+images|shutterstock|\bap\s+photo\b|\breuters/|/afp\b|\bvia\s+getty\b",
    re.IGNORECASE,
)
# "Continue reading...", "Read more »", "Read the full story": a pointer to the page itself.
_CONTINUE_RE = re.compile(
    r"^(?:continue|keep)\s+reading\b|^read\s+(?:more|on|the\s+(?:full|whole|rest))\b"
    r"|^the\s+post\s+.+\s+appeared\s+first\s+on\s+",
    re.IGNORECASE,
)
# The same pointer glued to the end of the last paragraph: "…the company said. Continue reading…"
_GLUED_CONTINUE_RE = re.compile(
    r"\s*(?:\bcontinue\s+reading\W*|\bread\s+more\s*(?:\.{3}|…|»|›|→|>>)\s*)$", re.IGNORECASE
)
# A feed's own mark that it cut the text short: "[…]", "[...]", "...", "…" at the very end.
_CUT_MARK_RE = re.compile(r"\s*(?:\[\s*(?:…|\.{3})\s*\]|\.{3,}|…)$")
_CUT_WORDS = 25  # a paragraph this long that stops mid-sentence was cut, not a headline
_COOKIE_RE = re.compile(r"\bcookies?\b", re.IGNORECASE)
_COOKIE_CONTEXT_RE = re.compile(
    r"\b(?:accept|consent|use|uses|using|policy|browsing|settings|preferences)\b", re.IGNORECASE
)
_ONLY_NUMBERS_RE = re.compile(r"^[\d\W_]*$")
# "DEARBORN, Mich., Feb. 4, 2026 /PRNewswire/ -- " and "NEW YORK (Reuters) - " at a start.
_DATELINE_RES = (
    re.compile(r"^[^/\n]{0,120}?\d{4}\s*/\s*[A-Za-z][^/\n]{1,40}/\s*(?:--|—|–|-)\s*"),
    re.compile(
        r"^[A-Z][A-Z .,'’-]{1,40},?(?:\s+[A-Z][a-z]{1,9}\.?,?)*\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2},?"
        r"\s+\d{4}\s*(?:--|—|–)\s*"
    ),
    re.compile(r"^[A-Z][A-Za-z .,'’-]{1,40}\s\((?:Reuters|AP|AFP|Bloomberg)\)\s*(?:--|—|–|-)\s*"),
)


_CJK_RE = re.compile("[\u3400-\u9fff\uf900-\ufaff]")
# Chinese bylines and credits: "编辑/lydia", "来源：…", "作者：…", "责任编辑：…".
_ZH_BYLINE_RE = re.compile(r"^(?:责任编辑|编辑|责编|来源|作者|记者|撰文|校对)\s*[/:：]")
# Investing.com's Chinese edition glues "提供者 智通财经 - 53 分钟以前" (provider, age) to the text.
_ZH_PROVIDER_RE = re.compile(r"^提供者\s+[^\n]{1,40}?\s+-\s+\d+\s*(?:秒|分钟|小时|天)以前\s*")


def _words(paragraph: str) -> int:
    """Words in a paragraph; Chinese has no spaces, and a word there is about two characters."""
    if paragraph.isascii():
        return len(paragraph.split())
    return len(paragraph.split()) + len(_CJK_RE.findall(paragraph)) // 2


def _strip_zh_lead(paragraph: str, title: str) -> str:
    """A Chinese paragraph less the title and provider line glued to its start."""
    if title and paragraph.startswith(title) and _CJK_RE.search(title):
        paragraph = paragraph[len(title) :].lstrip()
    return _ZH_PROVIDER_RE.sub("", paragraph, count=1)


# Everything but letters and digits (\w without the underscore).
_NOT_ALNUM_RE = re.compile(r"[\W_]+")


def _normal(value: str) -> str:
    """For comparing a paragraph with the title: letters and digits only, case folded."""
    return _NOT_ALNUM_RE.sub("", value.casefold())


# Words every match of the two patterns above contains (lower case): most paragraphs hold
# none of them, and a substring test costs far less than either search.
_DISCLAIMER_HINTS = (
    "disclaimer",
    "advice",
    "regarded",
    "construed",
    "considered",
    "relied",
    "purpose",
    "research",
    "responsib",
    "liabil",
)
_FORWARD_LOOKING_HINTS = ("forward", "harbo")


def _is_furniture(paragraph: str) -> bool:
    """Whether one paragraph, on its own, is page furniture rather than the article."""
    words = _words(paragraph)
    lowered = paragraph.lower()
    if any(hint in lowered for hint in _DISCLAIMER_HINTS) and _DISCLAIMER_RE.search(paragraph):
        return True
    forward_looking = any(hint in lowered for hint in _FORWARD_LOOKING_HINTS)
    if forward_looking and _FORWARD_LOOKING_RE.search(paragraph):
        return True
    if _ONLY_NUMBERS_RE.match(paragraph) or _LINK_LINE_RE.match(paragraph):
        return True
    if words <= 20 and not paragraph.isascii() and _ZH_BYLINE_RE.match(paragraph):
        return True
    if (words <= 8 or paragraph.lower().startswith("the post")) and _CONTINUE_RE.match(paragraph):
        return True
    if words <= _SHORT and (
        _TIME_AGO_RE.search(paragraph) or _BYLINE_RE.match(paragraph) or _SHARE_RE.match(paragraph)
    ):
        return True
    if words <= 40 and _CAPTION_RE.search(paragraph):
        return True
    return bool(
        words <= 60
        and "cookie" in lowered
        and _COOKIE_RE.search(paragraph)
        and _COOKIE_CONTEXT_RE.search(paragraph)
    )


def _is_prose(paragraph: str) -> bool:
    """Sentences rather than a headline: ends like a sentence and is not a few words, or long."""
    words = _words(paragraph)
    return words > 25 or (words >= 6 and bool(SENTENCE_END_RE.search(paragraph)))


def _may_start_with_dateline(paragraph: str) -> bool:
    """What each dateline pattern needs, tested cheaply first: a "/" in its first 130
    characters (first pattern), a dash (second), a "(" in its first 45 (third)."""
    return (
        "/" in paragraph[:130]
        or "(" in paragraph[:45]
        or any(dash in paragraph for dash in ("--", "—", "–"))
    )


def _strip_dateline(paragraph: str) -> str:
    if not _may_start_with_dateline(paragraph):
        return paragraph
    for pattern in _DATELINE_RES:
        stripped = pattern.sub("", paragraph, count=1)
        if stripped != paragraph and stripped:
            return stripped[0].upper() + stripped[1:]
    return paragraph


def clean_paragraphs(article: Article) -> list[str]:
    """The article's own paragraphs, in order, with the page furniture removed."""
    title = _normal(article.title)
    kept: list[str] = []
    in_links_block = False
    for raw in _PARAGRAPH_SPLIT_RE.split(article.text):
        paragraph = " ".join(raw.split())
        if paragraph and not paragraph.isascii():
            paragraph = _strip_zh_lead(paragraph, " ".join(article.title.split()))
        if not paragraph:
            continue
        if in_links_block:
            # A links block (headlines, numbers) ends where prose starts again.
            if not _is_prose(paragraph):
                continue
            in_links_block = False
        if _LINKS_HEADING_RE.match(paragraph):
            in_links_block = True
            continue
        if kept and _TAIL_HEADING_RE.match(paragraph):
            break  # everything after "About the company" / "Contacts" is the wire's boilerplate
        if _is_furniture(paragraph):
            continue
        glued = _GLUED_HEADING_RE.match(paragraph)
        if glued:
            paragraph = paragraph[glued.end() :]
        paragraph = paragraph.replace("**", "").strip()
        # Normalising is per character, so a paragraph that repeats the title starts with
        # letters that begin it: a cheap test on its head rules most paragraphs out.
        if not paragraph or (
            title and title.startswith(_normal(paragraph[:40])) and _normal(paragraph) == title
        ):
            continue
        kept.append(_strip_dateline(paragraph))
    if kept:
        kept[-1] = _mark_cut(_GLUED_CONTINUE_RE.sub("", kept[-1]))
    return [p for p in kept if p]


def _mark_cut(paragraph: str) -> str:
    """The last paragraph, ending in "…" when the feed cut it short."""
    marked = _CUT_MARK_RE.sub("", paragraph)
    if marked != paragraph:
        return marked + "…" if marked else ""
    if _words(paragraph) > _CUT_WORDS and not SENTENCE_END_RE.search(paragraph):
        return paragraph + "…"
    return paragraph
