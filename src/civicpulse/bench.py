"""``civicpulse bench``: throughput and memory of the hot paths, as one JSON-able dict.

Targets (2-core machine like CI): ingest to SQLite >= 30,000 posts/s, scenario generation >= 50,000
posts/s, peak RSS < 400 MB while streaming 2 million posts, the default analyser chain >= 5,700
posts/s and all detectors together >= 10,000 posts/s on one core. Targets live here and in
``docs/benchmarks.md``, never in timed unit tests.

The detectors stage replays the bench scenario through every registered detector, as ``civicpulse eval
detection`` does, with the scenario's districts as the operation's area: the CPU time of each
detector on one core, the posts enriched beforehand by the analysers they require (timed apart).

Ingest reads the registered ``scenario`` source exactly as ``civicpulse ingest scenario`` does, so
with ``source_worker`` on (the default) it is generated in a worker process, and with
``store_worker`` on (the default) SQLite is written from another; set ``CIVICPULSE_SOURCE_WORKER``
and ``CIVICPULSE_STORE_WORKER`` to ``false`` to measure the single-process pipeline. Memory is
reported for the main process, the largest worker process, and the store's worker on its own.
"""

from __future__ import annotations

import platform
import resource
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import msgspec

from civicpulse.config import Settings
from civicpulse.detectors.area import AreaMap
from civicpulse.evaluation.detection import default_detectors, replay
from civicpulse.pipeline.factory import build_pipeline, open_database
from civicpulse.pipeline.store_worker import WorkerStoreWriter
from civicpulse.post import Author, Post, encode_jsonl
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import load_scenario
from civicpulse.sources.scenario import ScenarioSource

__all__ = ["STAGES", "run_benchmarks"]

STAGES = ("post", "generate", "ingest", "pipeline", "detectors")
BENCH_SCENARIO = "city-riot"
#: Ingest is measured as a governed ingest runs: each post linked to its operation (purpose binding).
BENCH_OPERATION = "op-bench"
Progress = Callable[[str], None]


def _scale(posts: int) -> float:
    """How much the bench scenario is scaled up so that it has at least ``posts`` posts."""
    return max(1.0, posts / max(1, load_scenario(BENCH_SCENARIO).expected_posts()) * 1.2)


def _bench_source(posts: int, seed: int = 7) -> ScenarioSource:
    """The first ``posts`` posts of the bench scenario, scaled up so that there are enough of them."""
    return ScenarioSource(BENCH_SCENARIO, seed=seed, scale=_scale(posts), max_posts=posts)


def _detectors(posts: int, seed: int = 7) -> dict[str, Any]:
    """Posts per CPU-second of all the registered detectors together, and µs a post of each."""
    scenario = load_scenario(BENCH_SCENARIO)
    detectors = default_detectors()
    area = AreaMap.of(scenario.area.districts)
    for detector in detectors:
        detector.use_area(area)
    result = replay(islice(ScenarioRun(scenario.scaled(_scale(posts)), seed).posts(), posts), detectors)
    done = max(1, result.posts)
    return {
        "detectors_posts_per_s": round(result.posts_per_s),
        "detectors_cpu_us_per_post": {name: round(s / done * 1e6, 1) for name, s in result.detector_s_by_name.items()},
        "detectors_required_analysers_posts_per_s": round(done / result.analyser_s) if result.analyser_s else None,
        "detectors_signals": len(result.signals),
    }


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
    scenario = load_scenario(BENCH_SCENARIO).scaled(_scale(posts))
    start = time.perf_counter()
    produced = sum(1 for _ in islice(ScenarioRun(scenario, 7).posts(), posts))
    return produced / (time.perf_counter() - start)


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _ingest(settings: Settings, posts: int, analysers: Sequence[str], folder: Path,
            label: str) -> tuple[float, dict[str, float], float]:
    """Posts stored per second; CPU microseconds per post in the main process, the source's worker
    and the store's worker; and the store worker's peak memory (MB).

    CPU per post is what a busy machine does not distort: on an otherwise idle machine the rate is
    bounded by the largest figure when each process has a core, and by the sum over the cores
    when they share them (three processes on two cores: about 2 / sum).
    """
    local = msgspec.structs.replace(settings, database_url=f"sqlite:///{folder / (label + '.db')}",
                                    data_dir=str(folder))
    engine = open_database(local)
    pipeline = build_pipeline(local, _bench_source(posts), engine, analysers=analysers,
                              operation_id=BENCH_OPERATION)
    main, workers = _cpu_s(resource.RUSAGE_SELF), _cpu_s(resource.RUSAGE_CHILDREN)
    stats = pipeline.run()
    main, workers = _cpu_s(resource.RUSAGE_SELF) - main, _cpu_s(resource.RUSAGE_CHILDREN) - workers
    # Both children have ended by now, so RUSAGE_CHILDREN holds both; the store's reports its own.
    store = pipeline.writer.child_cpu_s if isinstance(pipeline.writer, WorkerStoreWriter) else 0.0
    store_rss = pipeline.writer.child_peak_rss_mb if isinstance(pipeline.writer, WorkerStoreWriter) else 0.0
    engine.dispose()
    stored = max(1, stats.stored)
    cpu = {"main": round(main / stored * 1e6, 1), "worker": round((workers - store) / stored * 1e6, 1),
           "store": round(store / stored * 1e6, 1)}
    return (stats.stored / stats.elapsed_s if stats.elapsed_s else 0.0), cpu, round(store_rss, 1)


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process, or of the largest finished child (``RUSAGE_CHILDREN``)."""
    return round(resource.getrusage(who).ru_maxrss / 1024, 1)


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
            rate, cpu, store_rss = _ingest(settings, posts, (), folder, "ingest")
            results["ingest_store_posts_per_s"] = round(rate)
            results["ingest_cpu_us_per_post"] = cpu
            results["peak_rss_store_mb"] = store_rss
        if "pipeline" in stages:
            say(f"ingesting {posts:,} posts through the default analysers ({', '.join(settings.analysers)})")
            rate, cpu, store_rss = _ingest(settings, posts, settings.analysers, folder, "pipeline")
            results["peak_rss_store_mb"] = max(store_rss, results.get("peak_rss_store_mb", 0.0))
            results["pipeline_default_posts_per_s"] = round(rate)
            results["pipeline_cpu_us_per_post"] = cpu
            results["default_analysers"] = list(settings.analysers)
        if "detectors" in stages:
            say(f"replaying {posts:,} scenario posts through every detector")
            results.update(_detectors(posts))
        # Measured before the serialisation stage, which holds 100k posts in memory on purpose:
        # this is the peak while streaming.
        results["peak_rss_mb"] = _peak_rss_mb()
        results["peak_rss_worker_mb"] = _peak_rss_mb(resource.RUSAGE_CHILDREN)
        results["source_worker"] = settings.source_worker
        results["store_worker"] = settings.store_worker
        if "post" in stages:
            say("building and serialising 100,000 posts")
            results["post_build_serialise_100k_s"] = round(_post_round_trip(), 3)
    results["machine"] = f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    return results
