"""Sentiment head (negative / neutral / positive) on TweetEval sentiment, taught by the encoder too.

Train: the documented reconstruction of the SemEval-2017 4A training set
(``tweeteval/sentiment/train_reconstructed.tsv.gz``, 45,548 tweets), plus 45,811 tweets it never
labelled with the accurate profile's encoder's probabilities as soft labels (``distil.py``; rebuild
the encoder first). Their weight, ``alpha`` (0.3 or 1), and the offsets are chosen on the official
val split (macro-recall, the official metric); test is never read here."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from common import MODELS_DIR, data_arg, tweeteval
from distil import teacher_probs, transfer_texts, with_teacher
from textclf import macro_recall, train_head

LABELS = ["negative", "neutral", "positive"]
ALPHAS = (0.3, 1.0)


def main_with(data: Path | None = None) -> None:
    data = data or data_arg(__doc__ or "")
    train, val = tweeteval(data, "sentiment", "train"), tweeteval(data, "sentiment", "val")
    transfer = transfer_texts(data, "sentiment")
    probs = teacher_probs("sentiment", transfer)
    scored = {}
    with tempfile.TemporaryDirectory() as tmp:
        for alpha in ALPHAS:
            rows, weights = with_teacher(train, len(LABELS), transfer, probs, alpha)
            path = train_head("sentiment", LABELS, rows, val, macro_recall, {
                "task": "sentiment", "metric": "macro_recall", "languages": ["en"], "distil_alpha": alpha,
                "data": f"TweetEval sentiment (reconstructed train) + {len(transfer):,} tweets with the encoder's "
                        "probabilities (training/distil.py), val for alpha and offsets"}, sample_weight=weights)
            scored[alpha] = json.loads(str(np.load(path)["meta"]))["val_score"]
            shutil.copy(path, Path(tmp) / f"{alpha}.npz")
        alpha = max(ALPHAS, key=lambda a: (scored[a], -a))
        shutil.copy(Path(tmp) / f"{alpha}.npz", MODELS_DIR / "sentiment.npz")
    print(f"sentiment: val {scored} -> alpha {alpha}")


if __name__ == "__main__":
    main_with()
