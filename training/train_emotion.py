"""Emotion heads (anger / joy / optimism / sadness) on TweetEval emotion.

Two heads, as for hate and offensive: one over the hashed n-grams (offsets tuned on val) and one
over the static embedding (``train_static_embedding.py`` first; C, class weighting and offsets on
val), mixed by a weighted geometric mean whose weight is chosen on val."""

from __future__ import annotations

from pathlib import Path

from common import data_arg, tweeteval
from textclf import macro_f1, pick_mix_weight, train_embedding_head, train_head

LABELS = ["anger", "joy", "optimism", "sadness"]


def main_with(data: Path | None = None) -> None:
    data = data or data_arg(__doc__ or "")
    train, val = tweeteval(data, "emotion", "train"), tweeteval(data, "emotion", "val")
    train_head("emotion_hashed", LABELS, train, val, macro_f1,
               {"task": "emotion", "data": "TweetEval emotion train, val for offsets",
                "metric": "macro_f1", "languages": ["en"]})
    path = train_embedding_head("emotion", LABELS, train, val, macro_f1,
                                {"task": "emotion", "metric": "macro_f1", "languages": ["en"],
                                 "data": "TweetEval emotion train; C, class weighting, offsets on val"})
    pick_mix_weight(path, "emotion_hashed", val, macro_f1)


if __name__ == "__main__":
    main_with()
