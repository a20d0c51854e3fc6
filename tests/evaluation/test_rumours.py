"""Rumour-model scores on the real data sets (skipped without ../shared/data) and the numpy learner."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civicpulse.evaluation.rumours import cv_accuracy, near_copy_groups, rumour_model_scores

DATA = (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()
KEYS = {"stance_accuracy", "stance_macro_f1", "veracity_accuracy", "twitter15_accuracy", "twitter16_accuracy",
        "twitter15_accuracy_grouped", "twitter16_accuracy_grouped"}


def test_missing_data_gives_none(tmp_path: Path) -> None:
    assert rumour_model_scores(tmp_path) == dict.fromkeys(KEYS)


def test_cross_validated_learner_learns_and_does_not_cheat() -> None:
    rng = np.random.default_rng(0)
    words = [["flood", "water", "river", "rain"], ["fire", "smoke", "burning", "flames"]]
    y = rng.integers(0, 2, 200)
    texts = [" ".join(rng.choice(words[c], 4)) + f" filler{rng.integers(1000)}" for c in y]
    assert cv_accuracy(texts, y, 2) > 0.95
    shuffled = rng.permutation(y)  # labels unrelated to the text: chance, not memory
    assert 0.3 < cv_accuracy(texts, shuffled, 2) < 0.7


def test_near_copies_are_grouped_and_only_they() -> None:
    texts = ["Breaking: the dam near Kehl has collapsed, share now",
             "BREAKING the dam near Kehl has collapsed!! share now @someone http://x.example/1",
             "breaking: the dam near Kehl has collapsed, share now #kehl",
             "Council confirms the bridge on Mill Lane reopens on Monday morning",
             "Lovely weather for the market in Rusholme today, go and see"]
    groups = near_copy_groups(texts)
    assert groups[0] == groups[1] == groups[2]
    assert len({groups[0], groups[3], groups[4]}) == 3


def test_grouped_folds_keep_copies_apart_from_their_twins() -> None:
    # Every story is told five times, and its label is a coin flip: with the five copies split over
    # folds the model learns each story's label from its twins; kept together, it cannot.
    rng = np.random.default_rng(1)
    stories = [f"story {i} {' '.join(rng.choice(list('abcdefghij'), 6))} word{i} thing{i * 7}" for i in range(60)]
    texts = [f"{s} copy{j}" for s in stories for j in range(5)]
    labels = rng.integers(0, 2, 60)
    y = np.repeat(labels, 5)
    groups = near_copy_groups(texts)
    assert len(set(groups.tolist())) == 60
    assert cv_accuracy(texts, y, 2) > 0.9
    assert cv_accuracy(texts, y, 2, groups=groups) < 0.7


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "rumoureval2017").is_dir(), reason="needs ../shared/data/rumoureval2017")
def test_scores_on_the_official_splits() -> None:
    scores = rumour_model_scores(DATA)
    assert set(scores) == KEYS
    assert all(v is not None and 0.0 <= v <= 1.0 for v in scores.values())
    # Beat always-"comment" where it is weak (macro-F1 0.213) without giving up its accuracy (0.742).
    assert scores["stance_macro_f1"] is not None
    assert scores["stance_macro_f1"] > 0.4
    assert scores["stance_accuracy"] is not None
    assert scores["stance_accuracy"] > 0.7
