"""A ticker subscription's choice of stories, as people type it and as files hold it.

In: the words after `/sources TICKER` or `/events TICKER` (or a trailing "about"/"any" after
`/watch`), a choice to change, an export file's entry. Out: the changed `Choice`; the words an
export writes and /import reads back. Grammar (the README's):
  reach:   `about` | `any`
  sources: `all` | `news press filings` (exactly these on) | `-filings +press` (switch each;
           a bare word among switches switches on)
  events:  `all` | `only earnings analyst` | `except legal solicitation` | `-legal +legal`
Pure. Fails with `ChoiceError`, whose text names the wrong word and the valid choices.
"""

from __future__ import annotations

from dataclasses import replace

from bot.matching.events import EVENTS
from bot.models import Choice, EventRule, Reach, SourceKind
from bot.texts import PhraseError

SOURCES = tuple(k.value for k in SourceKind)


class ChoiceError(PhraseError):
    """Words that do not say a choice; `say(lang)` names the word and the valid choices."""


def split_reach(typed: str) -> tuple[str, Reach | None]:
    """`/watch AMZN any` -> ("AMZN", ANY): a last word "about" or "any" is the reach."""
    head, _, last = typed.strip().rpartition(" ")
    if head.strip() and last.lower() in {r.value for r in Reach}:
        return head.strip(), Reach(last.lower())
    return typed, None


def change_sources(choice: Choice, words: list[str]) -> Choice:
    """The choice with its sources changed as `words` say."""
    lowered = [w.lower() for w in words]
    if lowered == ["all"]:
        return replace(choice, sources_off=frozenset())
    if all(w[:1] not in ("+", "-") for w in lowered):
        on = {_source(w) for w in lowered}
        return replace(choice, sources_off=frozenset(set(SourceKind) - on))
    off = set(choice.sources_off)
    for word in lowered:
        # Among switches, a bare word switches its source on ("news -press").
        sign, name = (word[:1], word[1:]) if word[:1] in ("+", "-") else ("+", word)
        kind = _source(name)
        (off.add if sign == "-" else off.discard)(kind)
    return replace(choice, sources_off=frozenset(off))


def change_events(choice: Choice, words: list[str]) -> Choice:
    """The choice with its event rule changed as `words` say."""
    lowered = [w.lower() for w in words]
    head, rest = (lowered[0], lowered[1:]) if lowered else ("", [])
    if lowered == ["all"]:
        return replace(choice, event_rule=EventRule.ALL, events=())
    if head in (EventRule.ONLY, EventRule.EXCEPT) and rest:
        return _rule(choice, EventRule(head), [_event(w) for w in rest])
    rule, events = choice.event_rule, list(choice.events)
    for word in lowered:
        sign, name = word[:1], _event(word[1:]) if word[:1] in ("+", "-") else ""
        if not name:
            raise ChoiceError("chat.events.error", word=word[:40], options=_event_options())
        if rule is EventRule.ALL:
            rule = EventRule.EXCEPT if sign == "-" else EventRule.ONLY
        taken = (sign == "+") == (rule is EventRule.ONLY)  # is `name` to be in the list
        events = [e for e in events if e != name] + ([name] if taken else [])
    return _rule(choice, rule, events)


def _rule(choice: Choice, rule: EventRule, events: list[str]) -> Choice:
    """`choice` with a rule over `events` (kept in the order of EVENTS); an empty list, of
    either rule, is "all" (taking the last event off "only" would otherwise silence it)."""
    ordered = tuple(e for e in EVENTS if e in events)
    if not ordered:
        return replace(choice, event_rule=EventRule.ALL, events=())
    return replace(choice, event_rule=rule, events=ordered)


def _source(word: str) -> SourceKind:
    if word not in SOURCES:
        raise ChoiceError("chat.sources.error", word=word[:40], options=_source_options())
    return SourceKind(word)


def _event(word: str) -> str:
    if word not in EVENTS:
        raise ChoiceError("chat.events.error", word=word[:40], options=_event_options())
    return word


def _source_options() -> str:
    return ", ".join(SOURCES)


def _event_options() -> str:
    return ", ".join(EVENTS)


# -- as files hold it -----------------------------------------------------------------------
def choice_words(choice: Choice) -> dict[str, str]:
    """A ticker's choice as an export writes it: the words the commands take."""
    on = [s for s in SOURCES if SourceKind(s) not in choice.sources_off]
    events = " ".join((choice.event_rule.value, *choice.events))
    return {"reach": choice.reach.value, "sources": " ".join(on) or "none", "events": events}


def choice_of_words(reach: str, sources: str, events: str) -> Choice:
    """`choice_words` read back; raises ChoiceError for words it did not write."""
    if reach not in {r.value for r in Reach}:
        raise ChoiceError("chat.watch.reach_error", word=reach[:40], options="about, any")
    choice = Choice(reach=Reach(reach))
    if sources != "none":
        choice = change_sources(choice, sources.split())
    else:
        choice = replace(choice, sources_off=frozenset(SourceKind))
    return change_events(choice, events.split())
