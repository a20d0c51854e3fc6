"""Fitting and exporting one linear head over the shared hashed features.

A head is a (multinomial or binary) logistic regression fitted with scikit-learn on the scipy view
of :func:`civicpulse.models.features.featurise`, then exported as only its non-zero weight rows in
float16 (``cols``, ``weights``), its bias, and per-class logit offsets. The offsets are chosen on
the *validation* split only (never on test) to maximise the task's official metric: they correct
for class priors that differ between training and use, which macro metrics reward.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import MODELS_DIR, SEED, document_frequency_idf, matrix
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, recall_score

from civicpulse.models.features import FeatureConfig
from civicpulse.models.static_embedding import StaticEmbedding
from civicpulse.models.text import FEATURES_FILE, TextModels, load_features, mix, softmax

Metric = Callable[[np.ndarray, np.ndarray], float]


def macro_f1(y: np.ndarray, p: np.ndarray) -> float:
    return float(f1_score(y, p, average="macro"))


def macro_recall(y: np.ndarray, p: np.ndarray) -> float:
    return float(recall_score(y, p, average="macro"))


def write_features(texts: list[str], config: FeatureConfig, out: Path = MODELS_DIR / FEATURES_FILE) -> None:
    """The shared idf, from the union of the English training texts; rounded to float16 *before*
    any head is fitted, so that training sees exactly the shipped values."""
    idf = document_frequency_idf(texts, config).astype(np.float16)
    np.savez_compressed(out, config=config.as_array(), idf=idf)


def shared_features() -> tuple[FeatureConfig, np.ndarray]:
    return load_features(MODELS_DIR / FEATURES_FILE)


def fit(x: sparse.csr_matrix, y: np.ndarray, c: float = 1.0,
        sample_weight: np.ndarray | None = None) -> LogisticRegression:
    """Class-balanced, unless ``sample_weight`` says how much each row counts."""
    model = LogisticRegression(C=c, class_weight="balanced" if sample_weight is None else None, max_iter=400,
                               random_state=SEED)
    return model.fit(x, y, sample_weight=sample_weight)


def logits_of(model: LogisticRegression, x: sparse.csr_matrix) -> np.ndarray:
    d = model.decision_function(x)
    return np.stack([np.zeros_like(d), d], axis=1) if d.ndim == 1 else d


def tune_offsets(logits: np.ndarray, y: np.ndarray, metric: Metric) -> np.ndarray:
    """Per-class additive logit offsets maximising ``metric`` on validation (class 0 fixed at 0).

    A coarse grid (step 0.25, |offset| <= 2) and coordinate ascent: fine grids overfit a few
    hundred validation tweets. Ties keep the smaller offset."""
    k = logits.shape[1]
    offsets = np.zeros(k)
    grid = np.round(np.arange(-2.0, 2.0001, 0.25), 2)
    best = metric(y, logits.argmax(1))
    for _ in range(2):
        for j in range(1, k):
            for g in sorted(grid, key=abs):
                trial = offsets.copy()
                trial[j] = g
                score = metric(y, (logits + trial).argmax(1))
                if score > best + 1e-9:
                    best, offsets = score, trial
    return offsets


def export(name: str, model: LogisticRegression, labels: list[str], offsets: np.ndarray,
           meta: dict[str, object], out_dir: Path = MODELS_DIR) -> Path:
    coef = model.coef_.T.astype(np.float32)  # (features, 1) for binary, (features, k) otherwise
    bias = np.atleast_1d(model.intercept_).astype(np.float32)
    cols = np.flatnonzero(np.any(coef != 0, axis=1)).astype(np.uint32)
    path = out_dir / f"{name}.npz"
    np.savez_compressed(path, labels=np.array(labels), cols=cols, weights=coef[cols].astype(np.float16),
                        bias=bias, offsets=offsets.astype(np.float32),
                        meta=np.array(json.dumps(meta, sort_keys=True)))
    return path


def train_head(name: str, labels: list[str], train: tuple[list[str], np.ndarray],
               val: tuple[list[str], np.ndarray], metric: Metric, meta: dict[str, object],
               c: float = 1.0, sample_weight: np.ndarray | None = None) -> Path:
    config, idf = shared_features()
    x_train = matrix(train[0], config, idf)
    model = fit(x_train, train[1], c, sample_weight)
    x_val = matrix(val[0], config, idf)
    val_logits = logits_of(model, x_val)
    offsets = tune_offsets(val_logits, val[1], metric)
    before = metric(val[1], val_logits.argmax(1))
    after = metric(val[1], (val_logits + offsets).argmax(1))
    print(f"{name}: val {100 * before:.1f} -> {100 * after:.1f} with offsets {offsets.round(2).tolist()}")
    meta = {**meta, "val_score_before_offsets": round(100 * before, 2),
            "val_score": round(100 * after, 2), "C": c,
            "class_weight": "balanced" if sample_weight is None else "sample weights"}
    return export(name, model, labels, offsets, meta)


def train_embedding_head(name: str, labels: list[str], train: tuple[list[str], np.ndarray],
                         val: tuple[list[str], np.ndarray], metric: Metric, meta: dict[str, object],
                         sample_weight: np.ndarray | None = None) -> Path:
    """A head over the static embedding (:mod:`civicpulse.models.static_embedding`).

    C and the class weighting (unless ``sample_weight`` fixes how much each row counts) are chosen
    on the validation split (before offsets), then the offsets on the same split, as for the
    hashed heads."""
    embedding = StaticEmbedding(heads=())
    x_train, x_val = embedding.embed(train[0]), embedding.embed(val[0])
    scored = []
    for c in (0.3, 1.0, 3.0, 10.0):
        for weighting in (None, "balanced") if sample_weight is None else ("sample weights",):
            candidate = LogisticRegression(C=c, class_weight=None if weighting == "sample weights" else weighting,
                                           max_iter=3000, random_state=SEED)
            candidate.fit(x_train, train[1], sample_weight=sample_weight)
            score = metric(val[1], logits_of(candidate, x_val).argmax(1))
            print(f"{name}: C={c} class_weight={weighting}: val {100 * score:.1f}")
            scored.append((score, -c, candidate, weighting))
    before, minus_c, model, weighting = max(scored, key=lambda s: (s[0], s[1]))
    val_logits = logits_of(model, x_val)
    offsets = tune_offsets(val_logits, val[1], metric)
    after = metric(val[1], (val_logits + offsets).argmax(1))
    print(f"{name}: chose C={-minus_c} class_weight={weighting}: val {100 * before:.1f} -> {100 * after:.1f} "
          f"with offsets {offsets.round(2).tolist()}")
    meta = {**meta, "features": "static embedding", "val_score_before_offsets": round(100 * before, 2),
            "val_score": round(100 * after, 2), "C": -minus_c, "class_weight": weighting or "none"}
    path = MODELS_DIR / f"{name}.npz"
    np.savez_compressed(path, labels=np.array(labels), weights=model.coef_.T.astype(np.float32),
                        bias=np.atleast_1d(model.intercept_).astype(np.float32),
                        offsets=offsets.astype(np.float32), meta=np.array(json.dumps(meta, sort_keys=True)))
    return path


def pick_mix_weight(path: Path, partner: str, val: tuple[list[str], np.ndarray], metric: Metric,
                    everyday: list[str] | None = None, max_flagged: float = 0.01) -> float:
    """Choose on validation the weight of embedding head ``path`` in its geometric mean with the
    hashed head ``partner`` (0, 0.1, ..., 1; ties go to the embedding), and record it in its meta
    (``mixed_with``, ``mix_weight``), which :func:`civicpulse.models.text.batch_probs` reads.

    With ``everyday`` texts (general posts, nearly none of them in the positive class), only weights
    that put at most ``max_flagged`` of them in the positive class are eligible (the least flagging
    weight if none is): a model that is best on its validation split but flags one post in thirty
    of an ordinary stream buries the few real ones (``docs/models/hate.md``)."""
    name = path.stem
    embedded = StaticEmbedding(heads=(name,))
    hashed = TextModels(heads=(partner,), nb_heads=())

    def both(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        return embedded.heads[name].probs(embedded.embed(texts)), hashed.probs(partner, hashed.logits(texts))

    weights = [round(float(w), 1) for w in np.linspace(0.0, 1.0, 11)]
    on_val = both(val[0])
    scores = {w: metric(val[1], mix(*on_val, w).argmax(1)) for w in weights}
    on_everyday = both(everyday) if everyday else None
    flagged = {w: float((mix(*on_everyday, w).argmax(1) != 0).mean()) if on_everyday else 0.0 for w in weights}
    eligible = [w for w in weights if flagged[w] <= max_flagged] or [min(weights, key=lambda w: flagged[w])]
    weight = max(eligible, key=lambda w: (scores[w], w))
    print(f"{name}: mixed with {partner}: " + ", ".join(
        f"{w}: {100 * scores[w]:.1f}" + (f" ({100 * flagged[w]:.1f} % everyday)" if everyday else "") for w in weights)
        + f" -> weight {weight}")
    with np.load(path, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files}
    meta = json.loads(str(arrays["meta"]))
    meta.update({"mixed_with": partner, "mix_weight": weight, "val_score_mixed": round(100 * scores[weight], 2)})
    if everyday:
        meta.update({"everyday_flagged_pct": round(100 * flagged[weight], 2), "everyday_posts": len(everyday),
                     "max_everyday_flagged_pct": round(100 * max_flagged, 2)})
    arrays["meta"] = np.array(json.dumps(meta, sort_keys=True))
    np.savez_compressed(path, **arrays)
    return weight


__all__ = ["macro_f1", "macro_recall", "pick_mix_weight", "softmax", "train_embedding_head", "train_head",
           "write_features"]
