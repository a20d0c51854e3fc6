"""The accurate profile's encoder: shapes, hostile input, reproducibility and real behaviour."""

from __future__ import annotations

import json

import numpy as np
import pytest

from civicpulse.errors import UsageError
from civicpulse.models import encoder as encoder_model
from civicpulse.models.encoder import ENCODER_META, MODELS_DIR, TASKS, Encoder, encoder


def test_every_head_scores_every_post_even_hostile_ones() -> None:
    texts = ["", "😂🔥", "x" * 100_000, "lone \ud83d surrogate", "\x00 nul", "مرحبا"]
    logits = encoder().logits(texts)
    assert list(logits) == list(TASKS)
    for task, labels in TASKS.items():
        assert logits[task].shape == (len(texts), len(labels))
        assert np.isfinite(logits[task]).all()


def test_a_post_scores_the_same_whatever_its_batch() -> None:
    texts = ["I love this city", "the police were brilliant today", "road closed after the crash, avoid"]
    alone = [encoder().logits([t])["sentiment"][0] for t in texts]
    together = encoder().logits(texts[::-1])["sentiment"][::-1]
    assert np.array_equal(np.stack(alone), together)


def test_it_reads_plain_sentiment_and_stance_right() -> None:
    labels = TASKS["sentiment"]
    logits = encoder().logits(["I absolutely love this, what a wonderful day!",
                               "This is awful, I hate it, worst service ever."])["sentiment"]
    assert [labels[i] for i in logits.argmax(1)] == ["positive", "negative"]
    stance = encoder().logits(["Is this really true? Any source?"],
                              ["BREAKING: the mayor has resigned"])["stance"]
    assert TASKS["stance"][int(stance.argmax(1)[0])] == "query"


def test_shipped_metadata_records_its_provenance() -> None:
    meta = json.loads((MODELS_DIR / ENCODER_META).read_text(encoding="utf-8"))
    assert meta["tasks"] == {t: list(labels) for t, labels in TASKS.items()}
    assert 0.0 <= meta["ensemble_weight"] <= 1.0
    assert set(meta["ensemble_test"]) == {"sentiment", "emotion", "offensive", "hate"}
    assert (MODELS_DIR / "encoder.onnx").stat().st_size < 25_000_000  # the per-artefact budget


def test_missing_runtime_is_a_usage_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_model, "available", lambda: False)
    with pytest.raises(UsageError) as caught:
        Encoder()
    assert "civicpulse[accurate]" in (caught.value.fix or "")
