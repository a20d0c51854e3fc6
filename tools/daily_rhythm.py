"""Does an everyday word with a daily rhythm of its own open an event every day?

The events detector's baseline judges each word's *share* of traffic against the last few hours
(half-life 2 h), so the daily rhythm of volume divides out; a word whose share has its own daily
rhythm ("morning" at 7 a.m.) needs its usual share at the same hour on earlier days as well
(``civicpulse.detectors.seasonal``, from the fourth day on). This measures it: days of synthetic
chatter at ``--rate`` posts a second (six words each, drawn Zipf from 800 made-up everyday words,
20,000 accounts), in which "morning" and "breakfast" rise from 0.2 % of posts to ``--share`` of
posts from 07:00 to 08:00 and "goodnight" from 22:30 to 23:00, each over a 30-minute ramp,
replayed through the events detector alone in the pipeline's steps. Every event it opens is
printed: each is a false event.

    .venv/bin/python tools/daily_rhythm.py [--rate 3] [--share 0.03] [--days 2]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from civicpulse.detectors.events import EventDetector
from civicpulse.detectors.stream_clock import replay_steps
from civicpulse.post import Author, Post

START = datetime(2026, 3, 2, tzinfo=UTC)
#: Word, first and last hour of its daily peak (plus a 30-minute ramp on either side).
RHYTHMS = (("morning", 7.0, 8.0), ("breakfast", 7.0, 8.0), ("goodnight", 22.5, 23.0))
BASE_SHARE = 0.002
RAMP_H = 0.5


def level(hour: float, start: float, end: float) -> float:
    """0 outside the peak, 1 inside it, linear on the ramps."""
    if start - RAMP_H <= hour < start:
        return (hour - start + RAMP_H) / RAMP_H
    if start <= hour < end:
        return 1.0
    if end <= hour < end + RAMP_H:
        return 1.0 - (hour - end) / RAMP_H
    return 0.0


def chatter(rate: float, share: float, days: int, seed: int = 1) -> Iterator[Post]:
    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "pa", "do", "fe", "gu", "hi", "ja", "ko"]
    words = sorted({"".join(rng.choice(syllables) for _ in range(3)) for _ in range(2000)})[:800]
    weights = [1 / (rank + 1) for rank in range(len(words))]
    seconds, n = 0.0, 0
    while seconds < days * 86_400:
        seconds += rng.expovariate(rate)
        hour = seconds / 3600 % 24
        text = rng.choices(words, weights, k=6)
        for word, start, end in RHYTHMS:
            if rng.random() < BASE_SHARE + (share - BASE_SHARE) * level(hour, start, end):
                text.append(word)
        n += 1
        yield Post(id=f"rhythm:{n}", platform="rhythm", created_at=START + timedelta(seconds=seconds),
                   author=Author(id=f"acct-{rng.randrange(20_000)}"), text=" ".join(text), language="en")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=3.0, help="posts a second")
    parser.add_argument("--share", type=float, default=0.03, help="share of posts with a rhythmic word at its peak")
    parser.add_argument("--days", type=int, default=2)
    args = parser.parse_args()
    detector, opened = EventDetector(), dict[str, tuple[datetime, str]]()
    for step, now in replay_steps(chatter(args.rate, args.share, args.days)):
        for signal in detector.update_many(step, now):
            opened.setdefault(signal.key, (signal.at, signal.summary))
    print(f"{args.rate:g} posts/s, peak share {args.share:g}, {args.days} days: {len(opened)} events (all false)")
    for at, summary in sorted(opened.values()):
        print(f"  day {(at - START).days + 1} {at:%H:%M}  {summary[:90]}")


if __name__ == "__main__":
    main()
