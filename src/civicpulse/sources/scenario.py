"""The ``scenario`` source: a generated exercise scenario, optionally paced in (accelerated) real time.

The cursor is the number of posts already emitted. Generation is deterministic for a seed, so
resuming regenerates the stream and skips what was delivered — cheaply, because skipped posts are
never written out (see :meth:`ScenarioRun.posts`) — which keeps the source stateless and crash-safe.

With a ``speed``, :meth:`ScenarioSource.fetch` returns only the posts that are due and waits at most
``max_wait`` seconds for the next one, so a paced page may hold fewer than ``limit`` posts, or none.

With a ``truth_dir``, labels stream to ``truth_dir/truth.jsonl`` (truncated on a fresh start,
appended to on a resume; a post re-delivered after a crash may therefore appear twice, so readers
should de-duplicate lines) and the summary goes to ``truth_dir/truth.json`` when the stream ends.

With ``max_posts``, the stream ends after that many posts (benchmarks, smoke tests). A scenario given
by name, without a ``truth_dir`` that the caller reads back, can be rebuilt in a worker process
(:meth:`ScenarioSource.spec`), which is how ingest generates on one core and stores on the other.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, ClassVar

from civicpulse.errors import UsageError
from civicpulse.post import Post
from civicpulse.registry import sources
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.replay import Pacer
from civicpulse.scenarios.spec import Scenario
from civicpulse.scenarios.truth import TruthSink, TruthSummary, encode_summary
from civicpulse.sources.base import Page, Source, SourceSpec

__all__ = ["ScenarioSource"]


@sources.register("scenario")
class ScenarioSource(Source):
    name: ClassVar[str] = "scenario"

    def __init__(self, scenario: str | Scenario = "city-riot", seed: int = 0, speed: float | None = None,
                 scale: float = 1.0, truth_dir: Path | None = None, *, max_posts: int | None = None,
                 max_wait: float = 0.5, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        if speed is not None and not speed > 0:
            raise UsageError("the replay speed must be positive", fix="use e.g. --speed 60, or omit it for maximum")
        if not scale > 0:
            raise UsageError("the scale must be positive", fix="use e.g. --scale 0.1 for a tenth of the posts")
        if max_posts is not None and max_posts < 0:
            raise UsageError("max_posts must not be negative", fix="omit it to generate the whole scenario")
        loaded = load_scenario(scenario) if isinstance(scenario, str) else scenario
        self.scenario = loaded.scaled(scale) if scale != 1.0 else loaded
        # Kept to rebuild the source in a worker process (see spec()).
        self._arguments: tuple[str | Scenario, float] = (scenario, scale)
        self.seed = seed
        self.max_posts = max_posts
        self.speed = speed
        self.truth_dir = truth_dir
        self.max_wait = max_wait
        self._sleep = sleep
        self._monotonic = monotonic
        self._default_clock = sleep is time.sleep and monotonic is time.monotonic
        self._run: ScenarioRun | None = None
        self._stream: Iterator[Post] | None = None
        self._next: Post | None = None
        self._position = 0
        self._pacer: Pacer | None = None
        self._truth_file: IO[bytes] | None = None

    def fetch(self, cursor: str | None, limit: int) -> Page:
        position = _position(cursor)
        if self._stream is None or position != self._position:
            self._open(position)
        posts: list[Post] = []
        done = False
        if self.max_posts is not None:
            limit = min(limit, max(0, self.max_posts - position))
        while len(posts) < limit:
            post = self._peek()
            if post is None:
                done = True
                break
            if self._pacer is not None:
                wait = self._pacer.wait(post)
                if wait > 0:
                    if posts:
                        break  # deliver what is due now; the rest comes with the next page
                    self._sleep(min(wait, self.max_wait))
                    if self._pacer.wait(post) > 0:
                        break  # nothing due yet: an empty page, as a live source gives
            posts.append(post)
            self._next = None
        # Look one post ahead so that the page that empties the stream says so (no empty last page).
        self._position += len(posts)
        done = done or self._position == self.max_posts or self._peek() is None
        if done:
            self._finish()
        elif self._truth_file is not None:
            self._truth_file.flush()
        return Page(posts=posts, cursor=str(self._position), done=done,
                    stream_time=posts[-1].created_at.timestamp() if posts else None)

    def truth_summary(self) -> TruthSummary:
        """Ground truth of the run so far (post counts are complete once the source is exhausted)."""
        if self._run is None:
            self._run = ScenarioRun(self.scenario, self.seed)
        return self._run.summary()

    def describe(self) -> str:
        pace = "max speed" if self.speed is None else f"{self.speed:g}x"
        return f"scenario {self.scenario.name} (seed {self.seed}, {pace})"

    def total_hint(self) -> int:
        expected = self.scenario.expected_posts()
        return expected if self.max_posts is None else min(expected, self.max_posts)

    def spec(self) -> SourceSpec | None:
        scenario, scale = self._arguments
        # A Scenario object, injected clocks or ground truth read back by the caller stay in-process.
        if not isinstance(scenario, str) or not self._default_clock or self.truth_dir is not None:
            return None
        options: dict[str, object] = {"seed": self.seed, "speed": self.speed, "scale": scale,
                                      "max_posts": self.max_posts, "max_wait": self.max_wait}
        return SourceSpec(name=self.name, module=type(self).__module__, args=(scenario,), options=options)

    def close(self) -> None:
        if self._truth_file is not None:
            self._truth_file.close()
            self._truth_file = None

    # -- internals -------------------------------------------------------------------------------------

    def _open(self, position: int) -> None:
        self.close()
        sink = None
        if self.truth_dir is not None:
            self.truth_dir.mkdir(parents=True, exist_ok=True)
            self._truth_file = (self.truth_dir / "truth.jsonl").open("ab" if position else "wb")
            sink = TruthSink(self._truth_file)
        self._run = ScenarioRun(self.scenario, self.seed, sink)
        self._stream = self._run.posts(skip=position)
        self._next = None
        self._position = position
        self._pacer = Pacer(self.speed, self._monotonic) if self.speed is not None else None

    def _peek(self) -> Post | None:
        if self._next is None and self._stream is not None:
            self._next = next(self._stream, None)
        return self._next

    def _finish(self) -> None:
        self.close()
        if self.truth_dir is not None and self._run is not None:
            (self.truth_dir / "truth.json").write_bytes(encode_summary(self._run.summary()))


def _position(cursor: str | None) -> int:
    if cursor is None or cursor == "":
        return 0
    try:
        position = int(cursor)
    except ValueError:
        position = -1
    if position < 0:
        raise UsageError(f"not a scenario cursor: {cursor!r}",
                         fix="a scenario cursor is the number of posts already read; start again without one")
    return position
