"""Offensive language (OLID level A via TweetEval), and for offensive posts whether the offence is
targeted (OLID B) and at whom: an individual, a group or other (OLID C). English only. Level A
mixes a head over the static sentence embedding with one over the hashed features, as hate does.

``targeted`` is P(targeted | offensive) and ``target`` is P(target | targeted insult): the OLID
levels are conditional, so they are only meaningful when the post is offensive; ``target_label``
is given only for posts labelled offensive and targeted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicpulse.analysers._text import ProfiledAnalyser, batch_languages, head_results, texts_of
from civicpulse.post import Post
from civicpulse.registry import analysers

SUPPORTED = frozenset({"en"})


@analysers.register("offensive")
class OffensiveAnalyser(ProfiledAnalyser):
    name = "offensive"
    #: 2: level A retrained with identity-term balancing (docs/models/offensive.md, bias audit).
    #: 3: level A mixes a head over the static embedding (models/static_embedding.py) with the hashed one.
    version = 3
    reads_static_embedding = True

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        languages = batch_languages(posts, texts)
        level_a = head_results("offensive", texts, languages, SUPPORTED, self.profile)
        level_b = head_results("offensive_targeted", texts, languages, SUPPORTED)
        level_c = head_results("offensive_target", texts, languages, SUPPORTED)
        out: list[Any] = []
        for a, b, c in zip(level_a, level_b, level_c, strict=True):
            if a["label"] == "unsupported":
                out.append(a)
                continue
            result = {**a, "targeted": b["probs"]["targeted"], "target": c["probs"]}
            if a["label"] == "offensive" and b["label"] == "targeted":
                result["target_label"] = c["label"]
            out.append(result)
        return out
