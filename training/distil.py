"""Teaching a fast head what the accurate profile's encoder reads (knowledge distillation).

The fine-tuned encoder (``train_encoder.py``, shipped as ``encoder.onnx.xz``) reads sentiment far
better than the fast n-gram head, but at a twentieth of its speed. Its predictions on tweets the
task never labelled are training data for the fast head: each such tweet becomes one row per class,
weighted by ``alpha`` times the encoder's probability of that class, beside the task's own labelled
rows (classes balanced). The transfer tweets are the TweetEval *training* texts of the other tasks
plus a seeded sample of CrisisLex; no validation or test text of any task is among them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from common import SEED, Split, tweeteval

from civicpulse.evaluation.datasets import crisislex_t6, crisislex_t26
from civicpulse.models.encoder import Encoder
from civicpulse.models.text import softmax

TASKS = ("sentiment", "emotion", "offensive", "hate", "irony")
CRISIS_SAMPLE = 20_000


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def transfer_texts(data: Path, task: str) -> list[str]:
    """Tweets ``task`` never labelled: the other TweetEval tasks' training texts and a seeded
    sample of CrisisLex, each once, none equal to a validation or test text of any task or to a
    training text of ``task``."""
    excluded = {_key(t) for other in TASKS for split in ("val", "test") for t in tweeteval(data, other, split)[0]}
    excluded |= {_key(t) for t in tweeteval(data, task, "train")[0]}
    crisis = crisislex_t6(data)[0] + [r["text"] for r in crisislex_t26(data)]
    sample = [crisis[i] for i in np.random.default_rng(SEED).permutation(len(crisis))[:CRISIS_SAMPLE]]
    texts: list[str] = []
    for text in [t for other in TASKS if other != task for t in tweeteval(data, other, "train")[0]] + sample:
        key = _key(text)
        if key and key not in excluded:
            excluded.add(key)
            texts.append(text)
    return texts


def teacher_probs(task: str, texts: list[str], chunk: int = 2_000) -> np.ndarray:
    """The encoder's own class probabilities for ``texts`` (not mixed with the fast head)."""
    encoder = Encoder()
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(softmax(encoder.logits(texts[start:start + chunk])[task]))
        print(f"{task}: teacher {min(start + chunk, len(texts)):,} / {len(texts):,}", flush=True)
    return np.concatenate(parts)


def with_teacher(train: Split, classes: int, transfer: list[str], probs: np.ndarray,
                 alpha: float) -> tuple[Split, np.ndarray]:
    """``train`` (its classes balanced, as ``class_weight="balanced"`` weighs them) plus each
    transfer text once per class, weighted ``alpha`` times the teacher's probability of the class."""
    texts, labels = train
    counts = np.bincount(labels, minlength=classes)
    weights = [len(labels) / (classes * counts[labels])]
    rows, ys = list(texts), [labels]
    for c in range(classes):
        rows += transfer
        ys.append(np.full(len(transfer), c, dtype=labels.dtype))
        weights.append(alpha * probs[:, c])
    return (rows, np.concatenate(ys)), np.concatenate(weights)
