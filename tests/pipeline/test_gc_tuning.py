from __future__ import annotations

import gc
import itertools
from pathlib import Path

from civicpulse.config import Settings
from civicpulse.evaluation.detection import default_detectors, required_analysers
from civicpulse.pipeline.chain import build_analysers
from civicpulse.pipeline.gc_tuning import STREAMING_GC_THRESHOLD, streaming_gc
from civicpulse.pipeline.runner import Pipeline
from civicpulse.post import Post
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.truth import MemoryTruthSink
from civicpulse.store.database import connect, upgrade
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.writer import StoreWriter
from civicpulse.testing import MemorySource


def test_the_threshold_is_raised_while_streaming_and_restored_by_the_last_user() -> None:
    before = gc.get_threshold()
    with streaming_gc():
        assert gc.get_threshold()[0] == max(before[0], STREAMING_GC_THRESHOLD)
        with streaming_gc():
            pass
        assert gc.get_threshold()[0] == max(before[0], STREAMING_GC_THRESHOLD), "an inner user must not restore"
    assert gc.get_threshold() == before


def test_a_higher_threshold_set_by_the_application_is_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(STREAMING_GC_THRESHOLD * 2, before[1], before[2])
    try:
        with streaming_gc():
            assert gc.get_threshold()[0] == STREAMING_GC_THRESHOLD * 2
    finally:
        gc.set_threshold(*before)


def test_a_pipeline_run_leaves_almost_no_cyclic_garbage(tmp_path: Path) -> None:
    # Why the streaming threshold can be high: objects die by reference counting, and only garbage
    # in reference cycles waits for a collection. A few come from SQLAlchemy per batch, none per post.
    posts = list(itertools.islice(ScenarioRun(load_scenario("city-riot"), 3, MemoryTruthSink()).posts(), 2500))
    engine = connect(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine)
    settings = Settings()
    detectors = default_detectors()

    def run(items: list[Post]) -> int:
        pipeline = Pipeline(MemorySource(items), StoreWriter(engine), Pseudonymiser(b"k" * 32),
                            analysers=[*build_analysers(settings.analysers, settings), *required_analysers(detectors)],
                            detectors=detectors, batch_size=250, max_latency_s=0.05)
        return pipeline.run().stored

    run(posts[:500])  # models loaded and caches filled first
    gc.collect()
    gc.disable()
    try:
        stored = run(posts[500:])
        garbage = gc.collect()
    finally:
        gc.enable()
        engine.dispose()
    assert stored == 2000
    assert garbage < stored / 20, f"{garbage} objects in reference cycles for {stored} posts"
