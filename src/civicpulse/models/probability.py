"""Turning model scores into probabilities: the softmax, and the geometric mean of two models."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["mix", "softmax"]


def softmax(logits: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """Row-wise softmax, computed in float64 whatever the logits' precision."""
    z = np.asarray(logits, dtype=np.float64)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def mix(first: npt.NDArray[np.float64], second: npt.NDArray[np.float64],
        weight: float) -> npt.NDArray[np.float64]:
    """Weighted geometric mean of two models' probabilities, ``first`` weighted by ``weight``."""
    return softmax(weight * np.log(first + 1e-9) + (1 - weight) * np.log(second + 1e-9))
