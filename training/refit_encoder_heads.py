"""Refit the ``accurate`` encoder's heads on the CPU from frozen embeddings, identity-balanced.

    .venv/bin/python training/refit_encoder_heads.py [--data PATH]

The encoder (``train_encoder.py``) was fine-tuned on a lent GPU that is gone; its bias audit found
that the mere mention of some groups ("transgender", "gay", "disabled", ...) pushes posts towards
offensive, hate or negative. Without a GPU the encoder's layers stay frozen, but the linear heads
on its mean-pooled embedding can be refitted:

1. Graph surgery (the ``onnx`` package, the ``train`` extra): the shipped int8 graph also outputs
   its mean-pooled embedding as ``pooled`` (idempotent; same weights, so same logits as before).
2. Every training post of TweetEval sentiment, emotion, offensive and hate is embedded, one post per
   ONNX call as at run time (cached in ``.scratch/encoder_pooled/``, keyed by the graph's and the
   texts' hash).
3. For sentiment, offensive and hate, identity-term balancing built like ``debias.py`` (Dixon et al.
   2018), from each task's own training split: for every audit term, benign counterfactual tweets
   (a seeded random benign training tweet that names one term of the same category, with that term
   swapped in) are added until the term's share of harmful tweets is no higher than the base rate.
   Benign is ``not-offensive`` / ``not-hate`` / ``neutral``; harmful is the positive class, or
   ``negative`` for sentiment. Emotion has no harmful class and is refitted unbalanced.
4. Balancing alone barely moves frozen features (measured: the model card), so for the same three
   tasks the *identity subspace* is projected out of the embedding before the head (after Bolukbasi
   et al. 2016, "hard debiasing"): seeded training tweets naming one audit term are rewritten with
   every term of that category; the variants' differences from their mean span the directions in
   which the encoder tells the terms apart; the top ``k`` principal directions are removed
   (``P = I - VᵀV``). The head is fitted on ``x P`` and shipped as ``W P``: still one linear layer.
5. A multinomial logistic regression per task; C and class weighting chosen on the official
   *validation* split without projection, then ``k`` among ``KS``: the best mean validation score
   of the projected tasks. The test splits are read only to record scores.

Writes ``src/civicpulse/models/encoder_heads.npz`` (the heads, applied by
:class:`civicpulse.models.encoder.Encoder` to ``pooled``) and ``heads_refit`` in ``encoder.json``.
Then rerun ``pick_ensemble.py``: the mixing weight must be chosen again for the new heads. The
package does not ship this script's output at present: it removes the offensive and hate gaps but
costs the sentiment and offensive targets (scores and audit in ``docs/models/encoder.md``)."""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np
import onnx
from common import DEFAULT_DATA, MODELS_DIR, SEED
from debias import BALANCED, _swap, _term, counterfactuals
from sklearn.linear_model import LogisticRegression

from civicpulse.evaluation.bias import GROUPS
from civicpulse.evaluation.datasets import tweeteval
from civicpulse.evaluation.runner import macro_f1, macro_recall
from civicpulse.models.encoder import (
    ENCODER_FILE,
    ENCODER_META,
    HEADS_FILE,
    POOLED,
    TASKS,
    Encoder,
    read_graph,
    write_graph,
)

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".scratch" / "encoder_pooled"
HEADS = ("sentiment", "emotion", "offensive", "hate")
#: The mean-pooling node's output in the exported graph (``MultiTask.pooled``'s division by the mask sum).
POOLING_NODE_OUTPUT = "/Div_output_0"
CS = (0.1, 0.3, 1.0, 3.0)
WEIGHTINGS = (None, "balanced")
#: Dimensions of the identity subspace tried (0, no projection, is no mitigation: not a candidate).
KS = (4, 8, 16, 32)
#: Training tweets per category rewritten with each of its terms to find the identity subspace.
VARIANT_TWEETS = 60


