"""Small statistics for the detectors, without scipy: the Poisson upper tail in log space, and a
bounded-memory count of distinct accounts."""

from __future__ import annotations

import bisect
import hashlib
import math

__all__ = ["distinct_add", "distinct_count", "poisson_log_sf"]

#: Hash values kept by a distinct-count sketch: exact below this many items, about 6 % error above.
SKETCH_SIZE = 256
_HASH_SPACE = float(1 << 64)


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


def distinct_add(sketch: list[int], item: str, size: int = SKETCH_SIZE) -> None:
    """Add ``item`` to a k-minimum-values sketch (the ``size`` smallest 64-bit hashes seen, sorted):
    how many distinct accounts a story reached, in a few kilobytes however many posted.
    blake2b, not ``hash()``, so the count is the same in every process and after a restart."""
    value = int.from_bytes(hashlib.blake2b(item.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big")
    if len(sketch) >= size and value >= sketch[-1]:
        return
    at = bisect.bisect_left(sketch, value)
    if at < len(sketch) and sketch[at] == value:
        return  # seen before
    sketch.insert(at, value)
    if len(sketch) > size:
        sketch.pop()


def distinct_count(sketch: list[int], size: int = SKETCH_SIZE) -> tuple[int, bool]:
    """(count, estimated): exact while the sketch holds fewer than ``size`` items; above, the
    k-minimum-values estimate (k - 1) / (k-th smallest hash, as a fraction of the hash space)."""
    if len(sketch) < size:
        return len(sketch), False
    return max(size, round((size - 1) / ((sketch[size - 1] + 1) / _HASH_SPACE))), True
