"""Rumour models on real data: RumourEval 2017 stance and veracity, Twitter15/16 by 5-fold CV.

:func:`rumour_model_scores` is what ``civicpulse eval detection`` reports; every figure is measured
here and now, nothing is read back from a file:

* ``stance_accuracy`` / ``stance_macro_f1``: the shipped stance model (:mod:`civicpulse.models.stance`)
  on the official RumourEval 2017 test split (1,049 posts, task A); always-"comment" scores 0.742
  accuracy and 0.213 macro-F1.
* ``veracity_accuracy``: the shipped veracity model (:mod:`civicpulse.models.veracity`) on the 28
  task-B test threads, fed the stance model's *predicted* stances of the replies (never the gold).
* ``twitter15_accuracy`` / ``twitter16_accuracy``: Twitter15/16 have no official split, so these are
  stratified 5-fold cross-validation (seeded) of a balanced multinomial logistic regression (C = 1)
  over the shared hashed text features, fitted in numpy by
  :func:`~civicpulse.models.logistic.fit_logistic` (the data ships no propagation trees,
  so the model sees source-tweet text only, like the published bag-of-words SVM baseline).
* ``twitter15_accuracy_grouped`` / ``twitter16_accuracy_grouped``: the same, with near-copies kept in
  one fold. About a fifth of each set's tweets are near-copies of another (the same story retold,
  always with the same label: :func:`near_copy_groups`), so plain folds test on tweets whose twin
  was trained on; the published figures used plain folds, so both are reported.

A data set that is absent gives ``None`` for its keys. Only the standard library and numpy.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from civicpulse.models.features import FeatureConfig, featurise
from civicpulse.models.logistic import SparseRows, fit_logistic
from civicpulse.models.stance import LABELS, StanceInput, stance_model
from civicpulse.models.text import FEATURES_FILE, MODELS_DIR, load_features

__all__ = ["SCORE_KEYS", "RumourPost", "RumourThread", "cv_accuracy", "macro_f1", "near_copy_groups",
           "rumour_model_scores", "rumoureval", "stance_inputs", "twitter1516"]

SEED = 20240601
SCORE_KEYS = ("stance_accuracy", "stance_macro_f1", "veracity_accuracy", "twitter15_accuracy", "twitter16_accuracy",
              "twitter15_accuracy_grouped", "twitter16_accuracy_grouped")
VERACITY = ("true", "false", "unverified")
TWITTER_LABELS = ("non-rumor", "false", "true", "unverified")


@dataclass(frozen=True, slots=True)
class RumourPost:
    split: str
    thread_id: str
    post_id: str
    parent_id: str | None
    is_source: bool
    time: float
    text: str
    stance: str


@dataclass(frozen=True, slots=True)
class RumourThread:
    split: str
    thread_id: str
    veracity: str
    source_text: str
    time: float


def rumoureval(data: Path) -> tuple[list[RumourPost], list[RumourThread]]:
    """All posts and threads of ``data/rumoureval2017`` (every split; filter on ``.split``)."""
    folder = data / "rumoureval2017"
    posts = []
    with (folder / "posts.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            posts.append(RumourPost(r["split"], r["thread_id"], r["post_id"], r["parent_id"], bool(r["is_source"]),
                                    float(r["time"]), r["text"] or "", r["stance"]))
    threads = []
    with (folder / "threads.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            threads.append(RumourThread(r["split"], r["thread_id"], r["veracity"], r["source_text"] or "",
                                        float(r["time"])))
    return posts, threads


def stance_inputs(posts: Sequence[RumourPost]) -> list[StanceInput]:
    """Each post with its depth, parent text and source text, from the reply tree in the data."""
    by_id = {p.post_id: p for p in posts}
    sources = {p.thread_id: p.text for p in posts if p.is_source}
    out = []
    for p in posts:
        depth, cursor, seen = 0, p, set()
        while cursor.parent_id is not None and cursor.parent_id in by_id and cursor.post_id not in seen:
            seen.add(cursor.post_id)
            depth += 1
            cursor = by_id[cursor.parent_id]
        if not p.is_source and depth == 0:
            depth = 1  # parent missing from the data: a reply all the same
        parent = by_id.get(p.parent_id) if p.parent_id else None
        out.append(StanceInput(p.text, depth, parent.text if parent else None,
                               None if p.is_source else sources.get(p.thread_id)))
    return out


def twitter1516(data: Path, name: str) -> tuple[list[str], npt.NDArray[np.int64]]:
    """Texts and label indices (:data:`TWITTER_LABELS`) of ``twitter15`` or ``twitter16``."""
    with (data / "twitter15_16" / f"{name}.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [r["text"] for r in rows], np.array([TWITTER_LABELS.index(r["label"]) for r in rows], dtype=np.int64)


def macro_f1(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> float:
    """Mean F1 over ``labels`` (all four stances count, as in Scarton et al. 2020)."""
    g, p = np.asarray(gold), np.asarray(predicted)
    scores = []
    for c in labels:
        tp = float(np.sum((g == c) & (p == c)))
        denom = float(np.sum(g == c) + np.sum(p == c))
        scores.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(scores))


def _stratified_folds(y: npt.NDArray[np.int64], folds: int, seed: int) -> npt.NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    fold = np.zeros(y.shape[0], dtype=np.int64)
    for c in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == c))
        fold[members] = np.arange(members.size) % folds
    return fold


def _grouped_folds(y: npt.NDArray[np.int64], groups: npt.NDArray[np.int64], folds: int,
                   seed: int) -> npt.NDArray[np.int64]:
    """Folds that keep each group whole and each label's share close to even: groups in a seeded
    order, largest first, each to the fold holding fewest posts of its most common label."""
    rng = np.random.default_rng(seed)
    ids, members_of = np.unique(groups, return_inverse=True)
    order = rng.permutation(ids.size)
    sizes = np.bincount(members_of, minlength=ids.size)
    order = order[np.argsort(-sizes[order], kind="stable")]
    count = np.zeros((folds, int(y.max()) + 1), dtype=np.int64)
    fold = np.zeros(y.shape[0], dtype=np.int64)
    for g in order:
        rows = np.flatnonzero(members_of == g)
        label = int(np.bincount(y[rows]).argmax())
        target = int(np.lexsort((count.sum(axis=1), count[:, label]))[0])
        fold[rows] = target
        np.add.at(count[target], y[rows], 1)
    return fold


def near_copy_groups(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """A group id per text: texts the ``near_duplicates`` analyser would call copies of each other
    (MinHash signatures agreeing on at least its ``THRESHOLD``), joined transitively."""
    from civicpulse.analysers.near_duplicates import SHINGLE, THRESHOLD, normalise, signatures

    sigs = signatures([normalise(t).ljust(SHINGLE) for t in texts])
    parent = np.arange(len(texts))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    for i in range(len(texts) - 1):  # one row of agreements at a time: memory stays O(n)
        for j in np.flatnonzero((sigs[i + 1:] == sigs[i]).mean(axis=1) >= THRESHOLD) + i + 1:
            parent[root(i)] = root(int(j))
    return np.array([root(i) for i in range(len(texts))], dtype=np.int64)


def cv_accuracy(texts: list[str], y: npt.NDArray[np.int64], k: int, *, folds: int = 5, seed: int = SEED,
                config: FeatureConfig | None = None, idf: npt.NDArray[np.float32] | None = None,
                groups: npt.NDArray[np.int64] | None = None) -> float:
    """Mean accuracy over seeded stratified ``folds`` of a balanced logistic regression (C = 1,
    :func:`~civicpulse.models.logistic.fit_logistic`) on the shared hashed features; with
    ``groups``, each group's texts stay in one fold."""
    if config is None or idf is None:
        config, idf = load_features(MODELS_DIR / FEATURES_FILE)
    f = featurise(texts, config, idf)
    fold = _stratified_folds(y, folds, seed) if groups is None else _grouped_folds(y, groups, folds, seed)
    accuracies = []
    for i in range(folds):
        train_rows = np.flatnonzero(fold != i)
        test_rows = np.flatnonzero(fold == i)
        remap = np.full(len(texts), -1, dtype=np.int64)
        remap[train_rows] = np.arange(train_rows.size)
        keep = remap[f.rows] >= 0
        # Only the buckets that occur in training get a weight.
        used, compact = np.unique(f.cols[keep], return_inverse=True)
        train = SparseRows(remap[f.rows[keep]], compact.astype(np.int64), f.vals[keep].astype(np.float64),
                           (train_rows.size, used.size))
        model = fit_logistic(train, y[train_rows], k)
        t_remap = np.full(len(texts), -1, dtype=np.int64)
        t_remap[test_rows] = np.arange(test_rows.size)
        t_keep = t_remap[f.rows] >= 0
        position = np.minimum(np.searchsorted(used, f.cols[t_keep]), used.size - 1)
        known = used[position] == f.cols[t_keep]
        test = SparseRows(t_remap[f.rows[t_keep]][known], position[known].astype(np.int64),
                          f.vals[t_keep][known].astype(np.float64), (test_rows.size, used.size))
        accuracies.append(float(np.mean(model.logits(test).argmax(axis=1) == y[test_rows])))
    return float(np.mean(accuracies))


