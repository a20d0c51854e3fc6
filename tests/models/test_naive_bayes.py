"""The numpy naive Bayes (crisis heads) against scikit-learn, and the shipped artefacts' format."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from civicpulse.models import naive_bayes
from civicpulse.models.features import FeatureConfig, featurise
from civicpulse.models.text import NB_HEADS, text_models

TEXTS = ["Flood waters rising on Main St, stay away", "lovely sunny day at the beach",
         "Donate blood at the red cross centre", "praying for everyone affected by the explosion",
         "power lines down near the bridge", "new phone who dis", "", "😂😂"]
LABELS = np.array([1, 0, 1, 1, 1, 0, 0, 0])


def _word_matrix(config: FeatureConfig) -> tuple[object, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    sparse = pytest.importorskip("scipy.sparse")
    f = featurise(TEXTS, config)
    rows, cols, vals = naive_bayes.word_view(f)
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(TEXTS), 1 << config.word_bits))
    return x, (rows, cols, vals)


@pytest.mark.parametrize("alpha", [0.1, 1.0])
def test_fit_and_log_probs_equal_scikit_learn(alpha: float) -> None:
    nb = pytest.importorskip("sklearn.naive_bayes")
    config = FeatureConfig(word_bits=12, char_bits=12)
    x, (rows, cols, vals) = _word_matrix(config)
    reference = nb.MultinomialNB(alpha=alpha, fit_prior=False).fit(x, LABELS)
    counts = naive_bayes.fit_counts(rows, cols, vals, LABELS, 2, 1 << config.word_bits)
    np.testing.assert_allclose(counts, reference.feature_count_, rtol=1e-12, atol=1e-12)
    weights = naive_bayes.log_probs(counts, alpha)
    np.testing.assert_allclose(weights, reference.feature_log_prob_.T, rtol=1e-10)
    # Our linear scores (no prior: fit_prior=False is a uniform prior) rank classes as sklearn does.
    ours = np.asarray(x @ weights)
    np.testing.assert_allclose(ours - ours.max(1, keepdims=True),
                               reference.predict_joint_log_proba(x) - reference.predict_joint_log_proba(x).max(
                                   1, keepdims=True), atol=1e-9)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    config = FeatureConfig(word_bits=12, char_bits=12)
    f = featurise(TEXTS, config)
    counts = naive_bayes.fit_counts(*naive_bayes.word_view(f), LABELS, 2, 1 << config.word_bits)
    naive_bayes.save(tmp_path / "m.npz", ["no", "yes"], counts, 0.5, config, {"task": "t"})
    model = naive_bayes.load(tmp_path / "m.npz")
    assert model.labels == ("no", "yes")
    assert model.alpha == 0.5
    assert model.meta == {"task": "t"}
    np.testing.assert_allclose(model.counts, counts, rtol=1e-6)


def test_shipped_crisis_heads_are_loaded_into_the_shared_scorer() -> None:
    models = text_models()
    for name in NB_HEADS:
        head = models.heads[name]
        assert head.meta["task"] == name.removesuffix("_nb")
    total = models.weights.shape[1] + len(models.languages) + models.nb_weights.shape[1]
    assert models.logits(["Tornado warning for Moore, take shelter now"]).shape == (1, total)
