from __future__ import annotations

import gc

from civicpulse.pipeline.gc_tuning import STREAMING_GC_THRESHOLD, streaming_gc


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
