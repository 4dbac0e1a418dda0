"""The keyword query language users learn from /help, and its parser.

In: a query as a user typed it, e.g. `"AI chips" OR Trainium -crypto`.
  - words and "quoted phrases" match whole words, case-insensitively, with simple English
    inflection (chip matches chips, acquire matches acquired): both sides are stemmed;
  - `-word` or `-"phrase"` excludes articles that contain it;
  - `OR` between terms makes them alternatives; otherwise every term must match (`AND` may be
    written, and means just that); `NOT word` is `-word`. Operators are read in any case
    ("Nvidia or AMD"); inside quotes every word is literal ("rock and roll").
Out: a frozen `Query` (normalised `.text` as stored, `.shown` as the user wrote it with the
operators as understood, `.clauses`, `.excluded`) for the match index, which reads stored
values with `parse_stored` (a value saved before operators were read in any case still loads).
Fails with `QueryError` (message + position; `str()` explains it to the user with an example).
No regular expressions are built from user input, so no query can be slow to match (no ReDoS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot import texts
from bot.matching.chinese import is_cjk, join_words
from bot.matching.text import stem_words, tokens
from bot.texts import DEFAULT_LANG, Phrase

EXAMPLE = '/keyword "AI chips" OR Trainium -crypto'
MAX_LENGTH = 300
MAX_TERMS = 20
# Characters of other query languages: say clearly that they are not supported.
_UNSUPPORTED = {
    "(": "query.error.parentheses",
    ")": "query.error.parentheses",
    "*": "query.error.wildcard",
    "?": "query.error.wildcard",
    "|": "query.error.pipe",
    "\\": "query.error.regex",
    "[": "query.error.regex",
    "]": "query.error.regex",
    "{": "query.error.regex",
    "}": "query.error.regex",
    "^": "query.error.regex",
    "~": "query.error.regex",
}


# A bare word runs to the next space or quote; it must hold none of the characters above.
_BARE_WORD = re.compile(r'[^\s"“”]*')
_UNSUPPORTED_RE = re.compile("[" + re.escape("".join(_UNSUPPORTED)) + "]")
# Bare words read as operators, in any case: people type "Nvidia or AMD" and mean OR.
_OPERATORS = frozenset({"OR", "AND", "NOT"})


class QueryError(ValueError):
    """A query that cannot be parsed: what is wrong, and where (0-based character offset)."""

    def __init__(self, key: str, position: int, text: str = "", **values: object) -> None:
        self.phrase = Phrase(key, values)  # the catalogue's words for what is wrong
        self.message = self.phrase.say()
        super().__init__(self.message)
        self.position = position
        self.text = text

    def __str__(self) -> str:
        return self.say()

    def say(self, lang: str = DEFAULT_LANG) -> str:
        """What is wrong, where, and an example, in `lang`."""
        message = self.phrase.say(lang)
        where = texts.text("query.error.where", lang, message=message, position=self.position + 1)
        if self.text:
            pointer = " " * self.position + "^"
            where += f":\n{self.text}\n{pointer}"
        return where + "\n" + texts.text("query.error.example", lang, example=EXAMPLE)


@dataclass(frozen=True, slots=True)
class Term:
    """A word or phrase: its stems (what the index matches) and how it is shown."""

    stems: tuple[str, ...]
    text: str
    shown: str = ""  # as written, case kept: "Nvidia", "\"AI chips\""


@dataclass(frozen=True, slots=True)
class Query:
    """All `clauses` must match (each clause: any one of its terms); no `excluded` term may."""

    text: str
    clauses: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...]
    shown: str = ""  # the query restated as understood, the user's case kept: "Nvidia OR AMD"

    def terms(self) -> tuple[Term, ...]:
        """Every term, positive and excluded."""
        return tuple(t for c in self.clauses for t in c) + self.excluded


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "term", or an operator: "or", "and", "not"
    position: int
    term: Term | None = None
    negated: bool = False


def _term(raw: str, quoted: bool, position: int, text: str) -> Term:
    written = [w for w in tokens(raw) if w[0].isalnum()]
    if not written:
        if quoted:
            raise QueryError("query.error.phrase_empty", position, text)
        raise QueryError("query.error.word_empty", position, text, word=raw)
    found = tuple(stem_words(written))
    lowered, kept = join_words([w.lower() for w in written]), join_words(written)
    # Chinese written without spaces is one word to the user, however segmentation cuts it.
    if quoted or (len(found) > 1 and not all(map(is_cjk, kept))):
        lowered, kept = f'"{lowered}"', f'"{kept}"'
    return Term(found, lowered, kept)


def _tokens(text: str, legacy: bool = False) -> list[_Token]:
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c.isspace():
            i += 1
            continue
        start = i
        negated = False
        if c == "-":
            negated = True
            i += 1
            if i >= n or text[i].isspace():
                raise QueryError("query.error.minus", start, text)
            c = text[i]
        if c in '"“”':
            close = min((j for j in (text.find(q, i + 1) for q in '"“”') if j >= 0), default=-1)
            if close < 0:
                raise QueryError("query.error.quote", i, text)
            out.append(_Token("term", start, _term(text[i + 1 : close], True, i, text), negated))
            i = close + 1
            continue
        m = _BARE_WORD.match(text, i)
        j = m.end() if m else i
        raw = text[i:j]
        bad = _UNSUPPORTED_RE.search(raw)
        if bad is not None:
            raise QueryError(_UNSUPPORTED[bad.group()], i + bad.start(), text)
        if not negated and (raw == "OR" if legacy else raw.upper() in _OPERATORS):
            out.append(_Token(raw.lower(), start))
        else:
            out.append(_Token("term", start, _term(raw, False, i, text), negated))
        i = j
    return out


def parse_stored(text: str) -> Query:
    """A query as stored (`Query.text`), for the match index: read as `parse_query` reads it.
    A value stored before operators were read in any case that no longer reads so ("chips
    and") keeps the meaning it had then (only OR in capitals an operator), so that no stored
    subscription stops the index from loading."""
    try:
        return parse_query(text)
    except QueryError:
        return parse_query(text, legacy=True)


def parse_query(text: str, *, legacy: bool = False) -> Query:
    """Parse a keyword query; raise `QueryError` saying where and why it cannot be read."""
    if len(text) > MAX_LENGTH:
        raise QueryError("query.error.too_long", MAX_LENGTH, "", limit=MAX_LENGTH)
    tokens = _read_operators(_tokens(text, legacy), text)
    if not tokens:
        raise QueryError("query.error.empty", 0, text)
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or: _Token | None = None
    previous: _Token | None = None
    for token in tokens:
        if token.kind == "or":
            if previous is None or previous.kind == "or":
                raise QueryError("query.error.or_sides", token.position, text)
            if previous.negated:
                raise QueryError("query.error.excluded_or", token.position, text)
            pending_or = token
        else:
            assert token.term is not None
            if token.negated:
                if pending_or is not None:
                    raise QueryError("query.error.excluded_or", token.position, text)
                excluded.append(token.term)
            elif pending_or is not None:
                clauses[-1].append(token.term)
            else:
                clauses.append([token.term])
            pending_or = None
        previous = token
    if pending_or is not None:
        raise QueryError("query.error.or_sides", pending_or.position, text)
    if not clauses:
        raise QueryError("query.error.only_excludes", 0, text)
    if sum(len(c) for c in clauses) + len(excluded) > MAX_TERMS:
        raise QueryError("query.error.too_many", 0, text, limit=MAX_TERMS)
    return Query(
        _restate(clauses, excluded, shown=False),
        tuple(tuple(c) for c in clauses),
        tuple(excluded),
        _restate(clauses, excluded, shown=True),
    )


def _restate(clauses: list[list[Term]], excluded: list[Term], *, shown: bool) -> str:
    """The query written back in its one normal form: `a OR b c -d`."""

    def write(term: Term) -> str:
        return term.shown if shown else term.text

    parts = [" OR ".join(write(t) for t in c) for c in clauses]
    return " ".join(parts + ["-" + write(t) for t in excluded])


def _read_operators(tokens: list[_Token], text: str) -> list[_Token]:
    """AND dropped (every term must match anyway), NOT turned into the next term's minus;
    each checked to stand between words, the error pointing at the operator."""
    out: list[_Token] = []
    negate: _Token | None = None
    for i, token in enumerate(tokens):
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if token.kind == "and":
            before = out[-1] if out else None
            if before is None or before.kind != "term" or after is None or after.kind == "or":
                raise QueryError("query.error.and_sides", token.position, text)
            if after.kind == "and":
                raise QueryError("query.error.and_sides", after.position, text)
        elif token.kind == "not":
            if after is None or after.kind != "term" or after.negated:
                raise QueryError("query.error.not", token.position, text)
            negate = token
        elif negate is not None:
            # The error for "a OR NOT b" points at the NOT the user wrote.
            out.append(_Token(token.kind, negate.position, token.term, negated=True))
            negate = None
        else:
            out.append(token)
    return out
