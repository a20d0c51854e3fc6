"""Ground truth written beside the stream, so that detectors can be scored.

Labels never travel inside a post (that would leak the answer to the detectors): they go to
``truth.jsonl`` (one line per labelled post) as posts are generated, and a summary of every inject
(ids, onsets, true locations, denial times, post counts) goes to ``truth.json``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import msgspec

from civicpulse.post import encode_jsonl

__all__ = ["GenerationResult", "InjectTruth", "TruthSink", "TruthSummary", "write_scenario"]

LABEL_KINDS = ("incident", "rumour", "denial", "hate_wave", "appeal", "tip", "coordinated")


class InjectTruth(msgspec.Struct, kw_only=True):
    id: str
    kind: str
    title: str
    onset: datetime
    district: str | None = None
    lat: float | None = None
    lon: float | None = None
    #: Rumours: when and by which post the official denial came.
    denial_at: datetime | None = None
    denial_post_id: str | None = None
    #: Appeals: the official appeal post that replies and tips answer.
    post_id: str | None = None
    posts: int = 0


class TruthSummary(msgspec.Struct, kw_only=True):
    scenario: str
    seed: int
    start: datetime
    end: datetime
    posts: int = 0
    incidents: list[InjectTruth] = msgspec.field(default_factory=list)
    rumours: list[InjectTruth] = msgspec.field(default_factory=list)
    hate_waves: list[InjectTruth] = msgspec.field(default_factory=list)
    appeals: list[InjectTruth] = msgspec.field(default_factory=list)
    coordinated: list[InjectTruth] = msgspec.field(default_factory=list)

    def all(self) -> list[InjectTruth]:
        return [*self.incidents, *self.rumours, *self.hate_waves, *self.appeals, *self.coordinated]


class TruthSink:
    """Receives (post id, label kind, label id) as posts are generated; streams them to a file."""

    def __init__(self, out: IO[bytes] | None = None) -> None:
        self._out = out
        self._encoder = msgspec.json.Encoder()

    def label(self, post_id: str, kind: str, label_id: str) -> None:
        if self._out is not None:
            self._out.write(self._encoder.encode({"post_id": post_id, "label_kind": kind, "label_id": label_id}))
            self._out.write(b"\n")


@dataclass(frozen=True)
class GenerationResult:
    posts: int
    seconds: float
    posts_path: Path
    truth_path: Path
    summary_path: Path


def write_scenario(scenario: object, seed: int, out_dir: Path) -> GenerationResult:
    """Write ``posts.jsonl``, ``truth.jsonl`` and ``truth.json`` for ``scenario`` into ``out_dir``."""
    from civicpulse.scenarios.generator import ScenarioRun
    from civicpulse.scenarios.spec import Scenario

    assert isinstance(scenario, Scenario)
    out_dir.mkdir(parents=True, exist_ok=True)
    posts_path, truth_path, summary_path = out_dir / "posts.jsonl", out_dir / "truth.jsonl", out_dir / "truth.json"
    started = time.perf_counter()
    count = 0
    with posts_path.open("wb") as posts_out, truth_path.open("wb") as truth_out:
        run = ScenarioRun(scenario, seed, TruthSink(truth_out))
        batch = []
        for post in run.posts():
            batch.append(post)
            if len(batch) == 5000:
                posts_out.write(encode_jsonl(batch))
                count += len(batch)
                batch.clear()
        posts_out.write(encode_jsonl(batch))
        count += len(batch)
    summary_path.write_bytes(msgspec.json.format(msgspec.json.encode(run.summary())))
    return GenerationResult(count, time.perf_counter() - started, posts_path, truth_path, summary_path)
