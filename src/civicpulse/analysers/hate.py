"""Hate speech: English (TweetEval hate / HatEval 2019 EN) and Spanish (HatEval 2019 ES) heads.

In both profiles the English label mixes a head over the static sentence embedding
(:mod:`civicpulse.models.static_embedding`) with one over the hashed features; the Spanish head
reads the hashed features. Both data sets annotate hate against
immigrants and women only; other targets are out of scope of the training data (see
``docs/models/hate.md``). Other languages get ``unsupported``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicpulse.analysers._text import UNDETERMINED, ProfiledAnalyser, batch_languages, head_results, texts_of
from civicpulse.post import Post
from civicpulse.registry import analysers

SUPPORTED = frozenset({"en", "es"})


@analysers.register("hate")
class HateAnalyser(ProfiledAnalyser):
    name = "hate"
    #: 2: English mixes the static embedding's head (models/static_embedding.py) with the hashed one.
    #: 3: both English heads also learned from everyday tweets that ordinary talk is not hate.
    version = 3
    reads_static_embedding = True

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        languages = batch_languages(posts, texts)
        english = head_results("hate", texts, languages, SUPPORTED, self.profile)
        spanish = head_results("hate_es", texts, languages, SUPPORTED)
        out: list[Any] = []
        for lang, en, es in zip(languages, english, spanish, strict=True):
            if lang == "es":
                out.append({**es, "model": "es"})
            elif en["label"] == "unsupported":
                out.append(en)
            else:
                out.append({**en, "model": "en" if lang != UNDETERMINED else "en (language undetermined)"})
        return out
