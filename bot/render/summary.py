"""The extractive summary: the article's own sentences (`bot.render.furniture` removes the
page furniture first), terms in bold.

In: an `Article` (plain text, paragraphs separated by a blank line) and the matched terms.
Out: `summarise` -> Telegram HTML (escaped, matched words in `<b>`; a line break after a
paragraph that ends without a full stop), at most `limit` visible
characters, or "" when the article has no text of its own (a title-only item: the alert then
shows the title and invents nothing). Never raises on odd text. Summaries are remembered per
(article, terms, length): a story rendered for thousands of chats is summarised once.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sentencex import segment  # type: ignore[import-untyped, unused-ignore]

from bot.models import Article
from bot.render.furniture import SENTENCE_END_RE, clean_paragraphs
from bot.render.html import ELLIPSIS, cut_plain, escape, utf16_len

# Between two sentences that were not next to each other in the article.
GAP = " … "
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_RE = re.compile(f"[{_CJK}]")
_CJK_END_RE = re.compile(f"[{_CJK}。！？；，：」』”）]$")
_CLAUSE_MARKS = "，；：、"
# A Latin word's edges: no letter or digit next to it, a Chinese character being no part of it
# ("英伟达的AI芯片" holds the word "AI").
_NOT_AFTER_WORD = rf"(?<![^\W{_CJK}])"
_NOT_BEFORE_WORD = rf"(?![^\W{_CJK}])"


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
    "it"; other terms also match with a plural ending or a model number ("Trainium2"). Chinese
    has no spaces: a Chinese term is found wherever it stands ("苹果CEO"), a Latin one next to
    Chinese characters too ("的AI芯片"); only Latin letters run into a Latin end ("Meta平台").
    """
    alternatives: list[str] = []
    for term in sorted({t.strip() for t in terms if t.strip()}, key=len, reverse=True):
        body = r"\s+".join(re.escape(word) for word in term.split())
        if _CJK_RE.search(term):
            before = r"(?<![A-Za-z0-9])" if term[0].isascii() else ""
            after = r"(?![A-Za-z0-9])" if term[-1].isascii() else ""
            alternatives.append(f"{before}(?:{body}){after}")
        elif term.isupper() and len(term) <= 6:
            alternatives.append(rf"{_NOT_AFTER_WORD}(?:{body}){_NOT_BEFORE_WORD}")
        else:
            alternatives.append(rf"{_NOT_AFTER_WORD}(?:(?i:{body})(?:e?s|\d+)?){_NOT_BEFORE_WORD}")
    if not alternatives:
        return None
    return re.compile("|".join(alternatives))


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
        return bold_terms(_cut_lead(found[0].text, limit), pattern)
    parts: list[str] = []
    for position, index in enumerate(chosen):
        if position:
            parts.append(_joint(found, chosen[position - 1], index))
        parts.append(bold_terms(found[index].text, pattern))
    return "".join(parts)


def _cut_lead(text: str, limit: int) -> str:
    """A lead too long to show whole: Chinese is cut after its last clause mark (，；：) that
    fits, when that keeps most of the room; other text between words (`cut_plain`)."""
    cut = cut_plain(text, limit)
    if not _CJK_RE.search(text):
        return cut
    head = cut[: -len(ELLIPSIS)]
    mark = max(head.rfind(m) for m in _CLAUSE_MARKS)
    if mark >= len(head) // 2:
        return head[: mark + 1] + ELLIPSIS
    return cut


def _joint(found: Sequence[_Sentence], before: int, after: int) -> str:
    """What goes between two shown sentences: a space between neighbours; a line break after
    a paragraph that ends without a full stop (a standfirst, a caption, a name on its own: it
    must not run into the next sentence); " … " where sentences were left out."""
    if after != before + 1:
        return escape(GAP)
    ended = SENTENCE_END_RE.search(found[before].text)
    if found[after].paragraph != found[before].paragraph and not ended:
        return "\n"
    # Chinese sentences follow one another without a space.
    first, second = found[before].text, found[after].text
    return "" if _CJK_RE.match(second) and _CJK_END_RE.search(first) else " "
