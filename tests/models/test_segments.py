"""Sums of table rows over posts must be bit-identical to one ``np.add.reduceat`` over the batch,
whatever the step: scores must not depend on how a batch was cut."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.models.segments import require_finite, row_sums, widen_half


def _reference(table: np.ndarray, rows: np.ndarray, cols: np.ndarray,
               weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    gathered = table[cols] if weights is None else table[cols] * weights[:, None]
    return rows[starts], np.add.reduceat(gathered, starts, axis=0, dtype=np.float32)


@st.composite
def batches(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, int]:
    table_rows = draw(st.integers(1, 50))
    width = draw(st.integers(1, 6))
    dtype = draw(st.sampled_from([np.float16, np.float32]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # Scaled over the whole float16 range, subnormals (below 6e-5) and values near 65,504 included.
    table = (rng.normal(size=(table_rows, width)) * 10.0 ** rng.uniform(-7, 4, size=(table_rows, 1))).astype(dtype)
    per_post = draw(st.lists(st.integers(1, 200), min_size=1, max_size=30))
    post_ids = np.sort(rng.choice(1000, size=len(per_post), replace=False))
    rows = np.repeat(post_ids, per_post).astype(np.int64)
    cols = rng.integers(0, table_rows, size=rows.size).astype(np.int64)
    weights = rng.random(rows.size).astype(np.float32) if draw(st.booleans()) else None
    # Steps from the smallest (64 occurrences: some posts are longer) to more than the batch.
    step_bytes = draw(st.integers(64, 8000)) * 4 * width
    return table, rows, cols, weights, step_bytes


@settings(max_examples=200, deadline=None)
@given(batches())
def test_row_sums_equal_one_reduceat_over_the_batch_for_any_step(
        batch: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, int]) -> None:
    table, rows, cols, weights, step_bytes = batch
    present, sums = row_sums(table, rows, cols, weights, step_bytes=step_bytes)
    expected_rows, expected = _reference(table, rows, cols, weights)
    assert present.tolist() == expected_rows.tolist()
    assert sums.dtype == np.float32
    assert np.array_equal(sums, expected)


def test_an_empty_batch_has_no_rows() -> None:
    table = np.ones((4, 3), dtype=np.float32)
    empty = np.zeros(0, dtype=np.int64)
    present, sums = row_sums(table, empty, empty)
    assert present.size == 0
    assert sums.shape == (0, 3)


def test_every_finite_float16_is_widened_exactly() -> None:
    every = np.arange(1 << 16, dtype=np.uint16)
    expected = every.view(np.float16).astype(np.float32)
    finite = np.isfinite(expected)
    got = widen_half(every, np.empty(every.size, np.float32), np.empty(every.size, np.float32))
    # Bit patterns, not values: -0.0 and each subnormal must come out exactly as numpy converts them.
    assert np.array_equal(got[finite].view(np.uint32), expected[finite].view(np.uint32))


def test_a_table_with_infinity_or_nan_is_refused_at_load() -> None:
    require_finite(np.ones((2, 2), dtype=np.float16), "fine.npz")
    for bad in (np.inf, np.nan):
        table = np.ones((2, 2), dtype=np.float16)
        table[1, 0] = bad
        with pytest.raises(ValueError, match=r"broken\.npz holds infinite"):
            require_finite(table, "broken.npz")
