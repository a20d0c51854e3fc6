"""The ``scenario`` source: a generated exercise scenario, optionally paced in (accelerated) real time.

The cursor is the number of posts already emitted. Generation is deterministic for a seed, so
resuming regenerates the stream and skips what was delivered (fast: generation runs at tens of
thousands of posts per second), which keeps the source stateless and crash-safe.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import IO, ClassVar

import msgspec

from civicpulse.errors import UsageError
from civicpulse.post import Post
from civicpulse.registry import sources
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.replay import replay
from civicpulse.scenarios.spec import Scenario
from civicpulse.scenarios.truth import TruthSink, TruthSummary
from civicpulse.sources.base import Page, Source

__all__ = ["ScenarioSource"]


@sources.register("scenario")
class ScenarioSource(Source):
    name: ClassVar[str] = "scenario"

    def __init__(self, scenario: str | Scenario = "city-riot", seed: int = 0, speed: float | None = None,
                 scale: float = 1.0, truth_dir: Path | None = None) -> None:
        if speed is not None and speed <= 0:
            raise UsageError("the replay speed must be positive", fix="use e.g. --speed 60, or omit it for maximum")
        loaded = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self.scenario = loaded.scaled(scale) if scale != 1.0 else loaded
        self.seed = seed
        self.speed = speed
        self.truth_dir = truth_dir
        self._run: ScenarioRun | None = None
        self._posts: Iterator[Post] | None = None
        self._position = 0
        self._truth_file: IO[bytes] | None = None

    def _start(self, skip: int) -> Iterator[Post]:
        sink = None
        if self.truth_dir is not None and skip == 0:
            self.truth_dir.mkdir(parents=True, exist_ok=True)
            self._truth_file = (self.truth_dir / "truth.jsonl").open("wb")
            sink = TruthSink(self._truth_file)
        self._run = ScenarioRun(self.scenario, self.seed, sink)
        stream = self._run.posts()
        for _ in islice(stream, skip):
            pass
        return replay(stream, self.speed)

    def fetch(self, cursor: str | None, limit: int) -> Page:
        start = int(cursor or 0)
        if self._posts is None or start != self._position:
            self._posts = self._start(start)
            self._position = start
        chunk = list(islice(self._posts, limit))
        self._position += len(chunk)
        done = len(chunk) < limit
        if done:
            self._finish()
        return Page(posts=chunk, cursor=str(self._position), done=done,
                    stream_time=chunk[-1].created_at.timestamp() if chunk else None)

    def _finish(self) -> None:
        if self._truth_file is not None:
            self._truth_file.close()
            self._truth_file = None
            if self.truth_dir is not None:


                (self.truth_dir / "truth.json").write_bytes(
                    msgspec.json.format(msgspec.json.encode(self.truth_summary())))

    def truth_summary(self) -> TruthSummary:
        """Ground truth of the run so far (complete once the source is exhausted)."""
        if self._run is None:
            self._run = ScenarioRun(self.scenario, self.seed)
        return self._run.summary()

    def describe(self) -> str:
        pace = "max speed" if self.speed is None else f"{self.speed:g}x"
        return f"scenario {self.scenario.name} (seed {self.seed}, {pace})"

    def total_hint(self) -> int:
        return self.scenario.expected_posts()

    def close(self) -> None:
        if self._truth_file is not None:
            self._truth_file.close()
            self._truth_file = None
