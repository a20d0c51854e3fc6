"""Shared plumbing of the text-model analysers (language, sentiment, offensive, hate, emotion).

All of them score a batch through :func:`civicpulse.models.text.batch_probs`, which featurises the
batch once and scores every head in one pass; the first analyser of the chain pays, the others
hit the cache. They also agree on what language a post is in (:func:`batch_languages`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from civicpulse.analysers.base import Analyser
from civicpulse.models.text import batch_probs, text_models
from civicpulse.post import Post

__all__ = ["UNDETERMINED", "SingleHeadAnalyser", "batch_languages", "head_results", "texts_of"]

#: ISO 639-2 "undetermined": no letters to judge by (emoji only, links only, empty).
UNDETERMINED = "und"
_NOT_LANGUAGE = re.compile(r"https?://\S+|www\.\S+|@\w+")
_LETTER = re.compile(r"[^\W\d_]")


def texts_of(posts: Sequence[Post]) -> list[str]:
    return [post.text or "" for post in posts]


def has_letters(text: str) -> bool:
    return _LETTER.search(_NOT_LANGUAGE.sub(" ", text[:1000])) is not None


def declared_language(post: Post) -> str | None:
    """The language a source or an earlier language analyser gave, as a bare ISO 639-1 code."""
    code = post.language
    if not code:
        for key, value in post.enrichments.items():
            if key.startswith("language/") and isinstance(value, dict):
                label = value.get("label")
                code = label if isinstance(label, str) else None
                break
    if not code:
        return None
    code = code.replace("_", "-").split("-")[0].lower()
    return None if code in ("", UNDETERMINED) else code


def detect(texts: list[str]) -> list[tuple[str, float]]:
    """Our own language identification: (code, probability) per text, ``("und", 0.0)`` without letters."""
    models = text_models()
    if not models.languages:
        return [(UNDETERMINED, 0.0) for _ in texts]
    probs = batch_probs("language", texts)
    best = probs.argmax(axis=1)
    out: list[tuple[str, float]] = []
    for text, i, row in zip(texts, best.tolist(), probs, strict=True):
        out.append((models.languages[i], float(row[i])) if has_letters(text) else (UNDETERMINED, 0.0))
    return out


def batch_languages(posts: Sequence[Post], texts: list[str]) -> list[str]:
    """Per post: the declared language, else our detection (which is free: same feature pass)."""
    declared = [declared_language(p) for p in posts]
    if all(code is not None for code in declared):
        return [code for code in declared if code is not None]
    detected = detect(texts)
    return [d if d is not None else detected[i][0] for i, d in enumerate(declared)]


def _round(p: float) -> float:
    return round(p, 4)


def head_results(head: str, texts: list[str], languages: list[str],
                 supported: frozenset[str]) -> list[dict[str, Any]]:
    """``{"label", "probs"}`` per post from ``head``; ``unsupported`` for other known languages.

    "und" (no letters: emoji, links) is scored, not refused: emoji carry sentiment and insults
    whatever the language."""
    models = text_models()
    labels = models.heads[head].labels
    probs: npt.NDArray[np.float64] = batch_probs(head, texts)
    best = probs.argmax(axis=1).tolist()
    out: list[dict[str, Any]] = []
    for row, b, lang in zip(probs.tolist(), best, languages, strict=True):
        if lang != UNDETERMINED and lang not in supported:
            out.append({"label": "unsupported", "language": lang})
        else:
            probs_out = {k: _round(v) for k, v in zip(labels, row, strict=True)}
            out.append({"label": labels[b], "probs": probs_out})
    return out


class SingleHeadAnalyser(Analyser):
    """An analyser that is exactly one head of the shared text model, named like the analyser."""

    requires = ("language",)
    #: Languages the head was trained for; other known languages get ``unsupported``.
    supported: ClassVar[frozenset[str]] = frozenset({"en"})

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        return head_results(self.name, texts, batch_languages(posts, texts), self.supported)
