from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine

from civicpulse.analysers.base import Analyser
from civicpulse.detectors.base import Detector, Signal
from civicpulse.errors import PipelineError
from civicpulse.pipeline.runner import Pipeline
from civicpulse.post import Post
from civicpulse.sources.base import Page, Rejected, Source
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.queries import Reader
from civicpulse.store.writer import Prepared, StoreWriter, WriteResult
from civicpulse.testing import CollectingSink, FrozenClock, MemorySource, make_post


class Length(Analyser):
    name = "length"

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        return [len(p.text) for p in posts]


class Shout(Analyser):
    """Reads another analyser's output, and fails on one poisoned post."""

    name = "shout"
    requires = ("length",)

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        if any("poison" in p.text for p in posts):
            raise RuntimeError("cannot shout poison")
        return [p.enrichments["length/1"] > 3 for p in posts]


class Counter(Detector):
    name = "counter"
    requires = ("length",)

    def __init__(self) -> None:
        self.seen_at: list[datetime] = []

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        self.seen_at.append(now)
        return [Signal("counter", "volume", "all", now, f"{len(posts)} posts")]


def pipeline(engine: Engine, source: Source, **kwargs: Any) -> Pipeline:
    return Pipeline(source, StoreWriter(engine), Pseudonymiser(b"k" * 32), **kwargs)


def test_posts_flow_through_analysers_detectors_and_sinks(engine: Engine) -> None:
    clock, sink, counter = FrozenClock(), CollectingSink(), Counter()
    items = [make_post(i, "hello there") for i in range(50)]
    stats = pipeline(engine, MemorySource(items), analysers=[Length(), Shout()], detectors=[counter],
                     sinks=[sink], batch_size=20, cursor_name="mem", clock=clock).run()
    assert (stats.read, stats.stored, stats.quarantined) == (50, 50, 0)
    stored = Reader(engine).get("test:7")
    assert stored is not None
    assert stored.enrichments == {"length/1": 11, "shout/1": True}
    assert stored.author.id.startswith("ps:")
    assert len(sink.posts) == 50
    assert sink.signals
    assert set(counter.seen_at) == {clock.now}
    assert Reader(engine).cursor("mem") == "50"


class Recorder(Detector):
    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[list[datetime], datetime]] = []

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        self.calls.append(([p.created_at for p in posts], now))
        return []


def test_detectors_see_a_long_batch_in_short_steps_of_stream_time(engine: Engine) -> None:
    """A batch read at full speed spans minutes; fed whole with its newest time as now, a detector
    with a two-minute window would drop its older posts as out of date."""
    recorder = Recorder()
    busy = [make_post(n) for n in range(600)]  # ten minutes, a post a second
    quiet_then_more = [make_post(600 + 3600 + n) for n in range(3)]  # an hour later, the stream goes on
    items = [*busy[300:], *busy[:300], *quiet_then_more]  # out of order, as some exports are
    pipeline(engine, MemorySource(items), detectors=[recorder], batch_size=1000).run()
    seen = [t for times, _ in recorder.calls for t in times]
    assert len(seen) == 603  # every post once ...
    assert sorted(seen) == seen  # ... in time order
    for times, now in recorder.calls:
        assert all(0 < (now - t).total_seconds() <= 2.0 for t in times)  # each within its step
    nows = [now for _, now in recorder.calls]
    assert nows == sorted(nows)
    # The quiet hour costs one call a minute, not one every two seconds.
    assert sum(1 for times, _ in recorder.calls if not times) <= 61


