"""Soak: a scenario replayed several times back to back, as a deployment runs for days.

One scenario is a few hours; a control room runs the detectors for days, and the same kind of
incident comes back to the same district (a second night of disorder). Each copy is the scenario
generated with its own seed (``SOAK_SEED + k`` unless told otherwise) and shifted by ``k`` times its
length, its post and label ids prefixed with ``d<k>:`` so that copies never collide. The events
detector (with the scenario's area) watches the whole stream, and every incident of every copy after
the first (a *repeat*: the detector has seen the same incident there before) is scored like
``eval detection`` scores one: the first event made mostly of its posts, and how long after its
onset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import msgspec

from civicpulse.detectors.area import AreaMap
from civicpulse.detectors.base import Signal
from civicpulse.detectors.events import EventDetector
from civicpulse.detectors.stream_clock import replay_steps
from civicpulse.evaluation.detection import EVENT_LABEL_KINDS, INCIDENT_DEADLINE_S, match_signals
from civicpulse.post import Post
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.spec import Incident, Scenario, parse_duration
from civicpulse.scenarios.truth import TruthSink

__all__ = ["REPEAT_DEADLINE_S", "SOAK_SEED", "SoakScore", "soak_posts", "soak_scenario"]

#: Copy ``k`` is generated with seed ``SOAK_SEED + k`` by default: draws no other evaluation uses.
SOAK_SEED = 100
#: A repeat found within this long counts as found (the baseline still holds the last one's words).
REPEAT_DEADLINE_S = 1800.0


@dataclass
class SoakScore:
    scenario: str
    copies: int
    stream_hours: float
    #: Copy ``k`` was generated with seed ``first_seed + k``.
    first_seed: int = SOAK_SEED
    posts: int = 0
    #: Incidents of copies 1 .. copies-1, and the latency of each (None: never found).
    repeats: int = 0
    repeat_latencies_s: list[float | None] = field(default_factory=list)
    #: Events still open when the stream ends.
    open_events_at_end: int = 0
    events: int = 0

    def found_within(self, seconds: float) -> int:
        return sum(1 for latency in self.repeat_latencies_s if latency is not None and latency <= seconds)

    def as_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "copies": self.copies, "first_seed": self.first_seed,
                "stream_hours": self.stream_hours, "posts": self.posts, "events": self.events, "repeats": self.repeats,
                "repeats_within_120s": self.found_within(INCIDENT_DEADLINE_S),
                "repeats_within_30min": self.found_within(REPEAT_DEADLINE_S),
                "repeat_latencies_s": [None if x is None else round(x, 1) for x in self.repeat_latencies_s],
                "open_events_at_end": self.open_events_at_end}


class _Labels(TruthSink):
    """Collects the labels of one copy under its prefix."""

    def __init__(self, prefix: str, into: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(None)
        self.prefix, self.into = prefix, into

    def label(self, post_id: str, kind: str, label_id: str) -> None:
        self.into.setdefault(self.prefix + post_id, []).append((kind, self.prefix + label_id))


def _copy(post: Post, prefix: str, shift: timedelta) -> Post:
    def ref(post_id: str | None) -> str | None:
        return None if post_id is None else prefix + post_id

    return msgspec.structs.replace(post, id=prefix + post.id, created_at=post.created_at + shift,
                                   reply_to=ref(post.reply_to), repost_of=ref(post.repost_of),
                                   quote_of=ref(post.quote_of))


def soak_posts(scenario: Scenario, copies: int, labels: dict[str, list[tuple[str, str]]],
               first_seed: int = SOAK_SEED) -> Iterator[Post]:
    """The copies' posts in time order, their labels added to ``labels`` as they are generated."""
    for k in range(copies):
        prefix, shift = f"d{k}:", timedelta(seconds=k * scenario.duration_s)
        for post in ScenarioRun(scenario, first_seed + k, _Labels(prefix, labels)).posts():
            yield _copy(post, prefix, shift)


def soak_scenario(scenario: Scenario, copies: int = 12, first_seed: int = SOAK_SEED) -> SoakScore:
    """Replay ``copies`` copies of ``scenario`` (seeds ``first_seed`` on) back to back through the
    events detector."""
    detector = EventDetector()
    detector.use_area(AreaMap.of(scenario.area.districts))
    labels: dict[str, list[tuple[str, str]]] = {}
    score = SoakScore(scenario.name, copies, round(copies * scenario.duration_s / 3600, 1), first_seed)
    signals: list[Signal] = []
    for batch, now in replay_steps(soak_posts(scenario, copies, labels, first_seed)):
        score.posts += len(batch)
        signals.extend(s for s in detector.update_many(batch, now) if not s.details.get("progress"))
    matches = match_signals(signals, labels, "event", EVENT_LABEL_KINDS)
    score.events = len(matches)
    for k in range(1, copies):
        for inject in scenario.injects:
            if not isinstance(inject, Incident):
                continue
            onset = scenario.start + timedelta(seconds=parse_duration(inject.at) + k * scenario.duration_s)
            found = [(m.at - onset).total_seconds() for m in matches if m.label_id == f"d{k}:{inject.id}"]
            score.repeats += 1
            score.repeat_latencies_s.append(min(found) if found else None)
    score.open_events_at_end = int(detector.health()["open_events"])
    return score
