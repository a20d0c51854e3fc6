"""Sentiment: negative / neutral / positive (TweetEval sentiment), English only.

Other languages get ``{"label": "unsupported", "language": "xx"}``. Model card:
``docs/models/sentiment.md``."""

from __future__ import annotations

from civicpulse.analysers._text import SingleHeadAnalyser
from civicpulse.registry import analysers


@analysers.register("sentiment")
class SentimentAnalyser(SingleHeadAnalyser):
    name = "sentiment"
    version = 2