def add_pooled_output(path: Path) -> bool:
    """Make the graph at ``path`` also output its mean-pooled embedding as ``pooled``; False if it did."""
    model = onnx.load_from_string(read_graph(path))
    graph = model.graph
    if any(o.name == POOLED for o in graph.output):
        return False
    if not any(POOLING_NODE_OUTPUT in node.output for node in graph.node):
        sys.exit(f"error: {path} has no node output {POOLING_NODE_OUTPUT}; was it exported by train_encoder.py?")
    graph.node.append(onnx.helper.make_node("Identity", [POOLING_NODE_OUTPUT], [POOLED], name="pooled_output"))
    graph.output.append(onnx.helper.make_tensor_value_info(POOLED, onnx.TensorProto.FLOAT, ["batch", "width"]))
    onnx.checker.check_model(model)
    write_graph(path, model.SerializeToString())
    return True


@lru_cache(maxsize=1)
def _graph_digest() -> str:
    return hashlib.sha256((MODELS_DIR / ENCODER_FILE).read_bytes()).hexdigest()


def embed(encoder: Encoder, texts: list[str], name: str) -> np.ndarray:
    """Pooled embeddings of ``texts``, cached by the graph's and their hash."""
    digest = hashlib.sha256(_graph_digest().encode() + "\x00".join(texts).encode("utf-8", "replace")).hexdigest()[:16]
    path = CACHE / f"{name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    started = time.time()
    out = np.concatenate([encoder.pooled(texts[i:i + 512]) for i in range(0, len(texts), 512)]) if texts else (
        np.zeros((0, 384), dtype=np.float32))
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    print(f"embedded {name}: {len(texts)} posts in {time.time() - started:.0f} s", flush=True)
    return out


def identity_directions(encoder: Encoder, texts: list[str]) -> np.ndarray:
    """Principal directions (rows, strongest first) in which the encoder tells apart the audit terms
    of one category, from seeded training tweets rewritten with each term of their category."""
    rng = np.random.default_rng(SEED)
    variants: list[list[str]] = []
    for terms in GROUPS.values():
        patterns = {t: _term(t) for t in terms}
        named = [(text, [t for t, p in patterns.items() if p.search(text)]) for text in texts]
        pool = [(text, found[0]) for text, found in named if len(found) == 1]
        for i in rng.choice(len(pool), size=min(VARIANT_TWEETS, len(pool)), replace=False).tolist():
            text, source = pool[i]
            variants.append([_swap(text, source, t) for t in terms])
    embedded = embed(encoder, [v for group in variants for v in group], "identity-variants")
    centred, start = [], 0
    for group in variants:
        block = embedded[start:start + len(group)].astype(np.float64)
        centred.append(block - block.mean(axis=0))
        start += len(group)
    return np.asarray(np.linalg.svd(np.concatenate(centred), full_matrices=False)[2])


def fit(x: np.ndarray, y: np.ndarray, c: float, weighting: str | None) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight=weighting, max_iter=2000, random_state=SEED).fit(x, y)


