from __future__ import annotations

import numpy as np

from civicpulse.models.static_embedding import EMBEDDING_HEADS, embedding_probs, static_embedding
from civicpulse.models.text import batch_probs, head_labels, mix


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
    assert EMBEDDING_HEADS == ("hate",)
    probs = embedding_probs("hate", ["Send all the illegal immigrants back, they are animals and rapists",
                                     "Lovely sunny morning walking the dog by the canal"])
    labels = static_embedding().heads["hate"].labels
    assert [labels[i] for i in probs.argmax(1)] == ["hate", "not-hate"]
    assert np.allclose(probs.sum(axis=1), 1.0)


def test_the_hate_label_is_the_validation_chosen_mix_with_the_hashed_head() -> None:
    texts = ["Send them all back, they are animals", "Gridlock in Leeds again, nobody is moving", ""]
    meta = static_embedding().heads["hate"].meta
    assert meta["mixed_with"] == "hate_hashed"
    assert 0.0 <= meta["mix_weight"] <= 1.0
    expected = mix(embedding_probs("hate", texts), batch_probs("hate_hashed", texts), meta["mix_weight"])
    assert np.allclose(batch_probs("hate", texts), expected)
    assert head_labels("hate") == head_labels("hate_hashed") == ("not-hate", "hate")
