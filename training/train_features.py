"""Build the shared feature layout and idf: ``src/civicpulse/models/text_features.npz``.

The idf comes from the union of the English TweetEval training texts of sentiment, offensive,
hate and emotion (train splits only). Run this before any ``train_<task>.py`` (train_all does)."""

from __future__ import annotations

from common import data_arg, tweeteval
from textclf import write_features

from civicpulse.models.features import FeatureConfig

TASKS = ("sentiment", "offensive", "hate", "emotion")


def main_with(data_path: str | None = None) -> None:
    from pathlib import Path
    data = Path(data_path) if data_path else data_arg(__doc__ or "")
    texts: list[str] = []
    for task in TASKS:
        texts += tweeteval(data, task, "train")[0]
    write_features(texts, FeatureConfig())
    print(f"text_features: idf from {len(texts)} training tweets")


if __name__ == "__main__":
    main_with()
