"""What a headline's grammar says about its companies: the subject, the rated one, the brokers.

In: a headline (for an item without one, its lead sentence) and the `TickerUniverse`. Out: a
`Headline`: the company that stands as the subject of a finance verb ("Arbor Realty Trust
Announces a Special Dividend"), the company an analyst rates ("Deutsche Bank Maintains Advance
Auto Parts at Hold"), and where brokers stand (the rater is not the rated). A headline carries no
body to give context, so a name made only of everyday words counts here when the grammar says it
is a name. The word lists are in data/story.toml. Pure; never raises.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from bot.matching.tickers import Company, TickerUniverse

MAX_NAME_WORDS = 6  # "Federal Agricultural Mortgage Corp": longer runs are not names
SUBJECT_WITHIN = 8  # the finance verb must come within this many words of the start
MAX_HEADLINE = 160  # characters: a headline is read for its subject and rater, both early

# Words, with the punctuation that ends a name kept as tokens of its own.
_TOKEN_RE = re.compile(r"[A-Za-z0-9$][\w.&'’$-]*[\w&]|[A-Za-z0-9]|[,:;()|–—\"“”]| - ")
_POSSESSIVE_RE = re.compile(r"['’]s$")
_SUFFIXES = frozenset(
    ["inc", "inc.", "corp", "corp.", "co", "co.", "ltd", "ltd.", "plc", "llc", "n.v.", "s.a."]
)
_STOPS = frozenset([",", ":", ";", "(", ")", "|", "–", "—", '"', "“", "”", " - "])
_NAME_STOPS = frozenset(
    [
        "at",
        "to",
        "with",
        "from",
        "after",
        "as",
        "amid",
        "ahead",
        "on",
        "price",
        "pt",
        "target",
        "stock",
        "shares",
        "and",
        "following",
        "over",
        "despite",
        "by",
        "in",
        "for",
        "is",
    ]
)


@dataclass(frozen=True, slots=True)
class StoryWords:
    """The lists of data/story.toml."""

    brokers: tuple[str, ...]
    broker_starts: Mapping[str, tuple[str, ...]]  # first word -> names, longest first
    analyst_verbs: frozenset[str]
    filler: frozenset[str]
    finance_verbs: frozenset[str]
    to_verbs: frozenset[str]
    person_titles: frozenset[str]  # one word each: the last word of a longer title is listed


@cache
def story_words() -> StoryWords:
    """The lists shipped with the package (read once)."""
    raw = resources.files(__package__).joinpath("data", "story.toml").read_text("utf-8")
    data = tomllib.loads(raw)
    return StoryWords(
        brokers=tuple(sorted(data["brokers"]["names"], key=len, reverse=True)),
        broker_starts=_by_first_word(data["brokers"]["names"]),
        analyst_verbs=frozenset(data["analyst_verbs"]["rating"]),
        filler=frozenset(data["analyst_verbs"]["filler"]),
        finance_verbs=frozenset(data["finance_verbs"]["words"]),
        to_verbs=frozenset(data["finance_verbs"]["to_verbs"]),
        person_titles=frozenset(data["person_titles"]["words"]),
    )


def _by_first_word(names: list[str]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):
        grouped.setdefault(name.split()[0].rstrip("."), []).append(name)
    return {first: tuple(group) for first, group in grouped.items()}


@dataclass(frozen=True, slots=True)
class Named:
    """A company the headline's grammar names: `role` is "subject" or "rated"."""

    company: Company
    written: str
    role: str


@dataclass(frozen=True, slots=True)
class Headline:
    """What the headline says: companies its grammar names, and the spans brokers stand in."""

    text: str
    named: tuple[Named, ...]
    brokers: tuple[tuple[int, int], ...]

    def is_broker(self, written: str) -> bool:
        """Does `written` (a company's name as found) stand where a broker stands?"""
        low = written.lower()
        return any(low in self.text[start:end].lower() for start, end in self.brokers)


def worth_reading(title: str) -> bool:
    """Could `read_headline` name anyone here? A finance verb, a possessive or a broker's name
    must be there; most headlines are ruled out by this look at their words."""
    words = story_words()
    low = title[:MAX_HEADLINE].lower().split()
    for i, word in enumerate(low[: SUBJECT_WITHIN + 1]):
        word = word.strip(',:;"“”')
        if word.endswith(("'s", "’s")) or (
            word in words.finance_verbs
            and (word != "to" or (i + 1 < len(low) and low[i + 1] in words.to_verbs))
        ):
            return True
    return any(w in words.broker_starts or w[:-2] in words.broker_starts for w in low)


