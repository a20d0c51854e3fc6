"""Emotion: anger / joy / optimism / sadness (TweetEval emotion), English only.

The label mixes a head over the static sentence embedding with one over the hashed features, as
offensive and hate do. Other languages get ``{"label": "unsupported", "language": "xx"}``. Model
card: ``docs/models/emotion.md``."""

from __future__ import annotations

from civicpulse.analysers._text import SingleHeadAnalyser
from civicpulse.registry import analysers


@analysers.register("emotion")
class EmotionAnalyser(SingleHeadAnalyser):
    name = "emotion"
    #: 2: mixes the static embedding's head (models/static_embedding.py) with the hashed one.
    version = 2
    reads_static_embedding = True
