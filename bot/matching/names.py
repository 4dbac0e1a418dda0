"""Company names and symbols as people write them, from the SEC's filed spellings.

In: symbols in any spelling ("$brk.b", "BRK/B"), filed company names ("AMAZON COM INC",
"BANK OF AMERICA CORP /DE/"), words. Out: the SEC's spelling of a symbol, the name people write
("Amazon.com", "Bank of America") and its shorter variants, and whether a word is an everyday
English word (Webster's 2nd, via the english-words package). Pure and total: never raises.
"""

from __future__ import annotations

import re

_SEPARATORS = str.maketrans("./ ", "---")


def normalize_symbol(symbol: str) -> str:
    """The SEC's spelling of a symbol: "$brk.b", "BRK/B", "brk-b" -> "BRK-B"."""
    return symbol.strip().lstrip("$").upper().translate(_SEPARATORS)


# Legal and state suffixes that filed names carry and people do not write.
_STATE_RE = re.compile(r"\s*/(?:[A-Z .]{2,12}/?)?\s*$")  # "/DE/", "/NEW", " / MA", "/"
_SUFFIX_RE = re.compile(
    r"[\s,]+(inc|incorporated|corp|corporation|co|company|companies|ltd|limited|plc|p\.l\.c|"
    r"llc|l\.l\.c|lp|l\.p|n\.?v|s\.?a|s\.?e|ag|a/?s|asa|ab|spa|s\.p\.a|sab de cv|se|nv|"
    r"holding|the|/adr|adr|a s|& co)\.?\s*$",
    re.IGNORECASE,
)
# Trailing words people drop when they write a company's name ("Palantir Technologies").
_GENERIC_WORDS = frozenset(
    [
        "holdings",
        "group",
        "technologies",
        "technology",
        "international",
        "industries",
        "systems",
        "enterprises",
        "worldwide",
        "platforms",
        "incorporated",
        "brands",
        "therapeutics",
        "pharmaceuticals",
        "pharmaceutical",
        "biosciences",
        "semiconductor",
        "software",
    ]
)


_SMALL_WORDS = frozenset(["of", "and", "the", "de", "for", "in", "on", "at", "to", "by"])
# Three-letter words in filed names that are words, not acronyms (AMD, IBM, CSX stay capitals).
_SHORT_WORDS = frozenset(
    [
        "air",
        "oil",
        "gas",
        "new",
        "one",
        "two",
        "six",
        "ten",
        "eli",
        "bio",
        "sun",
        "bay",
        "sea",
        "car",
        "art",
        "age",
        "big",
        "red",
        "blue",
        "old",
        "war",
        "gold",
        "iron",
        "ice",
        "net",
        "web",
        "pet",
        "fun",
        "day",
        "way",
        "key",
        "top",
        "tec",
        "med",
        "lab",
    ]
)


def _title(word: str) -> str:
    """One word of an ALL CAPS name as people write it: NVIDIA -> Nvidia, CSX -> CSX."""
    lower = word.lower()
    if lower in _SMALL_WORDS:
        return lower
    if any(c.isdigit() or c == "&" for c in word) or not re.search(r"[AEIOUY]", word):
        return word
    if len(word) <= 3 and lower not in _SHORT_WORDS:
        return word
    return "-".join(part[:1] + part[1:].lower() for part in word.split("-"))


def _mostly_capitals(name: str) -> bool:
    letters = [c for c in name if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= 0.8 * len(letters)


def clean_name(filed: str) -> str:
    """A filed name as written: "AMAZON COM INC" -> "Amazon.com", "Tesla, Inc." -> "Tesla"."""
    name = filed.strip()
    if name.upper().endswith("/ADR"):
        name = name[:-4]
    name = _STATE_RE.sub("", name)
    for _ in range(3):  # "Holding Co., Ltd." has stacked suffixes
        stripped = _SUFFIX_RE.sub("", name).strip(" ,&")
        if stripped == name or not stripped:
            break
        name = stripped
    if _mostly_capitals(name):
        name = " ".join(_title(w) for w in name.split())
        name = name[:1].upper() + name[1:]
    if name.lower().endswith(" com"):  # "AMAZON COM" is how EDGAR spells "Amazon.com"
        name = name[:-4] + ".com"
    return name


WEAK_SUFFIXES = (
    " inc",
    ", inc",
    " corp",
    ", corp",
    " corporation",
    " co",
    ", co",
    " ltd",
    ", ltd",
    " plc",
)


def name_variants(display: str) -> list[str]:
    """The cleaned name, and without one trailing generic word ("Palantir Technologies")."""
    variants = [display]
    parts = display.split()
    if len(parts) > 1 and parts[-1].lower() in _GENERIC_WORDS:
        variants.append(" ".join(parts[:-1]))
    return variants


def load_everyday_words() -> frozenset[str]:
    """Lower-case English words (Webster's 2nd, public domain, via the english-words package)."""
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2"], lower=True))


def is_word(words: frozenset[str], word: str) -> bool:
    """Is `word` in the word list, or a plural of a word in it ("employers", "cars")?"""
    if word in words:
        return True
    if word.endswith("ies") and word[:-3] + "y" in words:
        return True
    return word.endswith("s") and (word[:-1] in words or word[:-2] in words)
