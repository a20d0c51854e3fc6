from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.detectors.stats import SKETCH_SIZE, distinct_add, distinct_count, poisson_log_sf, poisson_tail_below


def exact(k: int, lam: float) -> float:
    return math.log(1 - sum(math.exp(-lam) * lam**i / math.factorial(i) for i in range(k)))


@pytest.mark.parametrize(("k", "lam"), [(3, 0.02), (5, 1.0), (10, 2.5), (20, 4.0), (2, 0.5)])
def test_matches_the_direct_sum(k: int, lam: float) -> None:
    assert poisson_log_sf(k, lam) == pytest.approx(exact(k, lam), rel=1e-6)


def test_edges() -> None:
    assert poisson_log_sf(0, 3.0) == 0.0
    assert poisson_log_sf(3, 0.0) == -math.inf
    assert poisson_log_sf(2, 5.0) > -1
    assert poisson_log_sf(1000, 10.0) < poisson_log_sf(100, 10.0) < -50


@settings(max_examples=500, deadline=None)
@given(st.integers(-2, 260), st.floats(-1.0, 300.0, allow_nan=False), st.floats(-60.0, 1.0, allow_nan=False))
def test_the_burst_question_has_the_tails_answer(k: int, lam: float, log_p: float) -> None:
    assert poisson_tail_below(k, lam, log_p) == (poisson_log_sf(k, lam) < log_p)


@pytest.mark.parametrize(("k", "lam"), [(10, 9.5), (12, 6.0), (3, 0.01), (150, 140.0), (40, 2.0)])
def test_the_burst_question_at_the_detectors_thresholds(k: int, lam: float) -> None:
    for log_p in (-16.0, -10.0, -7.0, poisson_log_sf(k, lam), math.nextafter(poisson_log_sf(k, lam), 0.0)):
        assert poisson_tail_below(k, lam, log_p) == (poisson_log_sf(k, lam) < log_p)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=20), max_size=400))
def test_the_distinct_count_is_exact_below_the_sketch_size_and_ignores_order_and_repeats(items: list[str]) -> None:
    forward: list[int] = []
    backward: list[int] = []
    for item in items + items:
        distinct_add(forward, item)
    for item in reversed(items):
        distinct_add(backward, item)
    assert forward == backward == sorted(forward)
    assert len(forward) <= SKETCH_SIZE
    count, estimated = distinct_count(forward)
    if len(set(items)) < SKETCH_SIZE:
        assert (count, estimated) == (len(set(items)), False)
    else:
        assert estimated


@pytest.mark.parametrize("n", [1_000, 20_000, 200_000])
def test_the_distinct_count_estimates_large_crowds_within_a_fifth(n: int) -> None:
    """k = 256 minimum values: about 6 % standard error; a fifth is over three of them."""
    sketch: list[int] = []
    for i in range(n):
        distinct_add(sketch, f"ps:{i:08x}")
        distinct_add(sketch, f"ps:{i // 2:08x}")  # repeats change nothing
    count, estimated = distinct_count(sketch)
    assert estimated
    assert abs(count - n) < 0.2 * n
