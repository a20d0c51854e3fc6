"""Crisis relevance (CrisisLex T6) and, for crisis posts, informativeness and information type
(CrisisLex T26). English only; other languages get ``unsupported``.

Output: ``{"label": "on-topic"|"off-topic", "probs": {...}, "informativeness": {"label", "probs"},
"information_type": {"label", "probs"}}``. The T26 heads were trained on tweets collected *during*
crises, so their outputs describe a post *given* that it is about a crisis: read them for on-topic
posts. Each head mixes naive Bayes over the words with a regression over the static sentence
embedding; the probabilities are over-confident: rank by them, do not read them as frequencies.
Model card: ``docs/models/crisis.md``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicpulse.analysers._text import batch_languages, head_results, texts_of
from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers

SUPPORTED = frozenset({"en"})


@analysers.register("crisis")
class CrisisAnalyser(Analyser):
    name = "crisis"
    version = 2
    requires = ("language",)

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        languages = batch_languages(posts, texts)
        relevance = head_results("crisis_relevance", texts, languages, SUPPORTED)
        informativeness = head_results("crisis_informativeness", texts, languages, SUPPORTED)
        info_type = head_results("crisis_info_type", texts, languages, SUPPORTED)
        out: list[Any] = []
        for r, i, t in zip(relevance, informativeness, info_type, strict=True):
            out.append(r if r["label"] == "unsupported" else {**r, "informativeness": i, "information_type": t})
        return out
