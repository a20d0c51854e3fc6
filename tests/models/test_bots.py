"""The shipped bot-likeness model: loads, reads the account analyser's features, survives hostile
values, and separates the Gilani 2017 accounts better than the majority class (when the data is here)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.models.bots import DESIGN_NAMES, FEATURES, bot_model, design, feature_row

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "gilani2017_bots" / "gilani2017_accounts.csv"


def test_shipped_model_matches_its_feature_list_and_says_how_it_was_scored() -> None:
    model = bot_model()
    assert model.weights.shape == (len(DESIGN_NAMES),)
    assert model.meta["rows"] == 3389
    assert len(model.meta["dropped_conflicting"]) == 21
    assert set(model.meta["cv"]) >= {"ours (LR, 3 deployable features)", "Random Forest, all 14 features"}


def test_a_fresh_high_volume_account_following_many_is_more_bot_like_than_an_ordinary_one() -> None:
    model = bot_model()
    ordinary, automated = model.probs(np.array([[1500.0, 1.3, 3.0], [20.0, 0.05, 800.0]]))
    assert automated > 0.7 > 0.4 > ordinary


def test_missing_or_non_numeric_features_give_none_not_a_guess() -> None:
    model = bot_model()
    full = {"age_days": 400.0, "follower_ratio": 2.0, "posts_per_day": 4.0}
    scores = model.score_accounts([full, None, {**full, "age_days": None}, {**full, "posts_per_day": True},
                                   {**full, "follower_ratio": "9"}, {**full, "posts_per_day": math.nan}])
    assert scores[0] is not None
    assert 0.0 <= scores[0] <= 1.0
    assert scores[1:] == [None] * 5
    assert model.score_accounts([]) == []


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**30, 10**30)),
                min_size=3, max_size=3))
def test_any_number_gives_a_probability(values: list[float]) -> None:
    account = dict(zip(FEATURES, values, strict=True))
    row = feature_row(account)
    if row is None:
        return
    (p,) = bot_model().probs(np.array([row]))
    assert 0.0 <= p <= 1.0


def test_design_is_finite_for_clipped_extremes() -> None:
    assert np.isfinite(design(np.array([[0.0, 0.0, 0.0], [20_000.0, 1e8, 1e5]]))).all()


@pytest.mark.skipif(not DATA.exists(), reason="needs ../shared/data/gilani2017_bots (not shipped with the package)")
def test_separates_the_training_accounts_better_than_the_majority_class() -> None:
    """In-sample, so only a floor: the cross-validated figures are in docs/models/bots.md."""
    with DATA.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    x = np.array([[float(r["age_of_account_in_days"]), float(r["follower_friend_ratio"]),
                   float(r["tweet_frequency"])] for r in rows])
    y = np.array([r["label"] == "bot" for r in rows])
    accuracy = float(np.mean((bot_model().probs(x) >= 0.5) == y))
    assert accuracy > 0.66 > float(np.mean(~y))
