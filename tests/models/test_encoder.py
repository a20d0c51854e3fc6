"""The accurate profile's encoder: shapes, hostile input, reproducibility and real behaviour."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from civicpulse.errors import UsageError
from civicpulse.models import encoder as encoder_model
from civicpulse.models.encoder import (
    ENCODER_FILE,
    ENCODER_META,
    HEADS_FILE,
    MODELS_DIR,
    POOLED,
    TASKS,
    TOKENIZER_FILE,
    Encoder,
    encoder,
    read_graph,
    write_graph,
)


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
    # Hate is not mixed: the static-embedding head reads it in both profiles (docs/models/hate.md).
    assert set(meta["ensemble_heads"]) == set(meta["ensemble_test"]) == {"sentiment", "emotion", "offensive"}
    assert (MODELS_DIR / ENCODER_FILE).stat().st_size < 20_000_000  # ship models small


def test_missing_runtime_is_a_usage_error_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(encoder_model, "available", lambda: False)
    with pytest.raises(UsageError) as caught:
        Encoder()
    assert "civicpulse[accurate]" in (caught.value.fix or "")


def test_the_graph_gives_the_pooled_embedding_one_post_at_a_time() -> None:
    texts = ["My neighbour is gay.", "", "x" * 100_000, "road closed after the crash"]
    pooled = encoder().pooled(texts)
    assert pooled.shape == (len(texts), 384)
    assert np.isfinite(pooled).all()
    assert np.array_equal(encoder().pooled(texts[:1])[0], pooled[0])  # whatever its batch
    assert not np.array_equal(pooled[0], pooled[3])


def _copy_model(directory: Path) -> None:
    for name in (ENCODER_FILE, ENCODER_META, TOKENIZER_FILE):
        shutil.copy(MODELS_DIR / name, directory / name)


def test_refitted_heads_replace_the_graphs_own_for_their_tasks_only(tmp_path: Path) -> None:
    _copy_model(tmp_path)
    rng = np.random.default_rng(7)
    weight, bias = rng.normal(size=(2, 384)).astype(np.float32), np.array([0.5, -0.5], dtype=np.float32)
    np.savez(tmp_path / HEADS_FILE, offensive_weight=weight, offensive_bias=bias)
    texts = ["I had lunch with my transgender friend.", "you are a disgrace, shut up"]
    refitted = Encoder(tmp_path).logits(texts)
    shipped = encoder().logits(texts)
    expected = encoder().pooled(texts).astype(np.float64) @ weight.T.astype(np.float64) + bias
    assert np.allclose(refitted["offensive"], expected, atol=1e-4)
    assert not np.allclose(refitted["offensive"], shipped["offensive"])
    for task in TASKS:
        if task != "offensive":
            assert np.array_equal(refitted[task], shipped[task])


def test_heads_for_a_graph_without_pooled_output_are_a_usage_error(tmp_path: Path) -> None:
    onnx = pytest.importorskip("onnx", reason="the onnx package is the train extra's (graph surgery)")
    _copy_model(tmp_path)
    model = onnx.load_from_string(read_graph(tmp_path / ENCODER_FILE))
    kept = [o for o in model.graph.output if o.name != POOLED]
    del model.graph.output[:]
    model.graph.output.extend(kept)
    write_graph(tmp_path / ENCODER_FILE, model.SerializeToString())
    np.savez(tmp_path / HEADS_FILE, hate_weight=np.zeros((2, 384), dtype=np.float32),
             hate_bias=np.zeros(2, dtype=np.float32))
    with pytest.raises(UsageError) as caught:
        Encoder(tmp_path)
    assert "refit_encoder_heads" in (caught.value.fix or "")
    (tmp_path / HEADS_FILE).unlink()
    with pytest.raises(UsageError):
        Encoder(tmp_path).pooled(["hello"])
