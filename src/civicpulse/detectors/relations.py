"""Which rumours an event relates to: the claims circulating about the same story, place and time.

The events and rumours detectors run apart (an event is a burst of terms, a rumour a hedged claim
that spreads), so the relation is drawn afterwards, from their latest signals: a rumour relates to
an event when they share at least ``min_shared`` terms and were live within ``slack_s`` of each
other. "Police shot a teenager in Harehills" shares *harehills* and *police* with the riot in
Harehills; the city's name alone ("leeds") is one term, not enough. Terms common to most signals are
*not* discounted: in a crisis most of the screen is about one district, and its name is then the
link that matters.

It reads only what the signals carry (the event's ``terms`` and ``words``, the rumour's ``keywords``
and ``title``), so it costs nothing on the stream and works on stored signals as well as live ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from civicpulse.detectors.base import Signal
from civicpulse.detectors.rumour_lexicon import claim_tokens
from civicpulse.detectors.terms import is_place_cell

__all__ = ["related_rumours", "signal_terms"]

#: At most this many related rumours per event, the most shared terms first.
MAX_RELATED = 3
#: A first-seen time further than this from its signal's own time is not believed.
_SANE = timedelta(days=3650)


def _words(values: Iterable[object]) -> set[str]:
    out: set[str] = set()
    for value in values:
        if isinstance(value, str) and not is_place_cell(value):
            out.update(word.lstrip("#") for word in value.lower().split() if word.lstrip("#"))
    return out


def signal_terms(signal: Signal) -> frozenset[str]:
    """The content terms of an event's or a rumour's latest signal (lower case, no '#')."""
    details = signal.details
    title = details.get("title")
    if signal.kind == "rumour":
        keywords = details.get("keywords")
        words = _words(keywords if isinstance(keywords, list) else [])
        if isinstance(title, str):
            words |= {w.lstrip("#") for w in claim_tokens(title)}
        return frozenset(w for w in words if w)
    terms = details.get("terms")
    # An event's most frequent words (``words``; its title held them in signals stored before
    # 2026-11-30, when the title became its own words).
    frequent = details.get("words", title)
    return frozenset(_words([*(terms if isinstance(terms, list) else []),
                             *(frequent if isinstance(frequent, list) else [frequent])]))


def _first_seen(signal: Signal) -> datetime:
    """When the event or rumour was first seen, as its signal says; its signal's time when the stored
    value is missing, unreadable or too far from it to do arithmetic with (a crafted import)."""
    value = signal.details.get("first_seen")
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return signal.at
        if parsed.tzinfo is not None and abs(parsed - signal.at) < _SANE:
            return parsed
    return signal.at


def related_rumours(events: Sequence[Signal], rumours: Sequence[Signal], *, min_shared: int = 2,
                    slack_s: float = 3600.0) -> dict[str, list[Signal]]:
    """Event key -> the rumours (their latest signals) it relates to, at most :data:`MAX_RELATED`.

    ``events`` and ``rumours`` are the latest signal of each; other kinds are ignored."""
    claims = [(r, signal_terms(r), _first_seen(r)) for r in rumours if r.kind == "rumour"]
    slack = timedelta(seconds=slack_s)
    out: dict[str, list[Signal]] = {}
    for event in (e for e in events if e.kind == "event"):
        mine = signal_terms(event)
        start, end = _first_seen(event) - slack, event.at + slack
        found = []
        for rumour, terms, first in claims:
            shared = len(mine & terms)
            if shared >= min_shared and first <= end and rumour.at >= start:
                found.append((shared, rumour.at, rumour))
        if found:
            found.sort(key=lambda item: (-item[0], -item[1].timestamp(), item[2].key))
            out[event.key] = [rumour for _, _, rumour in found[:MAX_RELATED]]
    return out
