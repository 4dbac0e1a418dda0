"""Reading SEC EDGAR Atom entries: form type, 8-K item numbers, CIKs and accession numbers.

In: the strings of one entry of an EDGAR Atom feed, either a company's filings
(`browse-edgar?action=getcompany&...&output=atom`, titles like "8-K  - Current report") or the
latest filings (`browse-edgar?action=getcurrent&...&output=atom`, titles like
"8-K - Ultragenyx Pharmaceutical Inc. (0001515673) (Filer)"). Out: small values (`EdgarTitle`,
tuples of item numbers, ints). Pure and total: what cannot be read gives None or an empty tuple.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

# "8-K - Ultragenyx Pharmaceutical Inc. (0001515673) (Filer)"; the role is Filer, Subject,
# Reporting or Filed by. Form types have spaces and slashes ("SC 13G/A", "DEF 14A").
_CURRENT_TITLE = re.compile(
    r"^\s*(?P<form>[A-Z0-9][A-Za-z0-9 ./-]*?)\s+-\s+(?P<company>.+?)\s*"
    r"\((?P<cik>\d{1,10})\)\s*(?:\((?P<role>[^()]*)\))?\s*$"
)
# "8-K  - Current report": the form, then the form's description.
_COMPANY_TITLE = re.compile(r"^\s*(?P<form>[A-Z0-9][A-Za-z0-9 ./-]*?)\s+-\s+(?P<rest>.*?)\s*$")
_ACCESSION = re.compile(r"(?<!\d)(\d{10}-\d{2}-\d{6})(?!\d)")
_ARCHIVE_CIK = re.compile(r"/Archives/edgar/data/(\d{1,10})/", re.IGNORECASE)
# "Item 2.02: Results of ...", "items 2.02, 2.05and9.01", "Items 2.02 and 9.01": the text after
# the word "item(s)" up to a colon or line end holds the numbers.
_ITEMS_RUN = re.compile(r"\bitems?\b([^:\n<]*)", re.IGNORECASE)
_ITEM_NUMBER = re.compile(r"(?<![\d.])([1-9]\.\d{2})(?!\d)")


@dataclass(frozen=True, slots=True)
class EdgarTitle:
    """What an EDGAR entry title says: the form, and for the latest-filings feed the company."""

    form: str
    company: str | None = None
    cik: int | None = None
    role: str | None = None
    description: str | None = None


def is_edgar(entry_id: str, link: str) -> bool:
    """Whether an entry is an EDGAR filing (by its urn:tag:sec.gov id or its Archives link)."""
    if entry_id.startswith("urn:tag:sec.gov"):
        return True
    try:
        host = (urlsplit(link).hostname or "").lower()
    except ValueError:
        return False
    return host.endswith("sec.gov") and "/archives/edgar/" in link.lower()


def parse_title(title: str) -> EdgarTitle | None:
    """Split an EDGAR entry title into form, company, CIK and role; None if it is not one."""
    m = _CURRENT_TITLE.match(title)
    if m:
        return EdgarTitle(
            form=_clean_form(m["form"]),
            company=m["company"].strip() or None,
            cik=int(m["cik"]),
            role=(m["role"] or "").strip() or None,
        )
    m = _COMPANY_TITLE.match(title)
    if m:
        return EdgarTitle(form=_clean_form(m["form"]), description=m["rest"] or None)
    return None


def _clean_form(form: str) -> str:
    return " ".join(form.split()).upper()


def accession_number(text: str) -> str | None:
    """The first accession number ("0001193125-26-062568") in an id, link or summary."""
    m = _ACCESSION.search(text)
    return m.group(1) if m else None


def cik_from_link(link: str) -> int | None:
    """The CIK in an EDGAR Archives link (.../Archives/edgar/data/1515673/...)."""
    m = _ARCHIVE_CIK.search(link)
    return int(m.group(1)) if m else None


def parse_cik(text: str) -> int | None:
    """A CIK written as digits, zero-padded or not ("0001515673" -> 1515673)."""
    text = text.strip()
    return int(text) if text.isdigit() and 0 < len(text) <= 10 else None


def item_numbers(*texts: str) -> tuple[str, ...]:
    """The 8-K item numbers ("2.02", "9.01") mentioned after "Item(s)" in any text, in order."""
    seen: dict[str, None] = {}
    for text in texts:
        for run in _ITEMS_RUN.finditer(text):
            for number in _ITEM_NUMBER.findall(run.group(1)):
                seen.setdefault(number, None)
    return tuple(seen)
