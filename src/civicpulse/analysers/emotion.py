"""Emotion: anger / joy / optimism / sadness (TweetEval emotion), English only.

Other languages get ``{"label": "unsupported", "language": "xx"}``. Model card:
``docs/models/emotion.md``."""

from __future__ import annotations

from civicpulse.analysers._text import SingleHeadAnalyser
from civicpulse.registry import analysers


@analysers.register("emotion")
class EmotionAnalyser(SingleHeadAnalyser):
    name = "emotion"
    version = 1
