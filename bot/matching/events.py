"""What kind of story an article is: its event types, from the headline, the lead and the filing.

In: an `Article` (title, plain text; for SEC filings the form and the 8-K item numbers). Out: a
tuple of event types in the order of `EVENTS` (empty when none applies). Only the headline and
the lead are read: a body mentions dividends and lawsuits in passing, the opening says what the
story is. A law firm's class-action solicitation is both "legal" and "solicitation", so that a
user can keep lawsuits and drop the solicitations that flood press wires. Pure; never raises.
"""

from __future__ import annotations

import re
from typing import Any

import ahocorasick

from bot.models import Article

EVENTS = (
    "earnings",
    "analyst",
    "guidance",
    "merger",
    "dividend",
    "buyback",
    "offering",
    "fda",
    "legal",
    "solicitation",
    "executive",
    "filing",
)
LEAD_CHARS = 320  # the lead: about the first two sentences of the text

_I = re.IGNORECASE


def _lowered(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The same case-insensitive rule, for text lowered beforehand: its letters (not its escapes
    such as \\b, \\w, \\s) in lower case, compiled without IGNORECASE. The regex engine
    skips an alternative at its first letter only when the match is case-sensitive, which makes
    the rules about three times faster, and `classify` runs for every story with a company."""
    body = re.sub(r"(\\.)|([A-Z])", lambda m: m.group(1) or m.group(2).lower(), pattern.pattern)
    return re.compile(body)


# One pattern per event type, as written (case-insensitive); our own fixed patterns, never user
# input. `classify` runs their lowered forms (`_lowered`) on the lowered lead.
_RULES: dict[str, re.Pattern[str]] = {
    "earnings": re.compile(
        r"\b(?:earnings(?! growth| estimates| guidance| forecasts?)|EPS|financial results"
        r"|Q[1-4] (?:adj\. |adjusted )?(?:profit|income|loss|revenue|sales|EPS)"
        r"|(?:first|second|third|fourth)-quarter (?:adjusted )?(?:profit|income|loss)"
        r"|(?:quarterly|annual|fiscal|[1-4]Q|Q[1-4]|quarter) results|reported [\w-]{0,30} ?results"
        r"|bottom[- ]line|quarter(?:ly)? (?:update|report)|\w+ sales (?:were|rose|fell|grew|jumped)"
        r"|reports? (?:Q[1-4]|(?:first|second|third|fourth)[- ]quarter)|net (?:income|loss)"
        r"|per diluted share|quarterly (?:profit|loss)|(?:beat|miss)(?:es|ed)? estimates"
        r"|(?:first|second|third|fourth)[- ]quarter (?:profit|loss|sales|revenue|results)"
        r"|Q[1-4] (?:sales|revenue|profit|loss)|reported (?:Q[1-4]|\w+ sales))\b",
        _I,
    ),
    "analyst": re.compile(
        r"\b(?:upgrad\w*|downgrad\w*|price (?:target|objective)|target price|PT"
        r"|(?:raised|cut|lowered|moved) to (?:buy|sell|hold|neutral|outperform|overweight)"
        r"|from (?:buy|sell|hold|neutral|outperform|underperform|overweight|equal[- ]weight) to"
        r"|turn(?:s|ed) ['‘]?(?:bullish|bearish|\w+ cautious|cautious|positive|negative)"
        r"|initiat\w* coverage|coverage (?:on|of)|maintains|reiterat\w+|overweight|underweight"
        r"|outperform|underperform|equal[- ]weight|(?:buy|sell|hold|neutral) rating"
        r"|analysts? (?:says?|said)|top pick|conviction list|pounds the table|weighs in"
        r"|says ['‘’\"]?buy|favou?rite \w+ stock|bullish on|top analyst|rating (?:on|to)"
        r"|(?:to|from) an? [\"“”']?(?:buy|sell|hold|neutral|outperform|overweight|market perform)"
        r")\b(?! patients| people| adults| children)",
        _I,
    ),
    "guidance": re.compile(
        r"\b(?:guidance|outlook|(?:AI|sales|revenue|earnings|profit|full-year|annual) forecast"
        r"|(?:raises|lowers|cuts|tightens|narrows|widens|reaffirms) [\w\s-]{0,20}view"
        r"|projects|reaffirm\w*|eyes \$|to exceed"
        r"|sees [\w\s'‘’]{0,30}(?:revenue|sales|EPS|earnings|profit))\b",
        _I,
    ),
    "merger": re.compile(
        r"\b(?:acquir(?:e|es|ed|ing)|acquisition|mergers?|merge[sd]?"
        r"|(?<!stocks )(?<!stock )(?<!neutral )(?<!hold )(?<!sell )to buy(?! from)"
        r"(?![\w ]{0,25}\bstock)|deal to buy|takeover|buyout"
        r"|tender offer|strategic alternatives|premium to)\b",
        _I,
    ),
    "dividend": re.compile(
        r"\b(?:dividend(?! stocks?\b)|(?:monthly|quarterly) distribution|quarterly payout)", _I
    ),
    "buyback": re.compile(
        r"\b(?:buy ?backs?|(?:share|stock) repurchases?|repurchase program)\b", _I
    ),
    "offering": re.compile(
        r"\b(?:public offering|secondary offering|proposed offering"
        r"|pric(?:es|ed|ing) (?:of )?(?:its |an |a )?[\w\s$.,-]{0,40}offering|registered direct"
        r"|private placement|convertible (?:senior )?notes|initial public offering)\b",
        _I,
    ),
    "fda": re.compile(
        r"\b(?:FDA|F\.D\.A|Food and Drug Administration|phase (?:[123]|I{1,3}|IV)[ab]?"
        r"|clinical (?:trial|study|hold|data)|top-?line (?:results|data)|trials?"
        r"|(?:early|mid|late)-stage (?:testing|study)|pivotal (?:trial|study|phase)|PDUFA"
        r"|breakthrough therapy|fast track|complete response letter)\b",
        _I,
    ),
    "legal": re.compile(
        r"\b(?:lawsuits?|sues|sued|suing|class action|charges|charged|settle[sd]?|settlement"
        r"|indict\w*|guilty|court|antitrust|probe|investigat\w+|subpoena|fined|penalt(?:y|ies)"
        r"|fraud|violations?|litigation|plaintiffs?|pleads|convicted|verdict|injunction"
        r"|constitutional right|misappropriat\w+|enforcement actions?)\b",
        _I,
    ),
    "solicitation": re.compile(
        r"\b(?:investors? (?:who|that) (?:lost|purchased|suffered)|lead plaintiff"
        r"|(?:shareholder|investor) alert|law firm|stock loss lawyer|deadline reminder"
        r"|contact [\w\s]{0,40}(?:lawyer|attorney)|(?:suffered|incurred) losses"
        r"|class action lawsuit (?:has been )?filed|Rosen Law|Pomerantz|Bronstein, Gewirtz"
        r"|Levi & Korsinsky|Faruqi|Glancy Prongay|Robbins Geller|Bragar Eagel|Kessler Topaz"
        r"|Schall Law|Portnoy Law|Kirby McInerney|Gainey McKenna|Hagens Berman|Block & Leviton"
        r"|Johnson Fistel|Holzer & Holzer)\b",
        _I,
    ),
}
_ROLE_RE = re.compile(
    r"\b(?:CEO|co-CEO|chief \w+ officer|chief executive|CFO|COO|chair(?:man|woman)?|president"
    r"|director|general counsel|chief economist|chief accountant|chief of staff|head)\b",
    _I,
)
_CHANGE_RE = re.compile(
    r"\b(?:(?:steps?|stepped) (?:down|in)|stepping down|resign\w*|retir\w+|depart\w*"
    r"|appoint\w*|names|named|hire[sd]?|replace[sd]?|succeed\w*|successor|ousted|to leave"
    r"|will leave|new (?:CEO|chief|chair)|elected|promot\w+|re-election)\b",
    _I,
)
# 8-K items that say what happened (the others, such as 8.01 "Other Events", say little).
_ITEMS = {
    "2.01": "merger",
    "2.02": "earnings",
    "3.02": "offering",
    "5.02": "executive",
    "1.03": "legal",
}
_FORMS = {
    "S-1": "offering",
    "S-3": "offering",
    "424B": "offering",
    "S-4": "merger",
    "SC TO": "merger",
    "DEFM14A": "merger",
    "10-Q": "earnings",
    "10-K": "earnings",
}


def lead(article: Article) -> str:
    """The headline and the opening of the text (the text alone when there is no headline)."""
    return f"{article.title}\n{article.text[:LEAD_CHARS]}"


_LOWERED = {name: _lowered(rule) for name, rule in _RULES.items()}
# The two halves of "executive": a role and a change, both in the lead.
_EXECUTIVE = {"role": _lowered(_ROLE_RE), "change": _lowered(_CHANGE_RE)}
# What every match of a rule contains (one of these, lower case): a lead without any of them
# cannot match, and a few substring searches cost far less than the rule. Keep in step with the
# rules (tests/matching/test_events.py checks them on real text); a rule not listed always runs.
_NEEDS: dict[str, tuple[str, ...]] = {
    "earnings": (
        *("earnings", "eps", "results", "q1", "q2", "q3", "q4", "quarter", "bottom"),
        *(" sales", "net ", "per diluted share", "estimates"),
    ),
    "analyst": (
        *("upgrad", "downgrad", "price target", "price objective", "target price", "pt"),
        *("raised to", "cut to", "lowered to", "moved to", "from buy", "from sell", "from hold"),
        *("from neutral", "from outperform", "from underperform", "from overweight"),
        *("from equal", "turn", "coverage", "maintains", "reiterat", "overweight"),
        *("underweight", "outperform", "underperform", "equal", "rating", "analyst"),
        *("top pick", "conviction list", "pounds the table", "weighs in", "says", "favorite"),
        *("favourite", "bullish on", "buy", "sell", "hold", "neutral", "market perform"),
    ),
    "guidance": (
        *("guidance", "outlook", "forecast", "view", "projects", "reaffirm", "eyes $"),
        *("to exceed", "sees "),
    ),
    "merger": (
        *("acqui", "merge", "to buy", "takeover", "buyout", "tender offer"),
        *("strategic alternatives", "premium to"),
    ),
    "dividend": ("dividend", "distribution", "quarterly payout"),
    "buyback": ("buyback", "buy back", "repurchase"),
    "offering": ("offering", "registered direct", "private placement", "convertible"),
    "fda": (
        *("fda", "f.d.a", "food and drug", "phase ", "clinical ", "line results", "line data"),
        *("trial", "-stage ", "pivotal ", "pdufa", "breakthrough therapy", "fast track"),
        "complete response letter",
    ),
    "legal": (
        *("lawsuit", "sues", "sued", "suing", "class action", "charge", "settle", "indict"),
        *("guilty", "court", "antitrust", "probe", "investigat", "subpoena", "fined", "penalt"),
        *("fraud", "violation", "litigation", "plaintiff", "pleads", "convicted", "verdict"),
        *("injunction", "constitutional right", "misappropriat", "enforcement action"),
    ),
    "role": (
        *("ceo", "chief", "cfo", "coo", "chair", "president", "director", "general counsel"),
        "head",
    ),
    "change": (
        *("step", "resign", "retir", "depart", "appoint", "name", "hire", "replace", "succe"),
        *("ousted", "leave", "new ", "elected", "promot", "re-election"),
    ),
    "solicitation": (
        *("investor", "lead plaintiff", "alert", "law firm", "stock loss lawyer", "losses"),
        *("deadline reminder", "contact ", "class action lawsuit", "rosen law", "pomerantz"),
        *("bronstein, gewirtz", "levi & korsinsky", "faruqi", "glancy prongay", "robbins geller"),
        *("bragar eagel", "kessler topaz", "schall law", "portnoy law", "kirby mcinerney"),
        *("gainey mckenna", "hagens berman", "block & leviton", "johnson fistel"),
        "holzer & holzer",
    ),
}


def _needs_automaton() -> Any:
    """One automaton of every rule's needs, each need -> the rules it lets run."""
    rules_of: dict[str, list[str]] = {}
    for name, needs in _NEEDS.items():
        for need in needs:
            rules_of.setdefault(need, []).append(name)
    automaton = ahocorasick.Automaton()
    for need, names in rules_of.items():
        automaton.add_word(need, tuple(names))
    automaton.make_automaton()
    return automaton


_NEEDS_FOUND = _needs_automaton()


def _runnable(text: str) -> set[str]:
    """The rules worth running on `text`: those whose needs it holds, found in one pass (a
    search per need costs more than most rules), and those without needs."""
    found = {name for _end, names in _NEEDS_FOUND.iter(text) for name in names}
    return found.union(name for name in (*_LOWERED, *_EXECUTIVE) if name not in _NEEDS)


def classify(article: Article) -> tuple[str, ...]:
    """The event types of `article`, in the order of `EVENTS`."""
    # U+0130 is the one letter whose lower case is two characters; the rules' "i" matches it.
    text = lead(article).replace("\u0130", "I").lower()
    runnable = _runnable(text)
    found = {name for name, rule in _LOWERED.items() if name in runnable and rule.search(text)}
    if "solicitation" in found:
        found.add("legal")
    if all(half in runnable and rule.search(text) for half, rule in _EXECUTIVE.items()):
        found.add("executive")
    if article.form:
        found.add("filing")
        found.update(_ITEMS[i] for i in article.items if i in _ITEMS)
        found.update(e for form, e in _FORMS.items() if article.form.upper().startswith(form))
    return tuple(e for e in EVENTS if e in found)
