"""The crisis analyser: relevance, informativeness and information type on obvious posts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.evaluation.crisis import TASKS
from civicpulse.models.static_embedding import static_embedding
from civicpulse.models.text import NB_HEADS, clear_cache
from civicpulse.post import Author, Post
from civicpulse.registry import analysers


def post(text: str, language: str | None = "en", i: int = 0) -> Post:
    return Post(id=f"t:{i}", platform="test", created_at=datetime(2024, 5, 1, tzinfo=UTC),
                author=Author(id="a"), text=text, language=language)


def test_output_shape_and_labels() -> None:
    clear_cache()
    out = analysers.get("crisis")().analyse_one(post("Flood warning: evacuate the river district now"))
    assert out["label"] in TASKS["crisis_relevance"].labels
    assert set(out["probs"]) == set(TASKS["crisis_relevance"].labels)
    assert out["informativeness"]["label"] in TASKS["crisis_informativeness"].labels
    assert set(out["information_type"]["probs"]) == set(TASKS["crisis_info_type"].labels)


@pytest.mark.parametrize("name", list(TASKS))
def test_each_head_mixes_naive_bayes_as_the_evaluation_does(name: str) -> None:
    """``civicpulse eval`` scores the recipe in ``TASKS``; the shipped head must be that recipe."""
    meta = static_embedding().heads[name].meta
    assert meta["mixed_with"] == f"{name}_nb"
    assert meta["mixed_with"] in NB_HEADS
    assert meta["mix_weight"] == TASKS[name].embedding_weight
    assert meta["C"] == TASKS[name].embedding_c


def test_obvious_examples() -> None:
    crisis = analysers.get("crisis")()
    flood, lunch, donate, pray = crisis.analyse_many([
        post("Flood waters rising fast, roads closed, evacuation centre open at the school"),
        post("Just had the best pizza of my life with my friends lol"),
        post("Please donate to the Red Cross flood appeal, volunteers needed to fill sandbags"),
        post("Thoughts and prayers to everyone affected by the tornado, stay strong"),
    ])
    assert flood["label"] == "on-topic"
    assert lunch["label"] == "off-topic"
    assert flood["probs"]["on-topic"] > lunch["probs"]["on-topic"]
    assert donate["information_type"]["label"] == "donations-volunteering"
    assert pray["information_type"]["label"] == "sympathy-support"


def test_other_languages_are_unsupported() -> None:
    out = analysers.get("crisis")().analyse_one(post("Inondation dans le centre-ville", language="fr"))
    assert out == {"label": "unsupported", "language": "fr"}


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=()), max_size=400), st.sampled_from(["en", None, "fr"]))
def test_any_text_gets_a_valid_result(text: str, language: str | None) -> None:
    out = analysers.get("crisis")().analyse_one(post(text, language))
    assert isinstance(out["label"], str)
    if out["label"] != "unsupported":
        assert abs(sum(out["probs"].values()) - 1.0) < 1e-3
        assert out["information_type"]["label"] in TASKS["crisis_info_type"].labels
