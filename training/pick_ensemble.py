"""Choose the ``accurate`` profile's mixing weight on the validation splits; record it.

    .venv/bin/python training/pick_ensemble.py [--data PATH]

The accurate profile scores English sentiment, emotion and offensive as the weighted geometric
mean of the encoder's probabilities (``train_encoder.py``) and the fast linear head's. One weight
for the three tasks, the one with the best mean score over their official *validation* splits (a
weight per task would be chosen on as few as 374 posts). Hate is not mixed: the encoder's hate head
learned HatEval's training shortcuts, which the fast hate model largely avoids (docs/models/hate.md).
The test splits are read only to record the chosen weight's scores. Writes ``ensemble_heads``,
``ensemble_weight``, ``ensemble_validation`` and ``ensemble_test`` into
``src/civicpulse/models/encoder.json``."""

from __future__ import annotations

import json

import numpy as np
from common import MODELS_DIR, data_arg

from civicpulse.evaluation.datasets import tweeteval
from civicpulse.evaluation.runner import macro_f1, macro_recall
from civicpulse.models.encoder import ENCODER_META, TASKS, Encoder
from civicpulse.models.text import batch_probs, mix, softmax

HEADS = ("sentiment", "emotion", "offensive")
WEIGHTS = tuple(round(w, 2) for w in np.linspace(0.0, 1.0, 11))


def main() -> None:
    data = data_arg(__doc__ or "")
    encoder = Encoder()
    probs: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, list[str]]] = {}
    for head in HEADS:
        for split in ("val", "test"):
            texts, y = tweeteval(data, head, split)
            gold = [TASKS[head][i] for i in y.tolist()]
            probs[head, split] = (softmax(encoder.logits(texts)[head]), batch_probs(head, texts), gold)

    def score(head: str, split: str, weight: float) -> float:
        encoded, linear, gold = probs[head, split]
        predicted = [TASKS[head][i] for i in mix(encoded, linear, weight).argmax(axis=1).tolist()]
        metric = macro_recall if head == "sentiment" else macro_f1
        return round(100 * metric(gold, predicted), 2)

    validation = {str(w): {h: score(h, "val", w) for h in HEADS} for w in WEIGHTS}
    best = max(WEIGHTS, key=lambda w: (np.mean(list(validation[str(w)].values())), -abs(w - 0.5)))
    test = {h: score(h, "test", best) for h in HEADS}
    for w in WEIGHTS:
        marker = "  <- chosen" if w == best else ""
        print(f"weight {w:.1f}: validation {validation[str(w)]}{marker}")
    print(f"test at {best}: {test}")
    path = MODELS_DIR / ENCODER_META
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta.update({"ensemble_heads": list(HEADS), "ensemble_weight": best, "ensemble_validation": validation,
                 "ensemble_test": test})
    path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
