from __future__ import annotations

import math

import pytest

from civicpulse.detectors.stats import poisson_log_sf


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