def metric(task: str, gold: np.ndarray, predicted: np.ndarray) -> float:
    labels = TASKS[task]
    g, p = [labels[i] for i in gold.tolist()], [labels[i] for i in predicted.tolist()]
    return round(100 * (macro_recall(g, p) if task == "sentiment" else macro_f1(g, p)), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-balance", action="store_true",
                        help="refit without counterfactuals or projection (for comparison)")
    parser.add_argument("--embed-only", action="store_true", help="surgery and embedding cache, no fitting")
    args = parser.parse_args()
    graph = MODELS_DIR / ENCODER_FILE
    if add_pooled_output(graph):
        print(f"added the {POOLED!r} output to {graph}", flush=True)
    encoder = Encoder(MODELS_DIR, threads=1)
    pool: list[str] = []
    for task in BALANCED:
        pool += tweeteval(args.data, task, "train")[0]
    directions = identity_directions(encoder, pool)
    splits: dict[str, tuple[np.ndarray, ...]] = {}
    record: dict[str, dict[str, object]] = {}
    for task in HEADS:
        texts, y = tweeteval(args.data, task, "train")
        x = embed(encoder, texts, f"{task}-train")
        added = 0
        if task in BALANCED and not args.no_balance:
            extra, y_extra = counterfactuals(task, texts, y)
            x, y, added = np.concatenate([x, embed(encoder, extra, f"{task}-counterfactual")]), (
                np.concatenate([y, y_extra])), len(extra)
        val_texts, y_val = tweeteval(args.data, task, "val")
        test_texts, y_test = tweeteval(args.data, task, "test")
        x_val, x_test = embed(encoder, val_texts, f"{task}-val"), embed(encoder, test_texts, f"{task}-test")
        splits[task] = (x, y, x_val, y_val, x_test, y_test)
        if args.embed_only:
            continue
        grid = {(c, w): metric(task, y_val, fit(x, y, c, w).predict(x_val)) for c in CS for w in WEIGHTINGS}
        c, weighting = max(grid, key=lambda key: grid[key])
        record[task] = {"counterfactuals": added, "C": c, "class_weight": weighting or "none",
                        "validation_unprojected": grid[c, weighting]}
        print(f"{task}: {added} counterfactuals; C={c} {weighting or 'unweighted'}: validation {grid[c, weighting]}",
              flush=True)
    if args.embed_only:
        return
    projected = [t for t in HEADS if t in BALANCED and not args.no_balance]
    by_k: dict[int, dict[str, tuple[float, LogisticRegression]]] = {}
    for k in KS if projected else ():
        p = np.eye(directions.shape[1]) - directions[:k].T @ directions[:k]
        by_k[k] = {}
        for task in projected:
            x, y, x_val, y_val, _, _ = splits[task]
            model = fit(x @ p, y, record[task]["C"], None if record[task]["class_weight"] == "none" else "balanced")
            by_k[k][task] = (metric(task, y_val, model.predict(x_val @ p)), model)
        print(f"k={k}: validation " + ", ".join(f"{t} {v[0]}" for t, v in by_k[k].items()), flush=True)
    k = max(by_k, key=lambda k: float(np.mean([v[0] for v in by_k[k].values()]))) if by_k else 0
    p = np.eye(directions.shape[1]) - directions[:k].T @ directions[:k]
    heads: dict[str, np.ndarray] = {}
    for task in HEADS:
        x, y, x_val, y_val, x_test, y_test = splits[task]
        if task in projected:
            score, model = by_k[k][task]
            weight = model.coef_ @ p
        else:
            c, w = record[task]["C"], record[task]["class_weight"]
            model = fit(x, y, c, None if w == "none" else "balanced")
            score, weight = metric(task, y_val, model.predict(x_val)), model.coef_
        bias = model.intercept_
        if len(TASKS[task]) == 2:  # sklearn's binary model is one row: logits (0, z) give the same softmax
            weight, bias = np.concatenate([np.zeros_like(weight), weight]), np.concatenate([[0.0], bias])
        heads[f"{task}_weight"], heads[f"{task}_bias"] = weight.astype(np.float32), bias.astype(np.float32)
        test = metric(task, y_test, (x_test.astype(np.float64) @ weight.T + bias).argmax(axis=1))
        record[task].update({"projected": task in projected, "validation": score, "test_alone": test})
        print(f"{task}: validation {score}, test (encoder alone) {test}", flush=True)
    validation_k = {str(k): {t: v[0] for t, v in scores.items()} for k, scores in by_k.items()}
    if args.embed_only:
        return
    np.savez_compressed(MODELS_DIR / HEADS_FILE, **heads)
    path = MODELS_DIR / ENCODER_META
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["heads_refit"] = {"balanced": not args.no_balance, "identity_dimensions": k,
                           "validation_by_dimensions": validation_k, "tasks": record}
    path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {MODELS_DIR / HEADS_FILE}; now rerun training/pick_ensemble.py", flush=True)


if __name__ == "__main__":
    main()
