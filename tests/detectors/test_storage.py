"""Signals and detector state in the database, and the event detector inside a real pipeline."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func, select

from civicpulse.config import Settings
from civicpulse.detectors.area import AreaMap
from civicpulse.detectors.base import Signal
from civicpulse.detectors.events import EventDetector, EventSettings
from civicpulse.detectors.storage import SignalStore, build_detectors, load_signals, save_detectors
from civicpulse.pipeline.factory import build_pipeline
from civicpulse.store.schema import detector_state
from civicpulse.testing import MemorySource
from tests.detectors.test_events import START, TOWN, burst, chatter


def test_signals_round_trip_and_hostile_details_are_bounded(engine: Engine) -> None:
    store = SignalStore(engine, [])
    signal = Signal(detector="events", kind="event", key="event-1", at=START, summary="<b>fire</b>",
                    post_ids=("a", "b"), details={"title": "fire", "blob": "x" * 100_000})
    store.consume([], [signal])
    [back] = load_signals(engine, kind="event")
    assert (back.key, back.at, back.summary, back.post_ids) == ("event-1", START, "<b>fire</b>", ("a", "b"))
    assert back.details == {"truncated": True, "title": "fire"}


def test_state_is_saved_and_restored_by_build_detectors(engine: Engine) -> None:
    detector = EventDetector()
    detector.update_many(list(chatter(300)), START + timedelta(seconds=300))
    save_detectors(engine, [detector], START)
    save_detectors(engine, [detector], START)  # replaces, never duplicates
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(detector_state)).scalar() == 1
    [restored] = build_detectors(["events"], engine)
    assert restored.snapshot() == detector.snapshot()


def test_the_detectors_are_given_the_operations_area() -> None:
    [events, _rumours] = build_detectors(["events", "rumours"], area=TOWN)
    assert isinstance(events, EventDetector)
    assert events.area is TOWN
    [events] = build_detectors(["events"], area=AreaMap([]))
    assert isinstance(events, EventDetector)
    assert events.area is None


def test_the_pipeline_runs_detectors_and_stores_their_signals(engine: Engine) -> None:
    posts = sorted([*chatter(1800), *burst(1200, 40)], key=lambda p: p.created_at)
    detectors = [EventDetector(EventSettings(warmup_s=600))]
    store = SignalStore(engine, detectors, snapshot_every_s=600)
    settings = Settings(pseudonym_key="k" * 32, batch_size=200, analysers=())
    pipeline = build_pipeline(settings, MemorySource(posts), engine, detectors=detectors, sinks=[store])
    stats = pipeline.run()
    store.flush()
    assert stats.detector_errors == 0
    stored = load_signals(engine, kind="event")
    assert stored
    assert stored[0].details["status"] == "emerging"
    assert any("warehouse" in s.details["terms"] for s in stored)
    with engine.connect() as connection:
        assert connection.execute(select(detector_state.c.name)).scalars().all() == ["events"]
