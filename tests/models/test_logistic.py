"""The numpy logistic regression (crisis heads' embedding half) against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.models.logistic import SparseRows, fit_logistic
from civicpulse.models.probability import softmax


def _data(k: int, n: int = 600, dims: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, dims))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y = (3 * x[:, :k] + rng.normal(size=(n, k))).argmax(axis=1)
    # Unbalanced classes, so the balanced weighting matters.
    y[(y == 0) & (rng.random(n) < 0.7)] = 1
    return x, y


@pytest.mark.parametrize("k", [2, 3, 6])
@pytest.mark.parametrize("c", [0.1, 1.0])
def test_equals_scikit_learn_balanced(k: int, c: float) -> None:
    linear_model = pytest.importorskip("sklearn.linear_model")
    x, y = _data(k)
    ours = softmax(fit_logistic(x, y, k, c, tol=1e-8).logits(x))
    reference = linear_model.LogisticRegression(C=c, class_weight="balanced", max_iter=10_000, tol=1e-10).fit(x, y)
    np.testing.assert_allclose(ours, reference.predict_proba(x), atol=1e-4)


def test_a_class_absent_from_training_is_never_predicted() -> None:
    x, y = _data(3)
    y[y == 2] = 1
    fit = fit_logistic(x, y, 4)
    assert fit.weights.shape == (x.shape[1], 4)
    predicted = fit.logits(x).argmax(axis=1)
    assert set(predicted.tolist()) <= {0, 1}


@pytest.mark.parametrize(("k", "label"), [(2, 0), (2, 1), (5, 3)])
def test_one_class_only_always_wins(k: int, label: int) -> None:
    x, _ = _data(2, n=20)
    fit = fit_logistic(x, np.full(20, label), k)
    assert (fit.logits(x).argmax(axis=1) == label).all()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3), st.integers(0, 2)), min_size=1, max_size=40))
def test_any_rows_give_finite_weights(rows: list[tuple[float, float, int]]) -> None:
    x = np.array([[a, b] for a, b, _ in rows])
    y = np.array([label for *_, label in rows])
    fit = fit_logistic(x, y, 3)
    assert np.isfinite(fit.weights).all()
    assert np.isfinite(fit.bias).all()


def test_sparse_rows_fit_as_the_dense_matrix_does() -> None:
    x, y = _data(3, n=200)
    x[np.abs(x) < 0.2] = 0.0
    rows, cols = np.nonzero(x)
    sparse = SparseRows(rows.astype(np.int64), cols.astype(np.int64), x[rows, cols], x.shape)
    dense_fit, sparse_fit = fit_logistic(x, y, 3), fit_logistic(sparse, y, 3)
    np.testing.assert_allclose(sparse_fit.weights, dense_fit.weights, atol=1e-8)
    np.testing.assert_allclose(sparse_fit.logits(sparse), dense_fit.logits(x), atol=1e-8)
