"""Crisis tasks on CrisisLex, evaluated leaving one event out, with numpy alone.

CrisisLex has no official split; the data README's protocol is *leave one event out*: train on
every other event, test on the held-out one, report macro-F1 per held-out event and the mean. That
measures what a control room needs: relevance filtering for a crisis the model has never seen.

Each shipped crisis head is the geometric mean of two models fitted on all events: naive Bayes
over the word n-grams (:mod:`civicpulse.models.naive_bayes`) and a logistic regression over the
static sentence embedding (:mod:`civicpulse.models.logistic`). This module refits both for every
held-out event with the shipped recipe (naive Bayes: all-events counts minus that event's counts,
same smoothing; the regression: same C, balanced) and scores the held-out tweets.
``training/train_crisis.py`` builds the shipped models from :func:`task_data` and
:data:`TASKS` too, so both read the same rows, labels and settings.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.evaluation.datasets import crisislex_t6, crisislex_t26
from civicpulse.models import naive_bayes
from civicpulse.models.features import FeatureConfig, featurise
from civicpulse.models.logistic import fit_logistic
from civicpulse.models.probability import mix, softmax

__all__ = ["TASKS", "CrisisTask", "leave_one_event_out", "task_data"]


@dataclass(frozen=True)
class CrisisTask:
    name: str
    #: Our label names, in head column order.
    labels: tuple[str, ...]
    #: The data set's label string for each of ours.
    source_labels: tuple[str, ...]
    #: Laplace/Lidstone smoothing of the shipped head (see ``docs/models/crisis.md`` for the choice).
    alpha: float
    description: str
    #: Weight of the embedding regression in the geometric mean with naive Bayes. Fixed in advance
    #: at an even mix, never tuned (there is no split to tune it on; ``docs/models/crisis.md``).
    embedding_weight: float = 0.5
    #: The regression's inverse L2 strength: scikit-learn's default, not tuned.
    embedding_c: float = 1.0


TASKS: dict[str, CrisisTask] = {
    "crisis_relevance": CrisisTask(
        "crisis_relevance", ("off-topic", "on-topic"), ("off-topic", "on-topic"), 1.0,
        "CrisisLex T6 (6 events, 60,082 tweets), on-topic vs off-topic"),
    "crisis_informativeness": CrisisTask(
        "crisis_informativeness", ("informative", "not-informative", "not-related"),
        ("Related and informative", "Related - but not informative", "Not related"), 0.1,
        "CrisisLex T26 (26 events, 27,444 tweets with one of these labels), informativeness"),
    "crisis_info_type": CrisisTask(
        "crisis_info_type",
        ("affected-individuals", "infrastructure-utilities", "donations-volunteering", "caution-advice",
         "sympathy-support", "other-useful"),
        ("Affected individuals", "Infrastructure and utilities", "Donations and volunteering",
         "Caution and advice", "Sympathy and support", "Other Useful Information"), 0.1,
        "CrisisLex T26 (26 events, 23,376 tweets with a type), information type"),
}


def task_data(data: Path, task: str) -> tuple[list[str], list[str], list[str]]:
    """Texts, our label names and events of a crisis task (rows without one of its labels dropped)."""
    spec = TASKS[task]
    to_ours = dict(zip(spec.source_labels, spec.labels, strict=True))
    if task == "crisis_relevance":
        texts, labels, events = crisislex_t6(data)
        return texts, [to_ours[x] for x in labels], events
    column = "informativeness" if task == "crisis_informativeness" else "information_type"
    rows = [r for r in crisislex_t26(data) if r[column] in to_ours]
    return [r["text"] for r in rows], [to_ours[r[column]] for r in rows], [r["event"] for r in rows]


Metric = Callable[[Sequence[str], Sequence[str]], float]


def leave_one_event_out(texts: list[str], gold: list[str], events: list[str], spec: CrisisTask,
                        config: FeatureConfig, idf: npt.NDArray[np.float32], metric: Metric,
                        embedded: npt.NDArray[np.floating] | None = None) -> dict[str, Any]:
    """``{"per_event": {event: score ×100}, "mean": ..., "n_events": ...}`` for ``spec``'s recipe.

    With the texts' static embeddings (``embedded``), the recipe is the shipped mix, and
    ``"naive_bayes_mean"`` and ``"embedding_mean"`` give each part's mean alone; without them it
    is naive Bayes alone."""
    f = featurise(texts, config, idf)
    rows, cols, vals = naive_bayes.word_view(f)
    y = np.array([spec.labels.index(g) for g in gold], dtype=np.int64)
    event_names = sorted(set(events))
    event_of = np.array([event_names.index(e) for e in events], dtype=np.int64)
    n_features = 1 << config.word_bits
    k = len(spec.labels)
    total = naive_bayes.fit_counts(rows, cols, vals, y, k, n_features)
    raw: dict[str, dict[str, float]] = {"mix": {}, "naive_bayes": {}, "embedding": {}}
    for i, name in enumerate(event_names):
        held_row = event_of == i
        held_occ = held_row[rows]
        counts = total - naive_bayes.fit_counts(rows[held_occ], cols[held_occ], vals[held_occ], y, k, n_features)
        # Exact zeros again where only the held-out event had the feature (float subtraction noise).
        counts[counts < 1e-9] = 0.0
        weights = naive_bayes.log_probs(counts, spec.alpha)
        index = np.flatnonzero(held_row)
        local = np.full(len(texts), -1, dtype=np.int64)
        local[index] = np.arange(index.size)
        logits = np.zeros((index.size, k))
        for c in range(k):
            logits[:, c] = np.bincount(local[rows[held_occ]], weights=vals[held_occ] * weights[cols[held_occ], c],
                                       minlength=index.size)
        held_gold = [gold[j] for j in index.tolist()]
        nb_probs = softmax(logits)
        raw["naive_bayes"][name] = _score(metric, held_gold, nb_probs, spec)
        if embedded is not None:
            regression = fit_logistic(embedded[~held_row], y[~held_row], k, spec.embedding_c)
            embedding_probs = softmax(regression.logits(embedded[held_row]))
            raw["embedding"][name] = _score(metric, held_gold, embedding_probs, spec)
            raw["mix"][name] = _score(metric, held_gold, mix(embedding_probs, nb_probs, spec.embedding_weight), spec)
    shipped = raw["mix"] if embedded is not None else raw["naive_bayes"]
    out: dict[str, Any] = {"per_event": {name: round(value, 1) for name, value in shipped.items()},
                           "mean": _mean(shipped), "n_events": len(event_names)}
    if embedded is not None:
        out.update(naive_bayes_mean=_mean(raw["naive_bayes"]), embedding_mean=_mean(raw["embedding"]))
    return out


def _score(metric: Metric, gold: list[str], probs: npt.NDArray[np.float64], spec: CrisisTask) -> float:
    return 100 * metric(gold, [spec.labels[j] for j in probs.argmax(axis=1).tolist()])


def _mean(scores: dict[str, float]) -> float:
    return round(float(np.mean(list(scores.values()))), 1)