@pytest.mark.parametrize("batch_size", [1, 7, 250])
def test_the_detectors_steps_do_not_depend_on_how_the_stream_was_batched(engine: Engine, batch_size: int) -> None:
    """A scenario replayed at any speed cuts its batches elsewhere (by size, or by the latency
    limit); the detectors must still be called with the same posts at the same stream times."""
    items = [make_post(n * 3 // 2, author=f"acct-{n % 5}") for n in range(400)]
    items += [make_post(900 + n, author=f"acct-{n}") for n in range(3)]  # after a quiet stretch
    whole, cut = Recorder(), Recorder()
    pipeline(engine, MemorySource(items), detectors=[whole], batch_size=10_000).run()
    pipeline(engine, MemorySource(items), detectors=[cut], batch_size=batch_size).run()
    assert cut.calls == whole.calls
    assert sum(len(times) for times, _ in whole.calls) == len(items)


def test_a_post_dated_hours_ahead_does_not_move_the_detectors_clock(engine: Engine) -> None:
    """A feed with the wrong time zone, or a forged date: one post three hours ahead must not put
    every later post out of the detectors' windows. It waits for the stream to reach its time and,
    at the end of the stream, is shown at the last step's time, where a detector counts it as dated
    in the future."""
    recorder = Recorder()
    items = [make_post(n, author=f"acct-{n % 7}") for n in range(600)]
    items[100] = make_post(100, author="wrong-clock", at=items[100].created_at + timedelta(hours=3))
    stats = pipeline(engine, MemorySource(items), detectors=[recorder], batch_size=50).run()
    assert (stats.dated_ahead, stats.shown_early) == (1, 1)
    assert stats.stream_time == items[-1].created_at + timedelta(seconds=1)  # the last step's end, not 3 h on
    nows = [now for _, now in recorder.calls]
    assert max(nows) <= items[-1].created_at + timedelta(seconds=2)
    seen = [t for times, _ in recorder.calls for t in times]
    assert len(seen) == 600
    assert recorder.calls[-1][0][-1] == items[100].created_at  # shown last, at the stream's own time


def test_a_post_that_breaks_an_analyser_is_quarantined_and_the_rest_go_on(engine: Engine) -> None:
    items: list[Post | Rejected] = [make_post(i, "fine text") for i in range(10)]
    items[4] = make_post(4, "poison pill")
    items.append(Rejected.of("malformed JSON", b"{", location="x:1"))
    stats = pipeline(engine, MemorySource(items), analysers=[Length(), Shout()], batch_size=100).run()
    assert (stats.stored, stats.quarantined) == (9, 2)
    assert stats.quarantine_by_stage == {"analyse:shout": 1, "parse": 1}
    reasons = {r.stage: r.reason for r in Reader(engine).quarantined()}
    assert reasons["analyse:shout"] == "RuntimeError: cannot shout poison"
    assert Reader(engine).get("test:4") is None


def test_order_is_checked_when_the_pipeline_is_built(engine: Engine) -> None:
    with pytest.raises(PipelineError, match="needs 'length'"):
        pipeline(engine, MemorySource([]), analysers=[Shout(), Length()])
    with pytest.raises(PipelineError, match="detector 'counter'"):
        pipeline(engine, MemorySource([]), detectors=[Counter()])


def test_resume_from_the_stored_cursor_gives_no_gaps_and_no_duplicates(engine: Engine) -> None:
    items = [make_post(i) for i in range(100)]
    first = pipeline(engine, MemorySource(items[:40]), batch_size=15, cursor_name="mem").run()
    cursor = Reader(engine).cursor("mem")
    second = pipeline(engine, MemorySource(items), batch_size=15, cursor_name="mem").run(cursor)
    assert first.stored + second.stored == 100
    assert second.duplicates == 0
    assert sorted(Reader(engine).all_ids()) == sorted(p.id for p in items)


class SlowFirstWrite(StoreWriter):
    """Stalls on its first write, as a busy store does, and records the size of each transaction."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.sizes: list[int] = []

    def write_prepared(self, batch: Prepared) -> WriteResult:
        if not self.sizes:
            time.sleep(0.3)
        self.sizes.append(len(batch.posts))
        return super().write_prepared(batch)


def test_batches_waiting_for_the_store_go_into_one_transaction(engine: Engine) -> None:
    writer, sink = SlowFirstWrite(engine), CollectingSink()
    items = [make_post(i) for i in range(200)]
    stats = Pipeline(MemorySource(items), writer, Pseudonymiser(b"k" * 32), batch_size=20, sinks=[sink],
                     cursor_name="group").run()
    assert (stats.stored, stats.batches) == (200, 10)
    assert sum(writer.sizes) == 200
    assert len(writer.sizes) < 10
    assert max(writer.sizes) > 20
    assert [p.id for p in sink.posts] == [p.id for p in items]
    assert Reader(engine).cursor("group") == "200"


class SlowEndless(Source):
    """An endless live source that hands out one post per fetch."""

    name: ClassVar[str] = "slow"

    def __init__(self) -> None:
        self.n = 0
        self.started = threading.Event()

    def fetch(self, cursor: str | None, limit: int) -> Page:
        self.n += 1
        self.started.set()
        return Page(posts=[make_post(self.n)], cursor=str(self.n))


def test_stop_flushes_everything_already_read(engine: Engine) -> None:
    source = SlowEndless()
    runner = pipeline(engine, source, batch_size=10_000, max_latency_s=60, cursor_name="slow")
    threading.Timer(0.3, runner.stop).start()
    stats = runner.run()
    assert stats.stored == stats.read > 0
    assert Reader(engine).cursor("slow") == str(stats.stored)


def test_max_latency_flushes_partial_batches(engine: Engine) -> None:
    source = SlowEndless()
    runner = pipeline(engine, source, batch_size=10_000, max_latency_s=0.05)
    seen: list[int] = []

    def progress(stats: Any) -> None:
        seen.append(stats.stored)
        if len(seen) >= 3:
            runner.stop()

    runner.run(progress=progress)
    assert len(seen) >= 3


class Exploding(Source):
    name: ClassVar[str] = "exploding"

    def fetch(self, cursor: str | None, limit: int) -> Page:
        raise OSError("disk vanished")


def test_a_failing_source_stops_the_pipeline_with_its_error(engine: Engine) -> None:
    with pytest.raises(OSError, match="disk vanished"):
        pipeline(engine, Exploding()).run()


class Broken(Detector):
    name = "broken"

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        raise ZeroDivisionError


def test_a_failing_detector_does_not_stop_ingestion(engine: Engine) -> None:
    stats = pipeline(engine, MemorySource([make_post(1)]), detectors=[Broken()]).run()
    assert (stats.stored, stats.detector_errors) == (1, 1)
