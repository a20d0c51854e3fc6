"""The pipeline runner: source -> pseudonymiser -> analysers -> detectors -> store and sinks.

Three threads joined by bounded queues, so memory does not grow with the stream:

    reader  --pages-->  processor  --rows-->  writer
    (fetch)             (pseudonymise,        (one transaction per batch, or per group of the
                         analyse, detect,      batches waiting for it; cursor included; sinks)
                         rows for the store)

The source may be read in a worker process (:mod:`civicpulse.pipeline.worker`) and an SQLite file
written from another (:mod:`civicpulse.pipeline.store_worker`), so that generating, processing and
storing each get a core; otherwise the writer thread's database work overlaps with the rest only
where it releases the GIL. A batch is cut when it holds ``batch_size`` posts or when its first
post has waited ``max_latency_s``. Stopping (SIGINT/SIGTERM through :meth:`Pipeline.stop`) ends
reading; everything already read is still analysed and written before :meth:`Pipeline.run` returns.

Delivery is at-least-once: the cursor after a batch is committed with that batch, so a crash
re-delivers at most the batches in flight, and the store ignores ids it already has.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Protocol

from civicpulse.analysers.base import Analyser
from civicpulse.detectors.base import Detector, Signal
from civicpulse.detectors.stream_clock import StreamClock
from civicpulse.errors import CivicpulseError
from civicpulse.pipeline.chain import check_order
from civicpulse.pipeline.gc_tuning import streaming_gc
from civicpulse.post import Post, encode_post, with_results
from civicpulse.sources.base import Page, Rejected, Source
from civicpulse.store.pseudonym import Pseudonymiser
from civicpulse.store.writer import Batch, BatchWriter, Prepared

__all__ = ["Pipeline", "PipelineStats", "Sink", "apply_analysers"]

Clock = Callable[[], datetime]


class Sink(Protocol):
    """Anything that wants each stored batch (dashboard feed, exporters)."""

    def consume(self, posts: Sequence[Post], signals: Sequence[Signal]) -> None: ...


@dataclass(frozen=True, slots=True)
class PipelineStats:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    batches: int = 0
    signals: int = 0
    detector_errors: int = 0
    #: Posts dated too far ahead of the stream to move its time (a wrong clock, a forged date): the
    #: detectors saw them when the stream reached their date, or ``shown_early`` of them before it.
    dated_ahead: int = 0
    shown_early: int = 0
    #: Stream time of the newest post processed (the scenario clock during a replay); with
    #: detectors, the latest ``now`` they were given.
    stream_time: datetime | None = None
    elapsed_s: float = 0.0
    done: bool = False
    #: Reasons counted by stage, e.g. {"parse": 3, "analyse:sentiment": 1}.
    quarantine_by_stage: dict[str, int] = field(default_factory=dict)

    @property
    def posts_per_s(self) -> float:
        return self.stored / self.elapsed_s if self.elapsed_s > 0 else 0.0


_END = object()
#: Prepared batches that may wait for the store; those waiting are written as one transaction.
_WRITE_QUEUE = 4


@dataclass(frozen=True, slots=True)
class _Pending:
    batch: Batch
    prepared: Prepared
    signals: list[Signal]


class Pipeline:
    def __init__(
        self,
        source: Source,
        writer: BatchWriter,
        pseudonymiser: Pseudonymiser,
        *,
        analysers: Sequence[Analyser] = (),
        detectors: Sequence[Detector] = (),
        sinks: Sequence[Sink] = (),
        batch_size: int = 2000,
        max_latency_s: float = 0.5,
        queue_batches: int = 4,
        cursor_name: str | None = None,
        clock: Clock | None = None,
    ) -> None:
        check_order(analysers, detectors)
        self.source = source
        self.writer = writer
        self.pseudonymiser = pseudonymiser
        self.analysers = list(analysers)
        self.detectors = list(detectors)
        self.sinks = list(sinks)
        self.batch_size = batch_size
        self.max_latency_s = max_latency_s
        self.cursor_name = cursor_name
        self.clock = clock
        #: Stream time from the posts' dates when no clock is given: one grid of steps for the run.
        self._stream_clock = StreamClock()
        self._uses_stream_clock = bool(self.detectors) and clock is None
        self._pages: queue.Queue[Page | object] = queue.Queue(maxsize=queue_batches)
        self._batches: queue.Queue[_Pending | object] = queue.Queue(maxsize=_WRITE_QUEUE)
        self._stopping = threading.Event()
        self._failure: BaseException | None = None
        self._stats = PipelineStats()
        self._lock = threading.Lock()
        self._started = 0.0

    # -- control ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop reading; what was read is still processed and stored. Safe from a signal handler."""
        self._stopping.set()

    @property
    def stats(self) -> PipelineStats:
        with self._lock:
            elapsed = time.perf_counter() - self._started if self._started else 0.0
            return replace(self._stats, elapsed_s=elapsed)

    def run(self, cursor: str | None = None,
            progress: Callable[[PipelineStats], None] | None = None) -> PipelineStats:
        """Run until the source is exhausted or :meth:`stop` is called; returns the final stats.

        ``cursor`` defaults to the one stored under ``cursor_name`` (resume after a crash).
        """
        with streaming_gc():
            return self._run(cursor, progress)

    def _run(self, cursor: str | None, progress: Callable[[PipelineStats], None] | None) -> PipelineStats:
        self._started = time.perf_counter()
        reader = threading.Thread(target=self._guard(self._read), args=(cursor,), name="pipeline-reader",
                                  daemon=True)
        writer = threading.Thread(target=self._guard(self._write), args=(progress,), name="pipeline-writer",
                                  daemon=True)
        reader.start()
        writer.start()
        try:
            self._process()
        except BaseException as error:
            self._fail(error)
        finally:
            self._put(self._batches, _END, force=True)
            writer.join()
            self.writer.close()
            self._stopping.set()
            self._drain(self._pages)
            reader.join()
            self.source.close()
        if self._failure is not None:
            raise self._failure
        with self._lock:
            self._stats = replace(self._stats, done=True)
        return self.stats

    # -- threads ---------------------------------------------------------------------------------

    def _guard(self, target: Callable[..., None]) -> Callable[..., None]:
        def run(*args: Any) -> None:
            try:
                target(*args)
            except BaseException as error:
                self._fail(error)

        return run

    def _fail(self, error: BaseException) -> None:
        if self._failure is None:
            self._failure = error
        self._stopping.set()

    def _read(self, cursor: str | None) -> None:
        try:
            while not self._stopping.is_set():
                page = self.source.fetch(cursor, self.batch_size)
                if page.cursor is not None:
                    cursor = page.cursor
                has_news = page.posts or page.rejected or page.cursor is not None
                if has_news and not self._put(self._pages, page):
                    return
                if page.done:
                    return
        finally:
            self._put(self._pages, _END, force=True)

    def _process(self) -> None:
        pending: list[Page] = []
        pending_posts = 0
        first_at = 0.0
        while True:
            timeout = None if not pending else max(0.0, first_at + self.max_latency_s - time.monotonic())
            try:
                item = self._pages.get(timeout=timeout)
            except queue.Empty:
                item = None
            if item is _END:
                self._handle(pending, last=True)
                return
            if isinstance(item, Page):
                if not pending:
                    first_at = time.monotonic()
                pending.append(item)
                pending_posts += len(item.posts)
            if pending and (item is None or pending_posts >= self.batch_size
                            or time.monotonic() - first_at >= self.max_latency_s):
                self._handle(pending)
                pending, pending_posts = [], 0
            if self._failure is not None:
                return

    def _handle(self, pages: list[Page], last: bool = False) -> None:
        """``last``: the end of the run, when the detectors see the stream's unfinished last step."""
        posts = [post for page in pages for post in page.posts]
        rejected = [r for page in pages for r in page.rejected]
        cursor = next((p.cursor for p in reversed(pages) if p.cursor is not None), None)
        read = len(posts) + len(rejected)
        posts, identities = self.pseudonymiser.apply(posts)
        posts, failures = apply_analysers(self.analysers, posts)
        rejected.extend(failures)
        signals = self._detect(posts, last)
        if not pages and not signals:
            return
        batch = Batch(posts=posts, identities=identities, rejected=rejected, source=self.source.describe(),
                      cursor_name=self.cursor_name, cursor=cursor)
        # Rows are built here rather than in the writer thread, which (with a store worker process)
        # then only hands them over and waits for the commit.
        self._put(self._batches, _Pending(batch, self.writer.prepare(batch), signals), force=True)
        with self._lock:
            self._stats = replace(self._stats, read=self._stats.read + read)

    def _detect(self, posts: list[Post], last: bool) -> list[Signal]:
        if not self.detectors:
            return []
        if self.clock:
            steps = [(posts, self.clock())] if posts or not last else []
        else:
            # A batch read at full speed spans minutes of stream time, more than a detector's window:
            # fed whole, with the newest post's time as now, its older posts would be out of the
            # window. Fed in short steps on one grid for the whole run, as `eval detection` does,
            # every post counts and the steps do not depend on where batches were cut.
            steps = self._stream_clock.feed(posts)
            if last:
                steps += self._stream_clock.flush()
            counters, reached = self._stream_clock.counters, steps[-1][1] if steps else None
            with self._lock:
                self._stats = replace(self._stats, dated_ahead=counters["held_ahead"],
                                      shown_early=counters["shown_ahead"],
                                      stream_time=max(filter(None, (self._stats.stream_time, reached)), default=None))
        signals: list[Signal] = []
        for detector in self.detectors:
            try:
                for step, now in steps:
                    signals.extend(detector.update_many(step, now))
            except Exception:
                # A detector bug must not stop ingestion: the posts are still stored, and the
                # error count shows on the dashboard and in the summary.
                with self._lock:
                    self._stats = replace(self._stats, detector_errors=self._stats.detector_errors + 1)
        return signals

    def _write(self, progress: Callable[[PipelineStats], None] | None) -> None:
        while True:
            item = self._batches.get()
            if item is _END:
                return
            assert isinstance(item, _Pending)
            # Whatever else is already waiting goes into the same transaction: when the store falls
            # behind, transactions grow (each commit rewrites the index pages it touched, so fewer,
            # bigger ones cost less per post), and when it keeps up, nothing waits longer.
            group, end = [item], False
            while not end:
                try:
                    more = self._batches.get_nowait()
                except queue.Empty:
                    break
                if isinstance(more, _Pending):
                    group.append(more)
                else:
                    end = True
            self._store(group)
            if progress is not None:
                progress(self.stats)
            if end:
                return

    def _store(self, group: list[_Pending]) -> None:
        result = self.writer.write_prepared(Prepared.merge([pending.prepared for pending in group]))
        posts = [post for pending in group for post in pending.batch.posts]
        if result.duplicates:
            inserted = set(result.inserted_ids)
            posts = [p for p in posts if p.id in inserted]
        signals = [signal for pending in group for signal in pending.signals]
        for sink in self.sinks:
            sink.consume(posts, signals)
        by_stage = dict(self._stats.quarantine_by_stage)
        for pending in group:
            for rejected in pending.batch.rejected:
                by_stage[rejected.stage] = by_stage.get(rejected.stage, 0) + 1
        # With the stream clock, stream time is the detectors' (set as they run): a post dated ahead
        # must not move the dashboard's clock either.
        newest = None if self._uses_stream_clock else max(
            (p.created_at for pending in group for p in pending.batch.posts), default=None)
        with self._lock:
            current = self._stats
            self._stats = replace(
                current,
                stored=current.stored + result.inserted,
                duplicates=current.duplicates + result.duplicates,
                quarantined=current.quarantined + result.quarantined,
                batches=current.batches + len(group),
                signals=current.signals + len(signals),
                stream_time=max(filter(None, (current.stream_time, newest)), default=None),
                quarantine_by_stage=by_stage,
            )

    # -- queues ----------------------------------------------------------------------------------

    def _put(self, target: queue.Queue[Any], item: object, force: bool = False) -> bool:
        """Put with back-pressure; gives up when stopping unless ``force`` (end markers, read data)."""
        while True:
            if self._failure is not None and not force:
                return False
            try:
                target.put(item, timeout=0.1)
                return True
            except queue.Full:
                if self._stopping.is_set() and not force:
                    return False
                if force and self._failure is not None:
                    self._drain(target)

    @staticmethod
    def _drain(target: queue.Queue[Any]) -> None:
        try:
            while True:
                target.get_nowait()
        except queue.Empty:
            pass