# Detection reads an article's headline, and the story reading reads it again right after:
# the second reading is this memo's (a `Headline` is frozen, so sharing it is safe).
@lru_cache(maxsize=256)
def read_headline(title: str, universe: TickerUniverse) -> Headline:
    """The subject, the rated company and the broker spans of `title`."""
    words = story_words()
    title = title[:MAX_HEADLINE]  # a lead sentence read as a headline can run long
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN_RE.finditer(title)]
    brokers = _broker_spans(title, tokens, words)
    named: list[Named] = []
    rated = _rated(tokens, brokers, universe, words)
    if rated is not None:
        named.append(rated)
    subject = _subject(tokens, universe, words)
    if subject is not None and not any(s <= subject[1] < e for s, e in brokers):
        named.append(subject[0])
    return Headline(title, tuple(named), tuple(brokers))


def _broker_spans(
    title: str, tokens: list[tuple[int, int, str]], words: StoryWords
) -> list[tuple[int, int]]:
    """Broker names that rate: followed by an analyst verb, or after "at"/"by"/"from"."""
    low = title.lower()
    spans: list[tuple[int, int]] = []
    for at, _end, word in tokens:
        if not word[0].isupper():
            continue  # brokers are named in capitals ("Canaccord", "JPMorgan", "BofA")
        key = word.lower()
        # No broker's name starts here? ("JPMorgan's": looked for without its last two letters.)
        names = words.broker_starts.get(key) or words.broker_starts.get(key[:-2], ())
        for name in names:  # longest first
            end = at + len(name)
            if not low.startswith(name, at) or (end < len(low) and low[end].isalnum()):
                continue
            if not any(s <= at < e for s, e in spans) and _rates(low, at, end, words):
                spans.append((at, end))
            break
    return spans


def _rates(low: str, start: int, end: int, words: StoryWords) -> bool:
    rest = low[end:]
    rest = rest[2:] if rest.startswith(("'s", "’s")) else rest  # "Jefferies's analyst"
    after = rest.split()
    before = low[:start].split()
    if after and after[0].strip(",:") in words.analyst_verbs:
        return True
    if not before and rest.lstrip().startswith(":"):
        return True  # "Morgan Stanley: The S&P 500 will ...": the broker speaks
    return bool(before) and before[-1] in {"at", "by", "from", "per"}


def _rated(
    tokens: list[tuple[int, int, str]],
    brokers: list[tuple[int, int]],
    universe: TickerUniverse,
    words: StoryWords,
) -> Named | None:
    """The company after "BROKER verb [rating] on": "... Maintains Buy on Apple, Lowers ..."."""
    for _start, broker_end in brokers:
        # The verb is the first word after the broker's name ("JPMorgan's downgrade of ...").
        i = next((k for k, t in enumerate(tokens) if t[0] >= broker_end), len(tokens))
        if i < len(tokens) and tokens[i][2].lower() in {"'s", "’s"}:
            i += 1
        if i >= len(tokens) or tokens[i][2].lower() not in words.analyst_verbs:
            continue
        j = i + 1
        while j < len(tokens) and _filler(tokens, j, words):
            j += 1
        return _longest_name(tokens, j, universe, "rated")
    return None


def _filler(tokens: list[tuple[int, int, str]], j: int, words: StoryWords) -> bool:
    word = tokens[j][2].lower()
    if word == "target":  # "price target on Target": only after "price" is it filler
        return j > 0 and tokens[j - 1][2].lower() == "price"
    return word in words.filler or word == "price"


def _subject(
    tokens: list[tuple[int, int, str]], universe: TickerUniverse, words: StoryWords
) -> tuple[Named, int] | None:
    """The words before the first finance verb, when they name a company."""
    first = 0
    for i, (_s, _e, word) in enumerate(tokens[: SUBJECT_WITHIN + 1]):
        if word in _STOPS:
            if word in {":", "|", " - "}:
                first = i + 1  # "UPDATE: Arbor Realty Trust Announces ..."
            elif word == "(":
                break
            continue
        possessive = _POSSESSIVE_RE.search(word) is not None  # "Hawaiian Electric’s Hold ..."
        if (i > first and _finance_verb(tokens, i, words)) or possessive:
            chunk = [t for t in tokens[first : i + possessive] if t[2] not in _STOPS]
            while chunk and chunk[-1][2].lower() in _SUFFIXES:
                chunk.pop()
            if len(chunk) == 1 and word.lower() in {"says", "said"}:
                return None  # "Lee says ...": one name before "says" is a person's, mostly
            found = _name_of(chunk, universe)
            if found is not None:
                return Named(found, " ".join(t[2] for t in chunk), "subject"), chunk[0][0]
            return None
    return None


