"""Score the rumour detector on a scenario's ground truth: recall, time to detect, time to see the denial.

The scenario is generated in memory (:class:`~civicpulse.scenarios.ScenarioRun` with a
:class:`~civicpulse.scenarios.MemoryTruthSink`) and fed to the detector in stream order, in batches
cut at ``batch_posts`` posts or ``batch_s`` seconds of stream time, with ``now`` = the newest post's
time (what the pipeline passes when no clock is injected). A rumour signal *matches* a ground-truth
rumour when most of its ``post_ids`` carry that rumour's label; a rumour is *detected* by its first
matching signal, and its denial is *recognised* by the first matching signal whose status is
``denied``. Signals matching no rumour are counted as false rumours.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from civicpulse.detectors.base import Signal
from civicpulse.detectors.rumours import RumourDetector
from civicpulse.scenarios import MemoryTruthSink, Scenario, ScenarioRun

__all__ = ["RumourScore", "score_rumours"]


@dataclass
class RumourScore:
    scenario: str
    posts: int
    duration_s: float
    rumours: int
    detected: int
    #: Per ground-truth rumour: id, onset, seconds to detect, seconds from denial to recognising it.
    per_rumour: list[dict[str, Any]] = field(default_factory=list)
    #: Distinct detector rumour keys whose signals match no ground-truth rumour.
    false_rumours: int = 0
    false_rumour_titles: list[str] = field(default_factory=list)
    posts_per_s: float = 0.0

    @property
    def recall(self) -> float | None:
        return self.detected / self.rumours if self.rumours else None


def _batches(posts: list[Any], batch_posts: int, batch_s: float) -> list[list[Any]]:
    out: list[list[Any]] = []
    current: list[Any] = []
    for post in posts:
        if current and (len(current) >= batch_posts
                        or (post.created_at - current[0].created_at).total_seconds() >= batch_s):
            out.append(current)
            current = []
        current.append(post)
    if current:
        out.append(current)
    return out


def score_rumours(scenario: Scenario, seed: int = 0, *, detector: RumourDetector | None = None,
                  batch_posts: int = 2000, batch_s: float = 30.0) -> RumourScore:
    sink = MemoryTruthSink()
    run = ScenarioRun(scenario, seed, sink)
    posts = list(run.posts())
    summary = run.summary()
    labels = {pid: lid for pid, kind, lid in sink.labels if kind == "rumour"}
    detector = detector or RumourDetector()
    signals: list[Signal] = []
    elapsed = 0.0
    for batch in _batches(posts, batch_posts, batch_s):
        now = max(p.created_at for p in batch)
        started = time.perf_counter()
        signals += detector.update_many(batch, now)
        elapsed += time.perf_counter() - started
    truth = {r.id: r for r in summary.rumours}
    detected_at: dict[str, float] = {}
    denial_seen_at: dict[str, float] = {}
    false_keys: dict[str, str] = {}
    for signal in signals:
        votes = Counter(labels.get(pid) for pid in signal.post_ids)
        label, count = votes.most_common(1)[0] if votes else (None, 0)
        if label is None or label not in truth or count * 2 <= len(signal.post_ids):
            false_keys.setdefault(signal.key, str(signal.details.get("title", ""))[:80])
            continue
        t = (signal.at - summary.start).total_seconds()
        detected_at.setdefault(label, t)
        if signal.details.get("status") == "denied":
            denial_seen_at.setdefault(label, t)
    per_rumour = []
    for rid, r in truth.items():
        row: dict[str, Any] = {"id": rid, "title": r.title, "onset_s": r.onset_s, "posts": r.posts,
                               "detect_s": None, "denial_s": r.denial_s, "denial_recognised_s": None}
        if rid in detected_at:
            row["detect_s"] = round(detected_at[rid] - r.onset_s, 1)
        if rid in denial_seen_at and r.denial_s is not None:
            row["denial_recognised_s"] = round(denial_seen_at[rid] - r.denial_s, 1)
        per_rumour.append(row)
    return RumourScore(scenario=scenario.name, posts=len(posts), duration_s=summary.duration_s,
                       rumours=len(truth), detected=sum(1 for rid in truth if rid in detected_at),
                       per_rumour=per_rumour, false_rumours=len(false_keys),
                       false_rumour_titles=sorted(set(false_keys.values()))[:10],
                       posts_per_s=len(posts) / elapsed if elapsed else 0.0)
