"""SEC filings in words: what a form is, what each 8-K item means, whose filing it is.

In: an `Article` with `form` set (the parse stage fills `form` and `items` from EDGAR feeds).
Out: plain-text lines in the user's language (`bot.texts`), for the message layout to escape.
Unknown forms and items are shown by number alone, never guessed; nothing here raises.
"""

from __future__ import annotations

import re

from bot.models import Article
from bot.texts import has_text, text

_ITEM_RE = re.compile(r"\bitems?\s+(\d{1,2}\.\d{2})\b", re.IGNORECASE)
_MORE_ITEMS_RE = re.compile(r"(?<![\d.])(\d{1,2}\.\d{2})(?![\d.])")
# The filer's CIK and role at the end of EDGAR's "latest filings" titles: "(0000320193) (Filer)".
_CIK_ROLE_RE = re.compile(r"\s*\(\d{1,10}\)\s*(?:\([^()]*\))?\s*$")
# EDGAR's own names of forms ("Current report") that follow the form in a company feed's titles;
# a title part starting with one of these is a description, not a company.
_DESCRIPTION_STARTS = (
    "current report",
    "annual report",
    "quarterly report",
    "statement",
    "registration",
    "prospectus",
    "proxy",
    "amend",
    "notice",
    "general statement",
    "report",
    "definitive",
    "preliminary",
    "additional",
    "tender offer",
    "securities",
    "initial",
    "other",
)


def form_key(form: str) -> str:
    """The texts key for a form, with amendments ("/A") and prospectus variants folded."""
    base = form.strip().upper().removesuffix("/A")
    if base.startswith("424B"):
        base = "424B"
    return f"sec.form.{base}"


def form_meaning(form: str, lang: str = "en") -> str | None:
    """What a form is in words ("Annual report"), marked when it amends an earlier one."""
    key = form_key(form)
    if not has_text(key, lang):
        return None
    meaning = text(key, lang)
    if form.strip().upper().endswith("/A"):
        meaning = text("filing.amendment", lang, meaning=meaning)
    return meaning


def item_numbers(article: Article) -> tuple[str, ...]:
    """The 8-K items of a filing: from the feed's own list, else read from the text."""
    if article.items:
        return tuple(dict.fromkeys(i.strip() for i in article.items if i.strip()))
    found: list[str] = []
    for line in article.text.splitlines():
        start = _ITEM_RE.search(line)
        if start:
            # "items 2.02, 2.05and9.01": every number after the word "item" on that line.
            found.extend(_MORE_ITEMS_RE.findall(line[start.start() :]))
    return tuple(dict.fromkeys(found))


def item_line(number: str, lang: str = "en") -> str:
    """ "Item 2.02: Results of operations and financial condition", or "Item 2.02" if unknown."""
    key = f"sec.item.{number}"
    if has_text(key, lang):
        return text("filing.item", lang, number=number, meaning=text(key, lang))
    return text("filing.item.unknown", lang, number=number)


def company(article: Article) -> str | None:
    """The filer's name when the entry's title carries it, else None.

    Titles look like "8-K - Apple Inc. (0000320193) (Filer)" (EDGAR's latest filings),
    "8-K - Apple Inc. - Current report" (the parse stage's for a company feed) or
    "8-K  - Current report" (no company).
    """
    form = (article.form or "").strip()
    title = " ".join(article.title.split())
    if not form or not title.upper().startswith(form.upper()):
        return None
    rest = _CIK_ROLE_RE.sub("", title[len(form) :]).strip().removeprefix("-").strip()
    first = rest.split(" - ")[0].strip()
    if not first or first.casefold().startswith(_DESCRIPTION_STARTS):
        return None
    return first


def filing_title(article: Article, lang: str = "en") -> str:
    """The headline for a filing: "Apple Inc.: Form 8-K", or "SEC filing: Form 8-K"."""
    form = text("filing.form", lang, form=(article.form or "").strip())
    name = company(article)
    if name:
        return text("filing.title", lang, company=name, form=form)
    return text("filing.title.no_company", lang, form=form)


def filing_lines(article: Article, lang: str = "en") -> list[str]:
    """The body of a filing alert: the form in words, then one line per 8-K item."""
    form = (article.form or "").strip()
    lines: list[str] = []
    meaning = form_meaning(form, lang)
    if meaning:
        lines.append(
            text("filing.meaning", lang, form=text("filing.form", lang, form=form), meaning=meaning)
        )
    lines.extend("• " + item_line(number, lang) for number in item_numbers(article))
    return lines