def _finance_verb(tokens: list[tuple[int, int, str]], i: int, words: StoryWords) -> bool:
    word = tokens[i][2].lower()
    if word != "to":
        return word in words.finance_verbs
    return i + 1 < len(tokens) and tokens[i + 1][2].lower() in words.to_verbs


def _longest_name(
    tokens: list[tuple[int, int, str]], j: int, universe: TickerUniverse, role: str
) -> Named | None:
    """The longest run of words from `j` that names a company."""
    run: list[tuple[int, int, str]] = []
    for token in tokens[j : j + MAX_NAME_WORDS]:
        word = token[2]
        if word in _STOPS or (run and word.lower() in _NAME_STOPS) or word.startswith("$"):
            break
        run.append(token)
    for end in range(len(run), 0, -1):
        found = _name_of(run[:end], universe)
        if found is not None:
            return Named(found, " ".join(t[2] for t in run[:end]), role)
    return None


def _name_of(chunk: list[tuple[int, int, str]], universe: TickerUniverse) -> Company | None:
    """The company a run of capitalised words names (a name, an alias, or a symbol in capitals)."""
    if not chunk or len(chunk) > MAX_NAME_WORDS:
        return None
    if any(not (w[0].isupper() or w[0].isdigit() or w in {"of", "and", "&"}) for _, _, w in chunk):
        return None
    written = _POSSESSIVE_RE.sub("", " ".join(w for _, _, w in chunk))
    named = names_of(universe).get(written.lower())
    if named is not None:
        return named
    if len(chunk) == 1 and written.isupper() and written not in universe.lists.stop_symbols:
        return universe.company(written)  # "GE Reports ...": a symbol as the subject
    return None


_SENTENCE_END_RE = re.compile(r"(?<=[a-z0-9)][a-z0-9)])[.!?][\"”’]?\s+(?=[A-Z“\"])")


def lead_sentence(text: str) -> str:
    """The first sentence of a text ("U.S. investment bank ..." is not cut after "U.S.")."""
    first_line = text.lstrip().split("\n", 1)[0]
    return _SENTENCE_END_RE.split(first_line, maxsplit=1)[0]


@lru_cache(maxsize=4)
def names_of(universe: TickerUniverse) -> dict[str, Company]:
    """Every name and alias the universe knows, lower case -> company (built once per universe;
    `universe.named` would clean each run of words first, too slow for every headline)."""
    names: dict[str, Company] = {}
    for pattern in universe.patterns:
        names.setdefault(" ".join(pattern.written.lower().split()), pattern.company)
    return names


def person_before(text: str, start: int) -> bool:
    """Is the name at `start` a person's surname ("CEO Larry Culp", "co-CEO Keith Block")?"""
    words = story_words()
    # Most names follow a small word ("shares of Nvidia"): one look at that word rules them out.
    space = text.rfind(" ", max(0, start - 30), start - 1)
    before = text[space + 1 : start].strip()
    if before.lower() not in words.person_titles and not _first_name(before, words):
        return _junior(text, start)
    parts = text[max(0, start - 50) : start].rsplit("\n", 1)[-1].split()[-3:]
    # A title ("counsel" ends "General Counsel"), then up to two first names ("H. Lawrence").
    for names in range(len(parts)):
        if parts[-1 - names].lower() in words.person_titles:
            return True
        if not _first_name(parts[-1 - names], words):
            break
    return _junior(text, start)


def _junior(text: str, start: int) -> bool:
    """ "H. Lawrence Culp Jr.": a name followed by Jr. or Sr. is a person's."""
    after = text[start : start + 40].split(maxsplit=2)
    return len(after) > 1 and after[1].strip(",.").lower() in {"jr", "sr"}


def _first_name(word: str, words: StoryWords) -> bool:
    """Could `word` be a first name ("Larry", "H.")? Not a verb of a title-case headline."""
    bare = word.rstrip(".")
    low = bare.lower()
    if not bare.isalpha() or not bare[:1].isupper():
        return False
    return low not in words.finance_verbs and low not in words.analyst_verbs