def _stance_scores(data: Path) -> dict[str, float]:
    posts, threads = rumoureval(data)
    test = [p for p in posts if p.split == "test"]
    predicted = stance_model().predict(stance_inputs(test))
    gold = [p.stance for p in test]
    out = {"stance_accuracy": float(np.mean(np.asarray(gold) == np.asarray(predicted))),
           "stance_macro_f1": macro_f1(gold, predicted, LABELS)}
    from civicpulse.models.veracity import veracity_model

    model = veracity_model()
    test_threads = [t for t in threads if t.split == "test"]
    verdicts = model.predict_threads(test_threads, test)
    out["veracity_accuracy"] = float(np.mean([v == t.veracity for v, t in zip(verdicts, test_threads,
                                                                                strict=True)]))
    return out


def rumour_model_scores(data: Path) -> dict[str, float | None]:
    """:data:`SCORE_KEYS` (fractions in [0, 1]); ``None`` where that data set is absent."""
    data = Path(data).expanduser().resolve()
    out: dict[str, float | None] = dict.fromkeys(SCORE_KEYS)
    if (data / "rumoureval2017" / "posts.jsonl").is_file():
        out.update(_stance_scores(data))
    for name in ("twitter15", "twitter16"):
        if (data / "twitter15_16" / f"{name}.tsv").is_file():
            texts, y = twitter1516(data, name)
            out[f"{name}_accuracy"] = cv_accuracy(texts, y, len(TWITTER_LABELS))
            out[f"{name}_accuracy_grouped"] = cv_accuracy(texts, y, len(TWITTER_LABELS),
                                                          groups=near_copy_groups(texts))
    return out


if __name__ == "__main__":  # python -m civicpulse.evaluation.rumours [DATA]
    import sys

    print(json.dumps(rumour_model_scores(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")),
                     indent=2))
