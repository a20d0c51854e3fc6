"""The shipped stance and veracity models: numpy inference equals the training matrix product,
cue features in four languages, and obvious examples. No data set needed."""

from __future__ import annotations

import numpy as np
import pytest

from civicpulse.models.features import featurise
from civicpulse.models.stance import (
    DENSE_NAMES,
    LABELS,
    PARENT_BITS,
    StanceInput,
    dense_features,
    parent_columns,
    stance_model,
)
from civicpulse.models.veracity import VERACITY_LABELS, thread_features, veracity_model

ITEMS = [
    StanceInput("This is fake, stop sharing", 1, "Apparently police shot a kid in Harehills", "Apparently police"),
    StanceInput("Is this true??", 1, "Reports of a shooting in Harehills", "Reports of a shooting"),
    StanceInput("Police say a teenager was shot #Harehills", 0),
    StanceInput("", 3, "", None),
    StanceInput("😂😂 مرحبا " * 500, 2, "x" * 100_000, "y"),
]


def test_numpy_inference_matches_the_training_matrix() -> None:
    """What ``training/train_stance.py`` fits on (a scipy matrix of the three blocks) times the
    shipped weights is exactly what the numpy scorer computes."""
    sparse = pytest.importorskip("scipy.sparse")
    model = stance_model()
    n_text = model.config.n_features
    own = featurise([it.text for it in ITEMS], model.config, model.idf)
    index = np.array([i for i, it in enumerate(ITEMS) if it.parent_text], dtype=np.int64)
    pf = featurise([ITEMS[i].parent_text or "" for i in index], model.config, model.idf)
    dense = dense_features(ITEMS)
    dr, dc = np.nonzero(dense)
    rows = np.concatenate([own.rows, index[pf.rows], dr])
    cols = np.concatenate([own.cols, parent_columns(pf, n_text), n_text + (1 << PARENT_BITS) + dc])
    vals = np.concatenate([own.vals, pf.vals, dense[dr, dc]])
    x = sparse.csr_matrix((vals, (rows, cols)), shape=(len(ITEMS), model.weights.shape[0]))
    expected = x @ model.weights.astype(np.float64) + model.bias
    np.testing.assert_allclose(model.logits(ITEMS), expected, rtol=1e-4, atol=1e-4)
    probs = model.probs(ITEMS)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert model.predict([]) == []


def test_obvious_stances() -> None:
    model = stance_model()
    assert model.predict(ITEMS[:2])[1] == "query"
    assert set(model.predict(ITEMS)) <= set(LABELS)
    # Denial is the weakest class (test F1 0.24, docs/models/stance.md): only ask that a plain
    # denial scores more "deny" than a plain comment does.
    deny = LABELS.index("deny")
    calm = StanceInput("I am at the station now, lots of people", 1, ITEMS[0].parent_text, ITEMS[0].source_text)
    assert model.probs([ITEMS[0]])[0, deny] > model.probs([calm])[0, deny]
    french = StanceInput("C'est faux, arrêtez de partager", 1, None, None, language="fr")
    assert model.probs([french])[0, deny] > model.probs([StanceInput("Bonne journée", 1, None, None, "fr")])[0, deny]


def test_cue_features_fire_in_four_languages() -> None:
    deny = DENSE_NAMES.index("deny_cue")
    query = DENSE_NAMES.index("query_cue")
    hedge = DENSE_NAMES.index("hedge_cue")
    texts = {"C'est faux, arrêtez de partager": deny, "Es falso, dejad de compartir": deny,
             "Das ist falsch, hört auf zu teilen": deny, "This is fake": deny,
             "C'est vrai ??": query, "¿Alguien lo confirma?": query, "Kann das jemand bestätigen?": query,
             "Il paraît que le barrage a cédé": hedge, "Dicen que la presa se ha roto": hedge,
             "Angeblich ist der Damm gebrochen": hedge, "Reportedly the dam failed": hedge}
    features = dense_features([StanceInput(t, 1) for t in texts])
    for row, column in zip(features, texts.values(), strict=True):
        assert row[column] > 0
    assert np.all((features >= 0) & (features <= 1))


def test_veracity_model_runs_on_any_thread() -> None:
    model = veracity_model()
    replies = stance_model().probs(ITEMS)
    x = np.vstack([thread_features("Apparently the dam failed", replies), thread_features("", replies[:0])])
    probs = model.probs(x)
    assert probs.shape == (2, len(VERACITY_LABELS))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
