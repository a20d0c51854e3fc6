"""Edge cases of the shared featuriser (its stability and parity are in tests/analysers/test_text_models.py)."""

from __future__ import annotations

import pytest

from civicpulse.models.features import FeatureConfig, featurise


@pytest.mark.parametrize("texts", [[""], ["a"], ["", ""], ["ab"], []])
def test_a_batch_shorter_than_the_longest_char_ngram_does_not_raise(texts: list[str]) -> None:
    # Regression: a batch of one empty post used to fail (a negative slice bound in the n-gram table).
    f = featurise(texts, FeatureConfig())
    assert f.n_rows == len(texts)
    assert all(0 <= r < len(texts) for r in f.rows.tolist())
