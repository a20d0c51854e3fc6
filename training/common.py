"""Shared helpers for the training scripts: data loading (with the formats documented in each data
set's README), the scipy view of :mod:`civicpulse.models.features`, and metrics.

Every script is seeded and single-threaded (the shared machine has two cores)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from scipy import sparse

from civicpulse.evaluation.datasets import hateval_es, olid_test, olid_train, tweeteval
from civicpulse.models.features import FeatureConfig, featurise

__all__ = ["DEFAULT_DATA", "MODELS_DIR", "SEED", "Split", "calm_tweets", "data_arg", "document_frequency_idf",
           "hateval_es", "matrix", "olid_test", "olid_train", "tweeteval", "with_harmless"]

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATA = (REPO / ".." / "shared" / "data").resolve()
MODELS_DIR = REPO / "src" / "civicpulse" / "models"
SEED = 20240601

Split = tuple[list[str], np.ndarray]


def data_arg(description: str) -> Path:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder holding tweeteval/, olid/, hateval2019_es/ (default ../shared/data)")
    args = parser.parse_args()
    data: Path = args.data.resolve()
    if not (data / "tweeteval").is_dir():
        sys.exit(f"error: no data at {data} (expected {data}/tweeteval/...). "
                 "Fix: pass --data PATH pointing at the shared labelled data folder.")
    return data


def matrix(texts: list[str], config: FeatureConfig, idf: np.ndarray | None) -> sparse.csr_matrix:
    f = featurise(texts, config, idf)
    return sparse.csr_matrix((f.vals, (f.rows, f.cols)), shape=(f.n_rows, config.n_features))


def document_frequency_idf(texts: list[str], config: FeatureConfig) -> np.ndarray:
    """Smoothed idf, as scikit-learn's ``TfidfVectorizer(smooth_idf=True)`` defines it."""
    x = matrix(texts, config, None)
    x.data[:] = 1.0
    x.sum_duplicates()
    x.data[:] = 1.0
    df = np.asarray((x > 0).sum(axis=0)).ravel()
    n = len(texts)
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def calm_tweets(data: Path, count: int) -> list[str]:
    """``count`` everyday tweets, a seeded sample of the neutral and positive ones of TweetEval
    sentiment's training split. Negative ones are left out on purpose: some are offensive or
    hateful, and a head told they are harmless would learn the opposite of its task."""
    texts, sentiment = tweeteval(data, "sentiment", "train")
    calm = [t for t, s in zip(texts, sentiment.tolist(), strict=True) if s != 0]
    return [calm[i] for i in np.random.default_rng(SEED).permutation(len(calm))[:count]]


def with_harmless(train: Split, harmless: list[str]) -> tuple[Split, np.ndarray]:
    """A binary training split plus ``harmless`` texts as class 0, and each row's weight: the
    split's two classes balanced (as ``class_weight="balanced"`` would weigh them), every added text
    1, so that they teach what is ordinary without changing how the task's classes weigh."""
    share = float(train[1].mean())
    weights = np.concatenate([np.where(train[1] == 1, 0.5 / share, 0.5 / (1 - share)), np.ones(len(harmless))])
    labels = np.concatenate([train[1], np.zeros(len(harmless), dtype=train[1].dtype)])
    return (train[0] + harmless, labels), weights
