"""Rate curves: how fast each kind of post arrives, as a function of stream time.

All functions take NumPy arrays of seconds and return multipliers in [0, 1] (or rhythm factors), so a
whole window's bins are evaluated in one call. The generator turns ``rate * curve`` into Poisson
counts per bin; :func:`integral` gives the expected count for estimates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["appeal_replies", "hate_wave", "incident", "integral", "rhythm"]

Array = NDArray[np.float64]
#: Logistic steepness: the rise goes from ~1% to ~99% of the peak over ``rise`` seconds.
_STEEP = 9.2


def incident(x: Array, growth: str, rise: float, hold: float, decay: float, onset_share: float = 0.0) -> Array:
    """A jump to ``onset_share`` of the peak at the onset, growth to the peak over ``rise`` (logistic or
    exponential), a plateau, then exponential decay.

    ``x`` is seconds since the incident's onset. The jump is the people on the spot, who post as soon
    as it happens; the growth is the incident escalating and word of it spreading. Without it (0) the
    curve starts at about 1 % of the peak, and an incident's first minutes hold a post or none.
    """
    rising = x < rise
    if growth == "exponential":
        up = np.exp(5.0 * (np.minimum(x, rise) / rise - 1.0))
    else:
        up = 1.0 / (1.0 + np.exp(-_STEEP * (np.minimum(x, rise) / rise - 0.5)))
    up = np.maximum(up, onset_share)
    down = np.exp(-np.maximum(x - rise - hold, 0.0) / decay)
    return np.where(x < 0, 0.0, np.where(rising, up, down))


def hate_wave(x: Array, duration: float) -> Array:
    """A fast ramp (a fifth of the wave), a plateau, a slower fade (the last 30%)."""
    shape = np.minimum(np.minimum(x / (0.2 * duration), 1.0), (duration - x) / (0.3 * duration))
    return np.clip(np.where((x < 0) | (x > duration), 0.0, shape), 0.0, 1.0)


#: People need a moment to read an appeal before they reply to it.
APPEAL_LAG_S = 30.0


def appeal_replies(x: Array, duration: float) -> Array:
    """Replies to an appeal: strongest just after it, fading over its duration."""
    live = (x >= APPEAL_LAG_S) & (x <= duration)
    return np.where(live, np.exp(-np.maximum(x, 0.0) / (duration / 3.0)), 0.0)


def rhythm(local_hours: Array, weights: Sequence[float]) -> Array:
    """The daily rhythm, interpolated between hour centres (hour 9's weight applies at 9:30)."""
    table = np.asarray(weights, dtype=np.float64)
    position = (local_hours - 0.5) % 24.0
    low = np.floor(position).astype(np.int64)
    frac = position - low
    return table[low] * (1.0 - frac) + table[(low + 1) % 24] * frac


def integral(curve: Callable[[Array], Array], start: float, end: float, step: float = 30.0) -> float:
    """∫ curve over [start, end) by the midpoint rule (exact enough for estimates)."""
    if end <= start:
        return 0.0
    count = max(1, int(np.ceil((end - start) / step)))
    edges = np.linspace(start, end, count + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    return float(np.sum(curve(mids) * np.diff(edges)))
