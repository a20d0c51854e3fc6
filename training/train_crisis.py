"""Crisis heads on CrisisLex: relevance (T6), informativeness and information type (T26).

    .venv/bin/python training/train_crisis.py [--data PATH] [--no-baseline]

Each head is the geometric mean (weight ``TASKS[name].embedding_weight``) of two models fitted on
*all* events:
* scikit-learn's ``MultinomialNB(alpha, fit_prior=False)`` on the word block of the shared hashed
  features, exported as its per-class feature counts (``{name}_nb.npz``,
  :mod:`civicpulse.models.naive_bayes`);
* a balanced logistic regression over the static sentence embedding, fitted by
  :func:`civicpulse.models.logistic.fit_logistic` (``{name}.npz``, an embedding head whose metadata
  names its naive Bayes partner).

Before that, the script reports the recipes under the leave-one-event-out protocol of the data
README, with the evaluation's own macro-F1:
* the mix, and each half alone, computed by
  :func:`civicpulse.evaluation.crisis.leave_one_event_out` (what ``civicpulse eval --task
  crisis_relevance`` reruns);
* the TF-IDF + logistic-regression baseline the README asks for (balanced, C=1), fitted with
  scikit-learn per held-out event on the same word block (tf-idf word unigrams and bigrams). On T6
  the LR on word + character n-grams (the other heads' features) was measured once too: mean 69.7,
  no better; it is ~10x slower to fit, too slow for 52 T26 folds on the shared machine.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from common import MODELS_DIR, SEED, data_arg
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import MultinomialNB
from textclf import shared_features

from civicpulse.evaluation.crisis import TASKS, leave_one_event_out, task_data
from civicpulse.evaluation.runner import macro_f1
from civicpulse.models import naive_bayes
from civicpulse.models.features import featurise
from civicpulse.models.logistic import fit_logistic
from civicpulse.models.static_embedding import StaticEmbedding

REPORT = Path(__file__).resolve().parent / "crisis_loeo.json"


def _word_matrix(texts: list[str]) -> sparse.csr_matrix:
    config, idf = shared_features()
    rows, cols, vals = naive_bayes.word_view(featurise(texts, config, idf))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), 1 << config.word_bits))


def _lr_baseline(texts: list[str], gold: list[str], events: list[str]) -> dict[str, object]:
    x = _word_matrix(texts)
    y = np.array(gold)
    ev = np.array(events)
    scores: dict[str, float] = {}
    for event in sorted(set(events)):
        train, test = ev != event, ev == event
        model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=400, random_state=SEED)
        model.fit(x[train], y[train])
        scores[event] = round(100 * macro_f1(list(y[test]), list(model.predict(x[test]))), 1)
        print(f"  LR {event}: {scores[event]}", flush=True)
    return {"per_event": scores, "mean": round(float(np.mean(list(scores.values()))), 1)}


def main_with(data: Path | None = None, baseline: bool = True) -> None:
    data = data or data_arg(__doc__ or "")
    config, idf = shared_features()
    embedding = StaticEmbedding(heads=())
    report: dict[str, object] = {}
    for name, spec in TASKS.items():
        texts, gold, events = task_data(data, name)
        embedded = embedding.embed(texts)
        loeo = leave_one_event_out(texts, gold, events, spec, config, idf, macro_f1, embedded)
        print(f"{name}: leave-one-event-out mean macro-F1 {loeo['mean']} (naive Bayes alone "
              f"{loeo['naive_bayes_mean']}, embedding regression alone {loeo['embedding_mean']})", flush=True)
        entry: dict[str, object] = {"mix": loeo, "alpha": spec.alpha, "embedding_weight": spec.embedding_weight}
        if baseline:
            lr = _lr_baseline(texts, gold, events)
            entry["logistic_regression"] = lr
            print(f"{name}: LR baseline mean {lr['mean']}", flush=True)
        report[name] = entry
        x = _word_matrix(texts)
        y = np.array([spec.labels.index(g) for g in gold])
        model = MultinomialNB(alpha=spec.alpha, fit_prior=False).fit(x, y)
        meta = {"task": name, "data": spec.description + "; all events", "metric": "macro_f1",
                "languages": ["en"], "loeo_mean": loeo["mean"]}
        naive_bayes.save(MODELS_DIR / f"{name}_nb.npz", list(spec.labels), model.feature_count_, spec.alpha,
                         config, {**meta, "model": f"MultinomialNB(alpha={spec.alpha}, fit_prior=False), word block",
                                  "loeo_mean_alone": loeo["naive_bayes_mean"]})
        regression = fit_logistic(embedded, y, len(spec.labels), spec.embedding_c)
        np.savez_compressed(
            MODELS_DIR / f"{name}.npz", labels=np.array(spec.labels), weights=regression.weights.astype(np.float32),
            bias=regression.bias.astype(np.float32), offsets=np.zeros(len(spec.labels), dtype=np.float32),
            meta=np.array(json.dumps({**meta, "features": "static embedding", "C": spec.embedding_c,
                                      "class_weight": "balanced", "loeo_mean_alone": loeo["embedding_mean"],
                                      "mixed_with": f"{name}_nb", "mix_weight": spec.embedding_weight},
                                     sort_keys=True)))
    if baseline:
        REPORT.write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
        print(f"wrote {REPORT}")


if __name__ == "__main__":
    no_baseline = "--no-baseline" in sys.argv
    if no_baseline:
        sys.argv.remove("--no-baseline")
    main_with(baseline=not no_baseline)
