"""Words with a daily rhythm of their own: their share at this hour on earlier days.

The events detector's baseline judges a word's share of traffic against the last few hours, which
divides out the daily rhythm of volume but not a word's own ("morning" at 7 a.m., "goodnight" at
11 p.m.): measured with ``tools/daily_rhythm.py``, such a word opened an event at its peak every
day. :class:`DailyShares` remembers, per hour of stream time, the posts and the most frequent words
of that hour, for a week; :meth:`DailyShares.expected` gives each word's usual share at an hour of
the day: the **median** over the earlier days, so that a word is seasonal only when it is high at
that hour on more than half of them. With a week of history, an incident that recurs at the same
hour on a second, third or fourth night (riots often do) stays unusual; in the first days, with
three or four days known, two such nights are enough to make it usual. Place terms never become
seasonal: a place is what tells a repeated incident apart.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping

import msgspec

from civicpulse.detectors.terms import is_place_cell

__all__ = ["DAY_HOURS", "HOUR_S", "DailyShares", "HourSlot"]

HOUR_S = 3600
DAY_HOURS = 24


class HourSlot(msgspec.Struct, array_like=True):
    """One hour of stream time: posts counted, and counts of its most frequent words."""

    total: float = 0.0
    counts: dict[str, float] = msgspec.field(default_factory=dict)


class DailyShares(msgspec.Struct, kw_only=True):
    #: Hour index (stream seconds // 3600) -> that hour's slot.
    hours: dict[int, HourSlot] = msgspec.field(default_factory=dict)

    def add(self, hour: int, counts: Mapping[str, int], total: int, *, keep_words: int, days: int) -> None:
        """Count a bucket of ``total`` posts with ``counts`` per term into ``hour``."""
        slot = self.hours.get(hour)
        if slot is None:
            slot = self.hours[hour] = HourSlot()
            self._close(hour, keep_words, days)
        slot.total += total
        tally = slot.counts
        for term, n in counts.items():
            if not is_place_cell(term):
                tally[term] = tally.get(term, 0.0) + n
        if len(tally) > 4 * keep_words:
            slot.counts = _top(tally, 2 * keep_words)

    def _close(self, hour: int, keep_words: int, days: int) -> None:
        """A new hour began: the hours before it keep their top words; hours past ``days`` go."""
        for old in [h for h in self.hours if h <= hour - days * DAY_HOURS]:
            del self.hours[old]
        for h, slot in self.hours.items():
            if h < hour and len(slot.counts) > keep_words:
                slot.counts = _top(slot.counts, keep_words)

    def expected(self, hour: int, *, days: int, min_days: int, min_total: float) -> dict[str, float]:
        """Each word's usual share of posts at ``hour``'s hour of the day: per earlier day with
        enough posts, its largest share in that hour and the hours either side (a peak drifts by
        minutes from day to day); the median over those days, when there are ``min_days``."""
        per_day: list[dict[str, float]] = []
        for day in range(1, days + 1):
            around = [self.hours.get(hour - day * DAY_HOURS + d) for d in (-1, 0, 1)]
            if any(slot is None or slot.total < min_total for slot in around):
                continue
            shares: dict[str, float] = {}
            for slot in around:
                assert slot is not None
                for word, n in slot.counts.items():
                    share = n / slot.total
                    if share > shares.get(word, 0.0):
                        shares[word] = share
            per_day.append(shares)
        if len(per_day) < min_days:
            return {}
        words = {word for shares in per_day for word in shares}
        usual = {word: statistics.median(shares.get(word, 0.0) for shares in per_day) for word in words}
        return {word: share for word, share in usual.items() if share > 0.0}


def _top(counts: dict[str, float], n: int) -> dict[str, float]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n])
