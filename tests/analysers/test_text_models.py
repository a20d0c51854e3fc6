"""Contract and sanity tests of the text-model analysers (language, sentiment, offensive, hate,
emotion) and of the featuriser they share with the training scripts. No data set needed."""

from __future__ import annotations

import copy
import zlib
from datetime import UTC, datetime

import numpy as np
import pytest

from civicpulse.models.features import FeatureConfig, featurise, normalise
from civicpulse.models.text import batch_probs, clear_cache, text_models
from civicpulse.post import Author, Post
from civicpulse.registry import analysers

TEXT_ANALYSERS = ("language", "sentiment", "offensive", "hate", "emotion", "crisis")
NASTY = [
    "",
    "😂😂😂🔥",
    "مرحبا بكم في المدينة، الشرطة هنا للمساعدة",  # right-to-left
    "שלום לכולם",
    "mixed Ελληνικά and русский and 中文 text",
    "broken surrogate \ud83d here",
    "x" * 100_000,
    "   \n\t  ",
    "https://example.org @someone #tag",
]


def post(text: str, language: str | None = None, i: int = 0) -> Post:
    return Post(id=f"t:{i}", platform="test", created_at=datetime(2024, 5, 1, tzinfo=UTC),
                author=Author(id="a"), text=text, language=language)


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    clear_cache()


@pytest.mark.parametrize("name", TEXT_ANALYSERS)
def test_contract_on_bad_input(name: str) -> None:
    analyser = analysers.get(name)()
    posts = [post(t, i=i) for i, t in enumerate(NASTY)]
    before = copy.deepcopy(posts)
    out = analyser.analyse_many(posts)
    assert len(out) == len(posts)
    assert posts == before  # never mutates
    for result in out:
        assert isinstance(result, dict)
        assert isinstance(result["label"], str)
        if "probs" in result:
            assert abs(sum(result["probs"].values()) - 1.0) < 1e-3
    clear_cache()
    assert analyser.analyse_many(posts) == out  # deterministic, with or without the cache
    assert analyser.analyse_many([]) == []
    assert analyser.analyse_one(posts[2]) == out[2]


@pytest.mark.parametrize("name", ["sentiment", "offensive", "emotion", "crisis"])
def test_unsupported_language_is_said_not_guessed(name: str) -> None:
    out = analysers.get(name)().analyse_many([post("Quelle belle journée", language="fr")])
    assert out == [{"label": "unsupported", "language": "fr"}]


def test_language_enrichment_is_read() -> None:
    p = post("I love this").with_enrichments({"language/1": {"label": "de", "confidence": 0.9}})
    assert analysers.get("sentiment")().analyse_one(p) == {"label": "unsupported", "language": "de"}


def test_spanish_hate_uses_the_spanish_model() -> None:
    out = analysers.get("hate")().analyse_one(post("Hola a todos", language="es-ES"))
    assert out["model"] == "es"


def test_obvious_examples() -> None:
    sentiment = analysers.get("sentiment")()
    assert sentiment.analyse_one(post("I love this, wonderful day", "en"))["label"] == "positive"
    awful = post("This is awful, I hate it, worst day ever", "en")
    assert sentiment.analyse_one(awful)["label"] == "negative"
    offensive = analysers.get("offensive")()
    rude, calm = offensive.analyse_many([post("you are a fucking idiot, shut up", "en"),
                                         post("The meeting is at 3pm in the town hall", "en")])
    assert rude["probs"]["offensive"] > calm["probs"]["offensive"]
    assert rude["label"] == "offensive"
    emotion = analysers.get("emotion")()
    sad = post("So sad, I cried all night, I miss her so much", "en")
    assert emotion.analyse_one(sad)["label"] == "sadness"


def test_language_identification_on_short_posts() -> None:
    language = analysers.get("language")()
    if not text_models().languages:
        pytest.skip("language model not built")
    samples = {"en": "Thanks for the quick help this morning!", "fr": "Merci pour votre aide ce matin",
               "es": "Gracias por la ayuda de esta mañana", "de": "Danke für die schnelle Hilfe heute",
               "it": "Grazie per l'aiuto di stamattina", "nl": "Bedankt voor de snelle hulp vanochtend",
               "pt": "Obrigado pela ajuda desta manhã", "pl": "Dziękuję za szybką pomoc dziś rano",
               "ar": "شكرا على المساعدة السريعة هذا الصباح", "tr": "Bu sabahki hızlı yardım için teşekkürler"}
    out = language.analyse_many([post(t) for t in samples.values()])
    assert [r["label"] for r in out] == list(samples)
    assert language.analyse_one(post("😂🔥 https://x.org"))["label"] == "und"


def test_features_are_stable() -> None:
    """The hashing layout is baked into the shipped weights: any change must retrain them."""
    f = featurise(["Hello @bob, soooooo #happy 😂 http://t.co/x"], FeatureConfig())
    assert normalise("Hello @bob, soooooo #happy 😂 http://t.co/x") == "hello @user, sooo #happy 😂 url"
    digest = zlib.crc32(np.sort(f.cols).astype("<i8").tobytes())
    assert (f.cols.size, digest) == (EXPECTED_COUNT, EXPECTED_DIGEST)


def test_numpy_inference_matches_the_training_matrix() -> None:
    """Scores from the shipped npz + numpy equal the scipy product used to fit (what sklearn's
    ``decision_function`` computes), so training and run time see the same features."""
    sparse = pytest.importorskip("scipy.sparse")
    models = text_models()
    texts = ["I love this, wonderful day", "you are an idiot", "", "مرحبا", "Build the wall #NoDACA"]
    f = featurise(texts, models.config, models.idf)
    x = sparse.csr_matrix((f.vals, (f.rows, f.cols)), shape=(len(texts), models.config.n_features))
    expected = x @ models.weights.astype(np.float64) + models.bias
    got = models.logits(texts)[:, : models.weights.shape[1]]
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_heads_share_one_feature_pass() -> None:
    texts = ["one", "two"]
    first = batch_probs("sentiment", texts)
    assert np.array_equal(batch_probs("sentiment", list(texts)), first)


EXPECTED_COUNT = 132
EXPECTED_DIGEST = 3387588569
