"""L2-regularised logistic regression on dense or sparse features, fitted with numpy alone.

``civicpulse eval`` refits models per fold where a data set has no official split (the crisis
heads for every held-out CrisisLex event; Twitter15/16 by cross-validation), and the evaluation
must run without scikit-learn. The objective is scikit-learn's ``LogisticRegression(C=c, class_weight="balanced")``:
one logit for two classes, one per class (multinomial) for more, bias unpenalised, so the shipped
head and the evaluation's refits come from one function, and the tests compare it with
scikit-learn. Minimised by L-BFGS with a backtracking line search: deterministic, no random start.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["LogisticFit", "SparseRows", "fit_logistic"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
#: The bias of a class absent from the training rows: it is never predicted.
_ABSENT_BIAS = -30.0
_HISTORY = 10


@dataclass(frozen=True)
class SparseRows:
    """A sparse matrix as its non-zero entries: row and column indices and values."""

    rows: IntArray
    cols: IntArray
    vals: FloatArray
    shape: tuple[int, int]

    def __matmul__(self, w: FloatArray) -> FloatArray:
        out = np.empty((self.shape[0], w.shape[1]))
        for j in range(w.shape[1]):
            out[:, j] = np.bincount(self.rows, weights=self.vals * w[self.cols, j], minlength=self.shape[0])
        return out

    def transposed_times(self, p: FloatArray) -> FloatArray:
        """``X.T @ p``."""
        out = np.empty((self.shape[1], p.shape[1]))
        for j in range(p.shape[1]):
            out[:, j] = np.bincount(self.cols, weights=self.vals * p[self.rows, j], minlength=self.shape[1])
        return out


Matrix = FloatArray | SparseRows


def _transposed_times(x: Matrix, p: FloatArray) -> FloatArray:
    return x.transposed_times(p) if isinstance(x, SparseRows) else x.T @ p


class LogisticFit:
    """Weights ``(dims, 1)`` (binary: the logit of class 1) or ``(dims, k)``, and the bias."""

    def __init__(self, weights: FloatArray, bias: FloatArray) -> None:
        self.weights = weights
        self.bias = bias

    def logits(self, x: npt.NDArray[np.floating] | SparseRows) -> FloatArray:
        z = (x if isinstance(x, SparseRows) else np.asarray(x, dtype=np.float64)) @ self.weights + self.bias
        return np.concatenate([np.zeros_like(z), z], axis=1) if z.shape[1] == 1 else z


def _objective(params: FloatArray, x: Matrix, y: IntArray, sample_weight: FloatArray,
               columns: int, penalty: float) -> tuple[float, FloatArray]:
    """Weighted mean cross-entropy plus ``penalty/2 * |W|^2`` (bias excluded), and its gradient."""
    dims = x.shape[1]
    w = params[: dims * columns].reshape(dims, columns)
    b = params[dims * columns:]
    z = x @ w + b
    if columns == 1:
        z = np.concatenate([np.zeros_like(z), z], axis=1)
    z -= z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(z).sum(axis=1))
    rows = np.arange(len(y))
    loss = float(np.dot(sample_weight, log_norm - z[rows, y]))
    p = np.exp(z - log_norm[:, None])
    p[rows, y] -= 1.0
    p *= sample_weight[:, None]
    if columns == 1:
        p = p[:, 1:]
    grad_w = _transposed_times(x, p) + penalty * w
    loss += 0.5 * penalty * float(np.sum(w * w))
    return loss, np.concatenate([grad_w.ravel(), p.sum(axis=0)])


def fit_logistic(x: npt.NDArray[np.floating] | SparseRows, y: npt.NDArray[np.integer], k: int, c: float = 1.0,
                 max_iter: int = 500, tol: float = 1e-6) -> LogisticFit:
    """Fit classes ``0..k-1`` with balanced class weights (each present class counts equally)."""
    xs: Matrix = x if isinstance(x, SparseRows) else np.asarray(x, dtype=np.float64)
    labels = np.asarray(y, dtype=np.int64)
    counts = np.bincount(labels, minlength=k).astype(np.float64)
    present = np.flatnonzero(counts)
    # scikit-learn's "balanced": n / (classes present * n_c); divided by n so the loss is a mean.
    class_weight = np.zeros(k)
    class_weight[present] = 1.0 / (present.size * counts[present])
    sample_weight = class_weight[labels]
    index = np.full(k, -1, dtype=np.int64)
    index[present] = np.arange(present.size)
    local = index[labels]
    dims = xs.shape[1]
    if present.size == 1:  # one class only: it always wins
        if k == 2:
            return LogisticFit(np.zeros((dims, 1)), np.array([-_ABSENT_BIAS if present[0] == 1 else _ABSENT_BIAS]))
        bias = np.full(k, _ABSENT_BIAS)
        bias[present[0]] = 0.0
        return LogisticFit(np.zeros((dims, k)), bias)
    columns = 1 if k == 2 else present.size
    penalty = 1.0 / (c * len(labels))
    params = _lbfgs(np.zeros(dims * columns + columns),
                    lambda p: _objective(p, xs, local, sample_weight, columns, penalty), max_iter, tol)
    weights = params[: dims * columns].reshape(dims, columns)
    bias = params[dims * columns:]
    if columns == 1 or present.size == k:
        return LogisticFit(weights, bias)
    # Classes that never occur in these rows get no weight and a bias that never wins.
    full_w = np.zeros((dims, k))
    full_b = np.full(k, _ABSENT_BIAS)
    full_w[:, present] = weights
    full_b[present] = bias
    return LogisticFit(full_w, full_b)


def _lbfgs(start: FloatArray, objective: Callable[[FloatArray], tuple[float, FloatArray]], max_iter: int,
           tol: float) -> FloatArray:
    """Minimise a smooth convex function (limited-memory BFGS, Armijo backtracking)."""
    params = start
    value, grad = objective(params)
    steps: list[FloatArray] = []
    changes: list[FloatArray] = []
    for _ in range(max_iter):
        if float(np.abs(grad).max()) < tol:
            break
        direction = -grad
        alphas = []
        for s, g in zip(reversed(steps), reversed(changes), strict=True):
            alpha = float(s @ direction) / float(g @ s)
            alphas.append(alpha)
            direction = direction - alpha * g
        if steps:
            direction *= float(steps[-1] @ changes[-1]) / float(changes[-1] @ changes[-1])
        for (s, g), alpha in zip(zip(steps, changes, strict=True), reversed(alphas), strict=True):
            beta = float(g @ direction) / float(g @ s)
            direction = direction + (alpha - beta) * s
        slope = float(grad @ direction)
        if slope >= 0:  # not a descent direction (numerical trouble): restart from the gradient
            steps.clear()
            changes.clear()
            direction, slope = -grad, -float(grad @ grad)
        step = 1.0 if steps else min(1.0, 1.0 / max(float(np.abs(grad).sum()), 1e-12))
        while True:
            candidate = params + step * direction
            new_value, new_grad = objective(candidate)
            if new_value <= value + 1e-4 * step * slope or step < 1e-12:
                break
            step *= 0.5
        s, g = candidate - params, new_grad - grad
        converged = abs(value - new_value) <= 1e-12 * max(abs(value), 1.0)
        params, value, grad = candidate, new_value, new_grad
        if float(s @ g) > 1e-12:
            steps.append(s)
            changes.append(g)
            if len(steps) > _HISTORY:
                steps.pop(0)
                changes.pop(0)
        if converged:
            break
    return params
