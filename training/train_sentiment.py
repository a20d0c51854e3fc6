"""Sentiment head (negative / neutral / positive) on TweetEval sentiment.

Train: the documented reconstruction of the SemEval-2017 4A training set
(``tweeteval/sentiment/train_reconstructed.tsv.gz``, 45,548 tweets); offsets tuned on the official
val split (macro-recall, the official metric); test is never read here."""

from __future__ import annotations

from pathlib import Path

from common import data_arg, tweeteval
from textclf import macro_recall, train_head


def main_with(data: Path | None = None) -> None:
    data = data or data_arg(__doc__ or "")
    train_head("sentiment", ["negative", "neutral", "positive"], tweeteval(data, "sentiment", "train"),
               tweeteval(data, "sentiment", "val"), macro_recall,
               {"task": "sentiment", "data": "TweetEval sentiment (reconstructed train), val for offsets",
                "metric": "macro_recall", "languages": ["en"]})


if __name__ == "__main__":
    main_with()
