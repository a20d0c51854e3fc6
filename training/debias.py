"""Identity-term balancing of a binary training set, from the training data itself (after Dixon et
al. 2018, "Measuring and Mitigating Unintended Bias in Text Classification").

The bias audit found that the offensive model reads the mere mention of some groups ("black",
"disabled", ...) as offensive: in the training tweets those words occur mostly in offensive ones.
For every identity term we add *non-offensive* counterfactual tweets until the term's share of
offensive tweets is no higher than the base rate: each added tweet is a seeded random
non-offensive training tweet that names one term of the same category, with that term replaced.
No text from outside the training split is used.

The terms are those of the bias audit (:data:`civicpulse.evaluation.bias.GROUPS`), so the audit is
no longer independent of the mitigation: its templates were not used, its terms were. The model
card says so.
"""

from __future__ import annotations

import re

import numpy as np
from common import SEED

from civicpulse.evaluation.bias import GROUPS

__all__ = ["BALANCED", "counterfactuals", "identity_balanced"]

#: Task → (index of the harmful class the audit counts, index of the benign class counterfactuals get).
BALANCED = {"sentiment": (0, 1), "offensive": (1, 0), "hate": (1, 0)}


def _term(term: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(term) + r"\b", re.IGNORECASE)


def _swap(text: str, source: str, target: str) -> str:
    return _term(source).sub(lambda m: target.capitalize() if m.group(0)[0].isupper() else target, text)


def identity_balanced(texts: list[str], labels: np.ndarray) -> tuple[list[str], np.ndarray, int]:
    """``texts`` and ``labels`` (1 = offensive) plus the added non-offensive counterfactuals, and
    how many were added."""
    rng = np.random.default_rng(SEED)
    base = float(labels.mean())
    ratio = (1.0 - base) / base
    added: list[str] = []
    for terms in GROUPS.values():
        patterns = {t: _term(t) for t in terms}
        # Non-offensive tweets naming exactly one term of the category: the counterfactual pool.
        pool: list[tuple[str, str]] = []
        for text, label in zip(texts, labels.tolist(), strict=True):
            if label == 0:
                named = [t for t, p in patterns.items() if p.search(text)]
                if len(named) == 1:
                    pool.append((text, named[0]))
        if not pool:
            continue
        for term, pattern in patterns.items():
            mentions = [label for text, label in zip(texts, labels.tolist(), strict=True) if pattern.search(text)]
            offensive = sum(mentions)
            need = int(np.ceil(ratio * offensive)) - (len(mentions) - offensive)
            for _ in range(max(0, need)):
                text, source = pool[int(rng.integers(len(pool)))]
                added.append(_swap(text, source, term))
    out_labels = np.concatenate([labels, np.zeros(len(added), dtype=labels.dtype)])
    return texts + added, out_labels, len(added)


def counterfactuals(task: str, texts: list[str], labels: np.ndarray) -> tuple[list[str], np.ndarray]:
    """:func:`identity_balanced`'s added tweets for a task's harmful-vs-benign view (``BALANCED``),
    labelled with the task's benign class."""
    harmful, benign = BALANCED[task]
    binary = (labels == harmful).astype(np.int64)
    # Only harmful vs benign tweets count: for sentiment, positive tweets are no counterfactual pool.
    keep = [i for i, y in enumerate(labels.tolist()) if y in (harmful, benign)]
    kept_texts = [texts[i] for i in keep]
    extra = identity_balanced(kept_texts, binary[keep])[0][len(kept_texts):]
    return extra, np.full(len(extra), benign, dtype=labels.dtype)
