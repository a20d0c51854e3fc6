"""Garbage-collector tuning for processes that stream posts (the pipeline, a source's worker)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["STREAMING_GC_THRESHOLD", "streaming_gc"]

#: Allocations between young-generation collections while a pipeline runs (CPython's default: 700).
#: CPython counts allocations less deallocations, so with a threshold above what the batches in
#: flight hold, collections run only when garbage in reference cycles builds up, and a pipeline makes
#: next to none (``tests/pipeline/test_gc_tuning.py``). At 20,000 the count passed the threshold
#: about twice a batch, and collections cost the main process 9-12 µs a post
#: (``civicpulse bench --stage pipeline``); at 100,000, under 1.
STREAMING_GC_THRESHOLD = 100_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def streaming_gc() -> Iterator[None]:
    """Collect the young generation less often while posts stream through this process.

    Every batch allocates tens of thousands of objects that live until the batch is stored, so the
    default threshold runs a collection every few posts, each walking the posts in flight: about
    a sixth of the ingest CPU. Nothing here makes reference cycles (objects die by reference
    counting), so collecting rarely costs nothing but the few cyclic objects waiting longer.
    Process-wide, so it is counted across pipelines running at once and restored when the last one
    ends.
    """
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            if _gc_saved[0] < STREAMING_GC_THRESHOLD:
                gc.set_threshold(STREAMING_GC_THRESHOLD, _gc_saved[1], _gc_saved[2])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
