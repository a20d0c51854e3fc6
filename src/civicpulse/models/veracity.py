"""Veracity of a rumour thread (true / false / unverified) from how people answer it, in numpy.

RumourEval 2017 task B (closed variant): the inputs are the source claim and its replies, no
outside evidence. The features (:func:`thread_features`) are the stance model's probabilities
averaged over the replies, the share of replies it calls deny / query / support, how many replies
there are, and hedge and question cues of the source; a multinomial logistic regression over them
is fitted by ``training/train_veracity.py``. Crowds deny and question false rumours more than true
ones (Zubiaga et al. 2016), which is the whole signal here: treat the output as a hint for an
analyst, never as a fact check.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from civicpulse.models.artefacts import load_checked
from civicpulse.models.stance import DENSE_NAMES, LABELS, StanceInput, dense_features, stance_model
from civicpulse.models.text import MODELS_DIR, softmax

if TYPE_CHECKING:
    from civicpulse.evaluation.rumours import RumourPost, RumourThread

__all__ = ["VERACITY_LABELS", "VERACITY_NAMES", "VeracityModel", "thread_features", "veracity_model"]

VERACITY_LABELS = ("true", "false", "unverified")
VERACITY_FILE = "veracity.npz"
_SOURCE_CUES = ("questions", "ends_question", "exclaims", "has_url", "deny_cue", "negation", "query_cue",
                "support_cue", "hedge_cue", "log_chars")
VERACITY_NAMES = (
    *(f"mean_{label}" for label in LABELS), "share_support", "share_deny", "share_query", "log_replies",
    "no_replies", *(f"source_{name}" for name in _SOURCE_CUES),
)


def thread_features(source_text: str, reply_probs: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """One thread's feature vector; ``reply_probs`` is ``(replies, 4)`` stance probabilities."""
    n = reply_probs.shape[0]
    mean = reply_probs.mean(axis=0) if n else np.zeros(len(LABELS))
    argmax = reply_probs.argmax(axis=1) if n else np.zeros(0, dtype=np.int64)
    shares = [float(np.mean(argmax == LABELS.index(s))) if n else 0.0 for s in ("support", "deny", "query")]
    cues = dense_features([StanceInput(source_text, 0)])[0]
    source = [cues[DENSE_NAMES.index(name)] for name in _SOURCE_CUES]
    return np.array([*mean, *shares, min(np.log1p(n) / np.log(200.0), 1.0), float(n == 0), *source])


class VeracityModel:
    def __init__(self, directory: Path = MODELS_DIR) -> None:
        arrays = load_checked(directory / VERACITY_FILE, VERACITY_NAMES, "training/train_veracity.py")
        self.weights = arrays["weights"].astype(np.float64)
        self.bias = arrays["bias"].astype(np.float64)
        self.meta: dict[str, Any] = json.loads(str(arrays["meta"]))

    def probs(self, features: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        return softmax(features @ self.weights + self.bias)

    def predict_threads(self, threads: Sequence[RumourThread], posts: Sequence[RumourPost]) -> list[str]:
        """Verdicts for RumourEval threads, from the stance model's *predicted* stances of their replies."""
        from civicpulse.evaluation.rumours import stance_inputs

        replies = [p for p in posts if not p.is_source]
        probs = stance_model().probs(stance_inputs(list(posts)))
        index = {p.post_id: i for i, p in enumerate(posts)}
        rows = []
        for thread in threads:
            mine = [index[p.post_id] for p in replies if p.thread_id == thread.thread_id]
            rows.append(thread_features(thread.source_text, probs[mine]))
        if not rows:
            return []
        return [VERACITY_LABELS[i] for i in self.probs(np.vstack(rows)).argmax(axis=1).tolist()]


@lru_cache(maxsize=1)
def veracity_model() -> VeracityModel:
    return VeracityModel()
