"""Small statistics for burst detection: the Poisson upper tail, in log space, without scipy."""

from __future__ import annotations

import math

__all__ = ["poisson_log_sf"]


def poisson_log_sf(k: int, lam: float) -> float:
    """``log P(X >= k)`` for ``X ~ Poisson(lam)``.

    Summed from the mode upwards for small ``k`` (exact to float precision); for large ``k`` the
    Chernoff bound ``-lam + k - k log(k / lam)`` is used, which is within a few units of the exact
    value and errs on the side of *less* surprise.
    """
    if k <= 0:
        return 0.0
    if lam <= 0:
        return -math.inf
    if k <= lam:
        # At or below the mean: not surprising; P(X >= k) is at least about one half.
        return math.log(0.5)
    if k > 200:
        return -lam + k - k * math.log(k / lam)
    # log of the first term, then the ratio lam / (i + 1) for the following ones (a geometric tail).
    log_term = -lam + k * math.log(lam) - math.lgamma(k + 1)
    total = 1.0
    term = 1.0
    i = k
    while term > 1e-12 * total and i < k + 500:
        term *= lam / (i + 1)
        total += term
        i += 1
    return log_term + math.log(total)
