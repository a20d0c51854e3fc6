"""Offensive heads: level A (TweetEval offensive = OLID A) and OLID levels B and C.

A: TweetEval offensive train plus identity-term balancing counterfactuals built from it
(``debias.py``: the bias audit's large false-positive gaps), offsets on its official val split.
B (targeted insult/threat vs untargeted) and C (individual / group / other): OLID v1.0 training rows
that carry the level, minus a seeded stratified 10 % held out for the offsets. OLID's official
level-B/C test sets are only read by the evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from common import SEED, data_arg, olid_train, tweeteval
from debias import identity_balanced
from sklearn.model_selection import train_test_split
from textclf import macro_f1, pick_mix_weight, train_embedding_head, train_head


def _olid_level(rows: list[dict[str, str]], column: str, labels: list[str]) -> tuple[list[str], np.ndarray]:
    kept = [r for r in rows if r[column] in labels]
    return [r["tweet"] for r in kept], np.array([labels.index(r[column]) for r in kept])


Split = tuple[list[str], np.ndarray]


def _split(texts: list[str], y: np.ndarray) -> tuple[Split, Split]:
    tr, va = train_test_split(np.arange(len(texts)), test_size=0.1, random_state=SEED, stratify=y)
    return ([texts[i] for i in tr], y[tr]), ([texts[i] for i in va], y[va])


def main_with(data: Path | None = None) -> None:
    data = data or data_arg(__doc__ or "")
    texts, labels = tweeteval(data, "offensive", "train")
    texts, labels, added = identity_balanced(texts, labels)
    print(f"offensive: {added} identity-term counterfactuals added")
    val = tweeteval(data, "offensive", "val")
    source = ("TweetEval offensive (OLID A) train + identity-term balancing "
              f"({added} non-offensive counterfactuals from train, training/debias.py)")
    train_head("offensive_hashed", ["not-offensive", "offensive"], (texts, labels), val, macro_f1,
               {"task": "offensive", "data": f"{source}, val for offsets", "metric": "macro_f1",
                "languages": ["en"], "identity_balancing_added": added})
    path = train_embedding_head("offensive", ["not-offensive", "offensive"], (texts, labels), val, macro_f1,
                                {"task": "offensive", "data": f"{source}; C, class weighting, offsets on val",
                                 "metric": "macro_f1", "languages": ["en"], "identity_balancing_added": added})
    pick_mix_weight(path, "offensive_hashed", val, macro_f1)
    rows = olid_train(data)
    train, val = _split(*_olid_level(rows, "subtask_b", ["UNT", "TIN"]))
    train_head("offensive_targeted", ["untargeted", "targeted"], train, val, macro_f1,
               {"task": "offensive_targeted", "data": "OLID v1.0 level B train (90 %), 10 % for offsets",
                "metric": "macro_f1", "languages": ["en"]})
    train, val = _split(*_olid_level(rows, "subtask_c", ["IND", "GRP", "OTH"]))
    train_head("offensive_target", ["individual", "group", "other"], train, val, macro_f1,
               {"task": "offensive_target", "data": "OLID v1.0 level C train (90 %), 10 % for offsets",
                "metric": "macro_f1", "languages": ["en"]})


if __name__ == "__main__":
    main_with()
