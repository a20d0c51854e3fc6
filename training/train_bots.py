"""Bot-likeness: Gilani et al. 2017 (bot / human Twitter accounts with behavioural features).

    .venv/bin/python training/train_bots.py [--data PATH]

The data set has no official split, so every model is scored by stratified 10-fold cross-validation,
per popularity band and pooled (``SEED``). The 21 accounts that occur twice with conflicting labels
(bot in one band, human in another) are dropped, both rows, before anything else: 3,389 rows remain.

Scored side by side under the same folds:

- **ours, deployable** (shipped): logistic regression over :func:`civicpulse.models.bots.design` of
  the three features the ``account`` analyser provides at run time (age, follower ratio, posts/day);
- Random Forest (500 trees) on the same three features;
- Random Forest and logistic regression on **all** 14 numeric features of the data set (not
  deployable: we do not see likes, lists, clients or media in a ``Post``), to show what is lost.

The shipped model is fitted on all pooled rows with the C that cross-validates best.
Writes ``src/civicpulse/models/bots.npz``; prints a Markdown table for ``docs/models/bots.md``.
"""

from __future__ import annotations

import csv
import json
import os
import sys

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
from common import DEFAULT_DATA, MODELS_DIR, SEED
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import StandardScaler

from civicpulse.models.bots import BOTS_FILE, DESIGN_NAMES, design

FILE = Path("gilani2017_bots") / "gilani2017_accounts.csv"
BANDS = ("1k", "100k", "1M", "10M")
ALL = ("user_tweeted", "user_retweeted", "user_favourited", "user_replied", "likes_per_tweet",
       "retweets_per_tweet", "lists_per_user", "follower_friend_ratio", "tweet_frequency",
       "favourite_tweet_ratio", "age_of_account_in_days", "sources_count", "urls_count", "cdn_content_in_kb")
#: Data set column -> the account analyser's feature, in :data:`civicpulse.models.bots.FEATURES` order.
DEPLOYABLE = ("age_of_account_in_days", "follower_friend_ratio", "tweet_frequency")
CS = (0.01, 0.1, 1.0, 10.0)

Fit = Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]]


def load(data: Path) -> tuple[list[dict[str, str]], list[str]]:
    with (data / FILE).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    labels: dict[str, set[str]] = {}
    for row in rows:
        labels.setdefault(row["account_hash"], set()).add(row["label"])
    conflicting = sorted(h for h, seen in labels.items() if len(seen) > 1)
    return [r for r in rows if r["account_hash"] not in conflicting], conflicting


def columns(rows: list[dict[str, str]], names: tuple[str, ...]) -> np.ndarray:
    return np.array([[float(r[n]) for n in names] for r in rows], dtype=np.float64)


def lr_design(c: float) -> Fit:
    def fit(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
        scaler = StandardScaler().fit(design(x))
        model = LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(scaler.transform(design(x)), y)
        return lambda z: model.predict_proba(scaler.transform(design(z)))[:, 1]
    return fit


def lr_all(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    def tf(z: np.ndarray) -> np.ndarray:  # signed log: a few ratios are negative (bad rows in the source)
        return np.sign(z) * np.log1p(np.abs(z))
    scaler = StandardScaler().fit(tf(x))
    model = LogisticRegression(C=1.0, max_iter=5000, random_state=SEED).fit(scaler.transform(tf(x)), y)
    return lambda z: model.predict_proba(scaler.transform(tf(z)))[:, 1]


def rf(x: np.ndarray, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    model = RandomForestClassifier(n_estimators=500, min_samples_leaf=2, random_state=SEED, n_jobs=1).fit(x, y)
    return lambda z: model.predict_proba(z)[:, 1]


def cross_validate(fit: Fit, x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    folds = StratifiedKFold(n_splits=10, shuffle=True, random_state=SEED)
    prob = np.zeros(len(y))
    for train, test in folds.split(x, y):
        prob[test] = fit(x[train], y[train])(x[test])
    pred = (prob >= 0.5).astype(int)
    return {"accuracy": round(float(np.mean(pred == y)), 3), "bot_f1": round(float(f1_score(y, pred)), 3),
            "auc": round(float(roc_auc_score(y, prob)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder holding gilani2017_bots/")
    data = parser.parse_args().data.resolve()
    if not (data / FILE).exists():
        sys.exit(f"error: no {data / FILE}. Fix: pass --data PATH pointing at the shared labelled data folder.")
    rows, conflicting = load(data)
    print(f"{len(rows)} rows after dropping {len(conflicting)} accounts with conflicting labels "
          f"({2 * len(conflicting)} rows): {', '.join(conflicting)}")
    y_all = np.array([r["label"] == "bot" for r in rows], dtype=int)
    band_all = np.array([r["popularity_band"] for r in rows])
    dep_all, full_all = columns(rows, DEPLOYABLE), columns(rows, ALL)

    # C for the shipped model: pooled 10-fold CV accuracy.
    by_c = {c: cross_validate(lr_design(c), dep_all, y_all) for c in CS}
    best_c = max(CS, key=lambda c: (by_c[c]["accuracy"], -c))
    print("C:", {c: s["accuracy"] for c, s in by_c.items()}, "->", best_c)

    models: dict[str, tuple[Fit, bool]] = {
        "ours (LR, 3 deployable features)": (lr_design(best_c), True),
        "Random Forest, 3 deployable features": (rf, True),
        "logistic regression, all 14 features": (lr_all, False),
        "Random Forest, all 14 features": (rf, False),
    }
    results: dict[str, dict[str, dict[str, float]]] = {}
    for name, (fit, deployable) in models.items():
        x_all = dep_all if deployable else full_all
        results[name] = {"pooled": cross_validate(fit, x_all, y_all)}
        for band in BANDS:
            mask = band_all == band
            results[name][band] = cross_validate(fit, x_all[mask], y_all[mask])
        print(name, results[name])
    majority = {band: round(max(Counter(y_all[band_all == band].tolist()).values()) / int(np.sum(band_all == band)), 3)
                for band in BANDS}
    majority["pooled"] = round(max(Counter(y_all.tolist()).values()) / len(y_all), 3)

    print("\n| model | " + " | ".join(f"{b} acc / AUC" for b in (*BANDS, "pooled")) + " |")
    print("|---|" + "---|" * (len(BANDS) + 1))
    print("| majority class | " + " | ".join(f"{majority[b]:.3f} / 0.5" for b in (*BANDS, "pooled")) + " |")
    for name, per in results.items():
        cells = [f"{per[b]['accuracy']:.3f} / {per[b]['auc']:.3f}" for b in (*BANDS, "pooled")]
        print(f"| {name} | " + " | ".join(cells) + " |")

    x = design(dep_all)
    scaler = StandardScaler().fit(x)
    model = LogisticRegression(C=best_c, max_iter=5000, random_state=SEED).fit(scaler.transform(x), y_all)
    meta = {"task": "bot-likeness", "data": "Gilani et al. 2017, all bands pooled, conflicting accounts dropped",
            "rows": len(rows), "dropped_conflicting": conflicting, "C": best_c, "cv": results,
            "majority": majority}
    np.savez_compressed(MODELS_DIR / BOTS_FILE, feature_names=np.array(DESIGN_NAMES),
                        mean=scaler.mean_.astype(np.float64), scale=scaler.scale_.astype(np.float64),
                        weights=model.coef_[0].astype(np.float64), bias=np.array(model.intercept_[0]),
                        meta=np.array(json.dumps(meta, sort_keys=True)))
    print(f"wrote {MODELS_DIR / BOTS_FILE}")


if __name__ == "__main__":
    main()
