"""Language identification: ISO 639-1 code and confidence for 34 languages.

A linear head over the shared hashed character/word n-grams (see ``docs/models/language.md`` for
its training data and measured accuracy). Posts with no letters (emoji, links, empty) get
``{"label": "und", "confidence": 0.0}`` rather than a guess."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicpulse.analysers._text import detect, texts_of
from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers


@analysers.register("language")
class LanguageAnalyser(Analyser):
    name = "language"
    version = 1

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        return [{"label": code, "confidence": round(p, 4)} for code, p in detect(texts_of(posts))]
