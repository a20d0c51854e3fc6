"""Sentiment: negative / neutral / positive (TweetEval sentiment), English only.

Other languages get ``{"label": "unsupported", "language": "xx"}``. Model card:
``docs/models/sentiment.md``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from civicpulse.analysers._text import batch_languages, head_results, texts_of
from civicpulse.analysers.base import Analyser
from civicpulse.post import Post
from civicpulse.registry import analysers

SUPPORTED = frozenset({"en"})


@analysers.register("sentiment")
class SentimentAnalyser(Analyser):
    name = "sentiment"
    version = 1
    requires = ("language",)

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        return head_results("sentiment", texts, batch_languages(posts, texts), SUPPORTED)
