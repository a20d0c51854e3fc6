"""Multinomial naive Bayes over the *word* block of the shared hashed features (the crisis heads'
word half; each is mixed with a regression over the static sentence embedding).

Why naive Bayes and not the logistic regression of the other heads: crisis models must work on a
crisis they have never seen, and under leave-one-event-out evaluation on CrisisLex T6 a balanced
logistic regression learns event-specific cues and calls most tweets of a new event off-topic
(mean macro-F1 ≈ 68), while naive Bayes transfers (≈ 86); see ``docs/models/crisis.md``.

Why the word block only: a crisis head then reads ~30 occurrences per post instead of ~330, so the
three crisis heads add almost nothing to the default chain; on the leave-one-event-out protocol
the character n-grams gained at most a few points.

A model is its sufficient statistics: per class, the summed feature values of its training posts
(``counts``), and the smoothing ``alpha``. That is exactly scikit-learn's ``MultinomialNB``
(``feature_count_``, ``fit_prior=False``): :func:`log_probs` equals its ``feature_log_prob_``
(``tests/models/test_naive_bayes.py`` checks it). Fitting is one ``bincount`` per class, so the
evaluation can refit the model for every held-out event with numpy alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.models.features import FeatureConfig, Features

__all__ = ["NaiveBayes", "fit_counts", "load", "log_probs", "save", "word_view"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def word_view(f: Features) -> tuple[IntArray, IntArray, FloatArray]:
    """Rows, columns and values of the word n-gram occurrences (columns < 2**word_bits)."""
    keep = f.kinds == 1
    return f.rows[keep], f.cols[keep], f.vals[keep]


def fit_counts(rows: IntArray, cols: IntArray, vals: FloatArray, y: IntArray, n_classes: int,
               n_features: int) -> FloatArray:
    """``(n_classes, n_features)`` summed feature values per class; ``y`` is indexed by row."""
    out = np.zeros((n_classes, n_features), dtype=np.float64)
    label = y[rows]
    for c in range(n_classes):
        mine = label == c
        out[c] = np.bincount(cols[mine], weights=vals[mine], minlength=n_features)
    return out


def log_probs(counts: FloatArray, alpha: float) -> FloatArray:
    """``(n_features, n_classes)`` smoothed log P(feature | class), as ``MultinomialNB`` computes it."""
    smoothed = counts + alpha
    return np.asarray((np.log(smoothed) - np.log(smoothed.sum(axis=1, keepdims=True))).T, dtype=np.float64)


@dataclass(frozen=True)
class NaiveBayes:
    """One shipped head: labels, per-class counts over the word buckets, smoothing, metadata."""

    labels: tuple[str, ...]
    counts: FloatArray
    alpha: float
    meta: dict[str, Any]

    def weights(self) -> npt.NDArray[np.float32]:
        return log_probs(self.counts, self.alpha).astype(np.float32)


def save(path: Path, labels: list[str], counts: FloatArray, alpha: float, config: FeatureConfig,
         meta: dict[str, Any]) -> None:
    """Only the word buckets seen in training are stored (the rest have zero counts)."""
    cols = np.flatnonzero(counts.any(axis=0)).astype(np.uint32)
    np.savez_compressed(path, labels=np.array(labels), cols=cols, counts=counts[:, cols].astype(np.float32),
                        alpha=np.float64(alpha), n_features=np.int64(1 << config.word_bits),
                        meta=np.array(json.dumps(meta, sort_keys=True)))


def load(path: Path) -> NaiveBayes:
    with np.load(path, allow_pickle=False) as npz:
        counts = np.zeros((len(npz["labels"]), int(npz["n_features"])), dtype=np.float64)
        counts[:, npz["cols"].astype(np.int64)] = npz["counts"]
        return NaiveBayes(tuple(str(x) for x in npz["labels"]), counts, float(npz["alpha"]),
                          json.loads(str(npz["meta"])))
