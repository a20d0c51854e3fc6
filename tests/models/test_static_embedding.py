from __future__ import annotations

import numpy as np
import pytest

from civicpulse.models.static_embedding import EMBEDDING_HEADS, embedding_probs, static_embedding
from civicpulse.models.text import batch_probs, clear_cache, head_labels, mix


def test_embeddings_are_unit_vectors_and_empty_text_is_zero() -> None:
    texts = ["Police closed the road after the crash", "", "😀😀", "x" * 100_000, "a\udcffb"]
    vectors = static_embedding().embed(texts)
    assert vectors.shape == (len(texts), static_embedding().dims)
    norms = np.linalg.norm(vectors, axis=1)
    assert np.allclose(norms[[0, 2, 3, 4]], 1.0, atol=1e-5)
    assert norms[1] == 0.0


def test_a_post_embeds_the_same_whatever_its_batch() -> None:
    texts = [f"post number {i} about the flood on Deansgate" for i in range(100)]
    together = static_embedding().embed(texts)
    assert np.allclose(static_embedding().embed(texts[37:38])[0], together[37], atol=1e-6)


def test_similar_sentences_are_closer_than_unrelated_ones() -> None:
    a, b, c = static_embedding().embed(["the river burst its banks and streets are flooded",
                                        "flood water is rising in the streets near the river",
                                        "what a lovely birthday cake for my daughter"])
    assert float(a @ b) > float(a @ c) + 0.2


def test_the_hate_head_separates_plain_cases() -> None:
    assert "hate" in EMBEDDING_HEADS
    probs = embedding_probs("hate", ["Send all the illegal immigrants back, they are animals and rapists",
                                     "Lovely sunny morning walking the dog by the canal"])
    labels = static_embedding().heads["hate"].labels
    assert [labels[i] for i in probs.argmax(1)] == ["hate", "not-hate"]
    assert np.allclose(probs.sum(axis=1), 1.0)


@pytest.mark.parametrize("head", EMBEDDING_HEADS)
def test_each_label_is_the_chosen_mix_with_its_partner_head(head: str) -> None:
    """Partners: the hashed head of the same task, or the crisis heads' naive Bayes."""
    texts = ["Send them all back, they are animals", "Gridlock in Leeds again, nobody is moving", ""]
    meta = static_embedding().heads[head].meta
    assert meta["mixed_with"] in (f"{head}_hashed", f"{head}_nb")
    assert 0.0 < meta["mix_weight"] < 1.0
    expected = mix(embedding_probs(head, texts), batch_probs(meta["mixed_with"], texts), meta["mix_weight"])
    assert np.allclose(batch_probs(head, texts), expected)


def test_the_heads_share_one_embedding_per_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The offensive, hate and emotion analysers run one after the other on a batch: one embedding pass."""
    texts = ["one batch of posts", "read by two analysers"]
    clear_cache()
    model = static_embedding()
    calls: list[int] = []
    real_embed = model.embed
    monkeypatch.setattr(model, "embed", lambda batch: calls.append(len(batch)) or real_embed(batch))
    embedding_probs("offensive", texts)
    embedding_probs("hate", texts)
    assert calls == [2]
    clear_cache()
    embedding_probs("hate", texts)
    assert calls == [2, 2]
    assert head_labels("hate") == head_labels("hate_hashed") == ("not-hate", "hate")
