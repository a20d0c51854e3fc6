"""Bot-likeness of an account from its behavioural features, in numpy.

A logistic regression over log-scaled account features, fitted by ``training/train_bots.py`` on
Gilani et al. 2017 (Twitter accounts labelled bot / human by people, collected in 2016). The shipped
model uses only what :mod:`civicpulse.analysers.account` can provide for any post at run time
(:data:`FEATURES`): the account's age in days, its follower / following ratio and its posts per day.
Anything else in the data set (likes, lists, posting clients, media) is not in a ``Post``.

The output is a probability that the account *behaves* like the automated accounts of that data set:
a hint for an analyst reviewing a coordination flag, never a finding about a person and never a sole
basis for action (see ``docs/models/bots.md``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.models.artefacts import load_checked
from civicpulse.models.text import MODELS_DIR

__all__ = ["BOTS_FILE", "FEATURES", "BotModel", "bot_model", "design", "feature_row"]

BOTS_FILE = "bots.npz"
#: The account analyser's keys the model reads, in order.
FEATURES = ("age_days", "follower_ratio", "posts_per_day")
#: Columns of the design matrix built from :data:`FEATURES` (see :func:`design`).
DESIGN_NAMES = ("log_age", "log_ratio", "log_rate", "log_age^2", "log_ratio^2", "log_rate^2",
                "log_ratio*log_rate", "log_age*log_rate")
#: Clips that keep a hostile or broken value (a ratio of 10^12) inside the range the model saw.
_CLIP = {"age_days": (0.0, 20_000.0), "follower_ratio": (0.0, 1e8), "posts_per_day": (0.0, 1e5)}


def feature_row(account: Mapping[str, Any] | None) -> tuple[float, float, float] | None:
    """The three raw features from an ``account/1`` enrichment; ``None`` when any is missing."""
    if not isinstance(account, Mapping):
        return None
    values = []
    for name in FEATURES:
        value = account.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return None
        low, high = _CLIP[name]
        values.append(min(max(float(value), low), high))
    return values[0], values[1], values[2]


def design(raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``(n, 3)`` raw features (age days, follower ratio, posts per day) -> ``(n, 8)`` model inputs:
    logs (the features are heavy-tailed) and their squares and two products (bots sit at both ends of
    the ratio, which a straight line cannot say)."""
    raw = np.asarray(raw, dtype=np.float64).reshape(-1, len(FEATURES))
    logs = np.log1p(np.maximum(raw, 0.0))
    age, ratio, rate = logs[:, 0], logs[:, 1], logs[:, 2]
    return np.column_stack([age, ratio, rate, age**2, ratio**2, rate**2, ratio * rate, age * rate])


class BotModel:
    def __init__(self, directory: Path = MODELS_DIR) -> None:
        arrays = load_checked(directory / BOTS_FILE, DESIGN_NAMES, "training/train_bots.py")
        self.mean = arrays["mean"].astype(np.float64)
        self.scale = arrays["scale"].astype(np.float64)
        self.weights = arrays["weights"].astype(np.float64)
        self.bias = float(arrays["bias"])
        self.meta: dict[str, Any] = json.loads(str(arrays["meta"]))

    def probs(self, raw: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Probability of "bot-like" for each row of raw features."""
        z = (design(raw) - self.mean) / self.scale @ self.weights + self.bias
        p: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))
        return p

    def score_accounts(self, accounts: Sequence[Mapping[str, Any] | None]) -> list[float | None]:
        """Bot-likeness of each ``account/1`` enrichment, ``None`` where its features are missing."""
        rows = [feature_row(a) for a in accounts]
        known = [r for r in rows if r is not None]
        if not known:
            return [None] * len(rows)
        scores = iter(self.probs(np.array(known)).tolist())
        return [None if r is None else round(next(scores), 3) for r in rows]


@lru_cache(maxsize=1)
def bot_model() -> BotModel:
    return BotModel()
