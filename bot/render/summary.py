"""The extractive summary: page furniture removed, then the article's own sentences, terms in bold.

In: an `Article` (plain text, paragraphs separated by a blank line) and the matched terms.
Out: `clean_paragraphs` -> the paragraphs worth reading; `summarise` -> Telegram HTML (escaped,
matched words in `<b>`), at most `limit` visible characters, or "" when the article has no text
of its own (a title-only item: the alert then shows the title and invents nothing).
Never raises on odd text; a paragraph that looks like furniture is dropped, nothing is rewritten
apart from whitespace, a glued-on `**Heading**` and a press-release dateline.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sentencex import segment  # type: ignore[import-untyped, unused-ignore]

from bot.models import Article
from bot.render.html import cut_plain, escape, utf16_len

# Between two sentences that were not next to each other in the article.
GAP = " … "

_PARAGRAPH_SPLIT_RE = re.compile(r"\n\s*\n")
# A markdown-style subheading glued to the start of a paragraph: "**Key Client** The billions…".
_GLUED_HEADING_RE = re.compile(r"^\*\*([^*]{1,120})\*\*\s*")
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
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


def _words(paragraph: str) -> int:
    return len(paragraph.split())


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
    return words > 25 or (words >= 6 and bool(_SENTENCE_END_RE.search(paragraph)))


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
    return kept


@dataclass(frozen=True, slots=True)
class _Sentence:
    paragraph: int
    text: str


def sentences(paragraphs: Iterable[str]) -> list[_Sentence]:
    """The sentences of `paragraphs`, each remembering its paragraph."""
    found: list[_Sentence] = []
    for index, paragraph in enumerate(paragraphs):
        for part in segment("en", paragraph):
            text = str(part).strip()
            if text:
                found.append(_Sentence(index, text))
    return found


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern finding any of `terms` as whole words.

    Short all-capital terms are tickers and match case-sensitively and exactly, so "IT" is not
    "it"; other terms also match with a plural ending or a model number ("Trainium2").
    """
    alternatives: list[str] = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in term.split())
        if term.isupper() and len(term) <= 6:
            alternatives.append(body)
        else:
            alternatives.append(rf"(?i:{body})(?:e?s|\d+)?")
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def bold_terms(text: str, pattern: re.Pattern[str] | None) -> str:
    """`text` escaped for Telegram HTML, with each match of `pattern` in `<b>`."""
    if pattern is None:
        return escape(text)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<b>{escape(match.group(0))}</b>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _joined_length(chosen: Sequence[int], found: Sequence[_Sentence]) -> int:
    total = 0
    for position, index in enumerate(chosen):
        if position:
            total += 1 if index == chosen[position - 1] + 1 else utf16_len(GAP)
        total += utf16_len(found[index].text)
    return total


def _distinct_terms(text: str, pattern: re.Pattern[str] | None) -> int:
    if pattern is None:
        return 0
    return len({m.group(0).casefold() for m in pattern.finditer(text)})


def select(found: Sequence[_Sentence], pattern: re.Pattern[str] | None, limit: int) -> list[int]:
    """Indexes of the sentences to show, in article order, fitting `limit` together.

    The lead always; then the sentences carrying terms, those carrying more different terms
    first (so a sentence about "Trainium" and "Amazon" beats one naming only "Amazon"). When no
    other sentence carries a term, the sentences that follow the lead fill the room instead.
    """
    if not found:
        return []
    chosen = [0]
    scores = {i: _distinct_terms(found[i].text, pattern) for i in range(1, len(found))}
    carrying = sorted((i for i, n in scores.items() if n), key=lambda i: (-scores[i], i))
    fillers = carrying or list(range(1, len(found)))
    for index in fillers:
        trial = sorted([*chosen, index])
        if _joined_length(trial, found) <= limit:
            chosen = trial
        elif not carrying:
            break  # filling with what follows the lead: stop at the first that does not fit
    return chosen


# Many chats are alerted to the same article: the poller renders it once per chat (twice: HTML
# and plain), so the article's sentences and its summaries are remembered. Articles are frozen
# and hashable; the caches are bounded (a poll cycle's worth of recent articles).
SENTENCE_CACHE = 2048
SUMMARY_CACHE = 8192


@functools.lru_cache(maxsize=SENTENCE_CACHE)
def _article_sentences(article: Article) -> tuple[_Sentence, ...]:
    return tuple(sentences(clean_paragraphs(article)))


def summarise(article: Article, terms: Sequence[str], limit: int) -> str:
    """Telegram HTML summary of `article` of at most `limit` visible characters; "" if no text."""
    return _summary(article, tuple(terms), limit)


@functools.lru_cache(maxsize=SUMMARY_CACHE)
def _summary(article: Article, terms: tuple[str, ...], limit: int) -> str:
    found = _article_sentences(article)
    pattern = term_pattern(terms)
    chosen = select(found, pattern, limit)
    if not chosen:
        return ""
    if len(chosen) == 1 and utf16_len(found[0].text) > limit:
        return bold_terms(cut_plain(found[0].text, limit), pattern)
    parts: list[str] = []
    for position, index in enumerate(chosen):
        if position:
            parts.append(" " if index == chosen[position - 1] + 1 else escape(GAP))
        parts.append(bold_terms(found[index].text, pattern))
    return "".join(parts)
