"""Small statistics for the detectors, without scipy: the Poisson upper tail in log space, and a
bounded-memory count of distinct accounts."""

from __future__ import annotations

import bisect
import hashlib
import math

__all__ = ["distinct_add", "distinct_count", "poisson_log_sf", "poisson_tail_below"]

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
    return _tail_from(k, lam, _log_first_term(k, lam))


def poisson_tail_below(k: int, lam: float, log_p: float) -> bool:
    """Whether ``poisson_log_sf(k, lam) < log_p``, the same answer for every input, sooner.

    A burst test asks only that question, and most terms it asks about are near their mean: their
    tail is a sum of hundreds of terms (the ratio ``lam / (i + 1)`` is close to one), though its
    first term alone already shows the answer is no. The tail is at least its first term, so when
    that term's log is not below ``log_p`` neither is the whole, and nothing more is summed.
    """
    if not 0 < lam < k <= 200:  # the cases poisson_log_sf answers without summing
        return poisson_log_sf(k, lam) < log_p
    log_term = _log_first_term(k, lam)
    # log_term + log(total) with total >= 1 rounds to at least log_term: the same answer.
    return log_term < log_p and _tail_from(k, lam, log_term) < log_p


def _log_first_term(k: int, lam: float) -> float:
    """``log P(X = k)``."""
    return -lam + k * math.log(lam) - math.lgamma(k + 1)


def _tail_from(k: int, lam: float, log_term: float) -> float:
    """``log P(X >= k)`` from ``log P(X = k)``: the ratio lam / (i + 1) gives each following term
    (a geometric tail)."""
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