def apply_analysers(chain: Sequence[Analyser], posts: list[Post]) -> tuple[list[Post], list[Rejected]]:
    """Run the chain in order; posts that make an analyser fail are returned as rejections."""
    rejected: list[Rejected] = []
    for analyser in chain:
        posts, failures = _analyse(analyser, posts)
        rejected.extend(failures)
    return posts, rejected


def _analyse(analyser: Analyser, posts: list[Post]) -> tuple[list[Post], list[Rejected]]:
    """Run one analyser; posts that make it fail are isolated and quarantined, the rest go on."""
    if not posts:
        return posts, []
    key = analyser.key()
    try:
        results = analyser.analyse_many(posts)
        if len(results) != len(posts):
            raise CivicpulseError(f"returned {len(results)} results for {len(posts)} posts")
        return with_results(posts, key, results), []
    except Exception:  # noqa: S110 - isolate the culprit below, one post at a time
        pass
    kept: list[Post] = []
    failed: list[Rejected] = []
    for post in posts:
        try:
            kept.append(post.with_enrichments({key: analyser.analyse_many([post])[0]}))
        except Exception as error:
            failed.append(Rejected.of(f"{type(error).__name__}: {error}", encode_post(post),
                                      location=post.id, stage=f"analyse:{analyser.name}"))
    return kept, failed
