"""Analyser profiles: ``fast`` is the linear models; ``accurate`` mixes in the encoder for English."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import numpy as np
import pytest

from civicpulse.analysers._text import ProfiledAnalyser, mix
from civicpulse.config import Settings
from civicpulse.errors import ConfigError
from civicpulse.post import Author, Post
from civicpulse.registry import analysers
from tests.analysers.test_contract import hostile_posts

AT = datetime(2026, 8, 7, 18, tzinfo=UTC)
PROFILED = [n for n in analysers.names() if issubclass(analysers.get(n), ProfiledAnalyser)]


def accurate(name: str) -> ProfiledAnalyser:
    built = analysers.get(name).from_settings(Settings(analyser_profile="accurate"))
    assert isinstance(built, ProfiledAnalyser)
    return built


def test_the_encoder_backed_analysers_take_a_profile() -> None:
    assert {"sentiment", "emotion", "offensive", "hate"} <= set(PROFILED)


@pytest.mark.parametrize("name", ["sentiment", "emotion", "offensive", "hate"])
def test_accurate_keeps_the_analyser_contract(name: str) -> None:
    posts = hostile_posts()
    out = accurate(name).analyse_many(posts)
    assert len(out) == len(posts)
    msgspec.json.encode(out)
    assert out == accurate(name).analyse_many(posts)  # deterministic
    assert [accurate(name).analyse_one(p) for p in posts] == out  # independent of the batch


def test_english_posts_say_the_accurate_profile_scored_them() -> None:
    posts = [Post(id=f"p:{i}", platform="test", created_at=AT, author=Author(id="a"), text=t, language=lang)
             for i, (t, lang) in enumerate([("What a lovely afternoon in the park", "en"),
                                            ("Quelle belle journée au parc", "fr")])]
    english, french = accurate("sentiment").analyse_many(posts)
    assert english["profile"] == "accurate"
    assert english["label"] == "positive"
    assert abs(sum(english["probs"].values()) - 1.0) < 1e-3
    assert french == {"label": "unsupported", "language": "fr"}
    fast = analysers.get("sentiment").from_settings(Settings()).analyse_many(posts)[0]
    assert "profile" not in fast


def test_mix_is_the_weighted_geometric_mean() -> None:
    enc = np.array([[0.9, 0.1], [0.2, 0.8]])
    lin = np.array([[0.6, 0.4], [0.5, 0.5]])
    assert np.allclose(mix(enc, lin, 1.0), enc, atol=1e-6)
    assert np.allclose(mix(enc, lin, 0.0), lin, atol=1e-6)
    half = mix(enc, lin, 0.5)
    expected = np.sqrt(enc * lin) / np.sqrt(enc * lin).sum(axis=1, keepdims=True)
    assert np.allclose(half, expected, atol=1e-6)


def test_an_unknown_profile_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings(analyser_profile="turbo")
    assert "accurate" in (caught.value.fix or "")
