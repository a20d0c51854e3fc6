"""Emotion head (anger / joy / optimism / sadness) on TweetEval emotion; offsets tuned on val."""

from __future__ import annotations

from pathlib import Path

from common import data_arg, tweeteval
from textclf import macro_f1, train_head


def main_with(data: Path | None = None) -> None:
    data = data or data_arg(__doc__ or "")
    train_head("emotion", ["anger", "joy", "optimism", "sadness"], tweeteval(data, "emotion", "train"),
               tweeteval(data, "emotion", "val"), macro_f1,
               {"task": "emotion", "data": "TweetEval emotion train, val for offsets",
                "metric": "macro_f1", "languages": ["en"]})


if __name__ == "__main__":
    main_with()
