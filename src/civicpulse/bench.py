"""``civicpulse bench``: throughput and memory of the hot paths, as one JSON-able dict.

Targets (2-core machine like CI): ingest to SQLite >= 30,000 posts/s, scenario generation >= 50,000
posts/s, peak RSS < 400 MB while streaming 2 million posts. Targets live here and in
``docs/benchmarks.md``, never in timed unit tests.
"""

from __future__ import annotations

import platform
import resource
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any, ClassVar

import msgspec

from civicpulse.config import Settings
from civicpulse.pipeline.factory import build_pipeline, open_database
from civicpulse.post import Author, Post, encode_jsonl
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import load_scenario
from civicpulse.sources.base import Page, Source

__all__ = ["STAGES", "run_benchmarks"]

STAGES = ("post", "generate", "ingest", "pipeline")
BENCH_SCENARIO = "city-riot"
Progress = Callable[[str], None]


class _Capped(Source):
    """The first ``limit`` posts of a scenario, scaled up so that there are enough of them."""

    name: ClassVar[str] = "bench"

    def __init__(self, posts: int, seed: int = 7) -> None:
        scenario = load_scenario(BENCH_SCENARIO)
        scale = max(1.0, posts / max(1, scenario.expected_posts()) * 1.2)
        self._posts: Iterator[Post] = islice(ScenarioRun(scenario.scaled(scale), seed).posts(), posts)
        self._total = posts
        self._emitted = 0

    def fetch(self, cursor: str | None, limit: int) -> Page:
        chunk = list(islice(self._posts, limit))
        self._emitted += len(chunk)
        return Page(posts=chunk, cursor=str(self._emitted), done=len(chunk) < limit)

    def total_hint(self) -> int:
        return self._total


def _post_round_trip(count: int = 100_000) -> float:
    start = time.perf_counter()
    base = datetime(2026, 1, 1, tzinfo=UTC)
    posts = [Post(id=f"bench:{i}", platform="bench", created_at=base + timedelta(seconds=i),
                  author=Author(id=f"acct-{i % 5000}", followers=i % 977),
                  text=f"Road closed near the station after an incident #{i % 50}",
                  hashtags=(str(i % 50),)) for i in range(count)]
    encode_jsonl(posts)
    return time.perf_counter() - start


def _generate(posts: int) -> float:
    scenario = load_scenario(BENCH_SCENARIO)
    scale = max(1.0, posts / max(1, scenario.expected_posts()) * 1.2)
    start = time.perf_counter()
    produced = sum(1 for _ in islice(ScenarioRun(scenario.scaled(scale), 7).posts(), posts))
    return produced / (time.perf_counter() - start)


def _ingest(settings: Settings, posts: int, analysers: Sequence[str], folder: Path, label: str) -> float:
    local = msgspec.structs.replace(settings, database_url=f"sqlite:///{folder / (label + '.db')}",
                                    data_dir=str(folder))
    engine = open_database(local)
    pipeline = build_pipeline(local, _Capped(posts), engine, analysers=analysers)
    stats = pipeline.run()
    engine.dispose()
    return stats.stored / stats.elapsed_s if stats.elapsed_s else 0.0


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run_benchmarks(settings: Settings, posts: int = 200_000, stages: Sequence[str] = STAGES,
                   progress: Progress | None = None) -> dict[str, Any]:
    say = progress or (lambda _message: None)
    results: dict[str, Any] = {"posts": posts}
    with tempfile.TemporaryDirectory(prefix="civicpulse-bench-") as tmp:
        folder = Path(tmp)
        if "generate" in stages:
            say(f"generating {posts:,} scenario posts")
            results["scenario_generate_posts_per_s"] = round(_generate(posts))
        if "ingest" in stages:
            say(f"ingesting {posts:,} posts into SQLite with no analysers")
            results["ingest_store_posts_per_s"] = round(_ingest(settings, posts, (), folder, "ingest"))
        if "pipeline" in stages:
            say(f"ingesting {posts:,} posts through the default analysers ({', '.join(settings.analysers)})")
            results["pipeline_default_posts_per_s"] = round(
                _ingest(settings, posts, settings.analysers, folder, "pipeline"))
            results["default_analysers"] = list(settings.analysers)
        # Measured before the serialisation stage, which holds 100k posts in memory on purpose:
        # this is the peak while streaming.
        results["peak_rss_mb"] = _peak_rss_mb()
        if "post" in stages:
            say("building and serialising 100,000 posts")
            results["post_build_serialise_100k_s"] = round(_post_round_trip(), 3)
    results["machine"] = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    return results
