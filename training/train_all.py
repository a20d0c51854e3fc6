"""Rebuild every shipped text model from ``--data`` (default ../shared/data), in dependency order.

    .venv/bin/python training/train_all.py [--data PATH]

Seeded and single-threaded; takes a few minutes on two cores. The accurate profile's encoder needs
torch and is rebuilt separately: ``train_encoder.py`` (a GPU helps), then ``pick_ensemble.py``; so
is the static embedding the English offensive, hate and emotion heads read
(``train_static_embedding.py``, torch, CPU). The sentiment head learns from the shipped encoder's
predictions too (``distil.py``): after a new encoder, run this, then ``pick_ensemble.py``."""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import train_crisis
import train_emotion
import train_features
import train_hate
import train_language
import train_offensive
import train_sentiment
import train_vocabulary
from common import data_arg


def main() -> None:
    data = data_arg(__doc__ or "")
    train_features.main_with(str(data))
    train_offensive.main_with(data)
    train_hate.main_with(data)
    train_emotion.main_with(data)
    train_sentiment.main_with(data)
    train_language.main_with(data)
    train_crisis.main_with(data, baseline=False)
    train_vocabulary.main_with(data)


if __name__ == "__main__":
    main()
