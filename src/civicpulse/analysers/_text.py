"""Shared plumbing of the text-model analysers (language, sentiment, offensive, hate, emotion).

All of them score a batch through :func:`civicpulse.models.text.batch_probs`, which featurises the
batch once and scores every head in one pass; the first analyser of the chain pays, the others
hit the cache. They also agree on what language a post is in (:func:`batch_languages`).

In the ``accurate`` profile (``Settings.analyser_profile``) the English sentiment, emotion and
offensive heads (:func:`civicpulse.models.encoder.ensemble_heads`) are the weighted geometric mean
of the encoder's and the fast head's probabilities, with the weight chosen on the validation splits
(``training/pick_ensemble.py``; ``docs/models/encoder.md``). Hate is not mixed: the encoder's hate
head learned the training set's shortcuts, which the fast hate model largely avoids
(``docs/models/hate.md``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from civicpulse.analysers.base import Analyser
from civicpulse.config import Settings
from civicpulse.models import encoder as encoder_model
from civicpulse.models.static_embedding import static_embedding
from civicpulse.models.text import batch_probs, head_labels, mix, text_models
from civicpulse.post import Post

__all__ = ["PROFILES", "UNDETERMINED", "ProfiledAnalyser", "SingleHeadAnalyser", "batch_languages", "head_results",
           "texts_of"]

PROFILES = ("fast", "accurate")

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


def head_results(head: str, texts: list[str], languages: list[str],
                 supported: frozenset[str], profile: str = "fast") -> list[dict[str, Any]]:
    """``{"label", "probs"}`` per post from ``head``; ``unsupported`` for other known languages.

    "und" (no letters: emoji, links) is scored, not refused: emoji carry sentiment and insults
    whatever the language. Results of the ``accurate`` profile say so (``"profile"``), so that
    stored enrichments tell which model produced them."""
    labels = head_labels(head)
    probs: npt.NDArray[np.float64] = batch_probs(head, texts)
    encoded: set[int] = set()
    if profile == "accurate" and head in encoder_model.ensemble_heads():
        # The encoder is English; only those posts pay its ~1.5 ms each. The subset is the same for
        # every head, so the analysers after the first reuse its one pass.
        english = [i for i, lang in enumerate(languages) if lang in ("en", UNDETERMINED)]
        if english:
            probs = probs.copy()
            weight = float(encoder_model.encoder().meta["ensemble_weight"])
            probs[english] = mix(encoder_model.encoder_probs(head, [texts[i] for i in english]), probs[english],
                                 weight)
            encoded = set(english)
    best = probs.argmax(axis=1).tolist()
    # Rounded in one numpy pass: a Python round() per probability was a tenth of the chain's time.
    rounded = np.round(probs, 4).tolist()
    # Every post scored first, then the few in other languages replaced: one comprehension is a
    # third cheaper than a loop that tests each post's language before building its result.
    out: list[dict[str, Any]] = [{"label": labels[b], "probs": dict(zip(labels, row, strict=True))}
                                 for row, b in zip(rounded, best, strict=True)]
    for i in encoded:
        out[i]["profile"] = "accurate"
    for i, lang in enumerate(languages):
        if lang != UNDETERMINED and lang not in supported:
            out[i] = {"label": "unsupported", "language": lang}
    return out


class ProfiledAnalyser(Analyser):
    """A text-model analyser whose models depend on ``Settings.analyser_profile``."""

    requires = ("language",)
    #: Whether a head of this analyser reads the static sentence embedding (then it is loaded at
    #: construction, about a second, not inside the first batch).
    reads_static_embedding: ClassVar[bool] = False

    def __init__(self, profile: str = "fast") -> None:
        if profile not in PROFILES:
            raise ValueError(f"unknown analyser profile {profile!r}")
        if profile == "accurate":
            encoder_model.encoder()  # load now: a missing extra is a clear error at start, not at post 1
        if self.reads_static_embedding:
            static_embedding()
        self.profile = profile

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings.analyser_profile)


class SingleHeadAnalyser(ProfiledAnalyser):
    """An analyser that is exactly one head of the shared text model, named like the analyser."""

    #: Languages the head was trained for; other known languages get ``unsupported``.
    supported: ClassVar[frozenset[str]] = frozenset({"en"})

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = texts_of(posts)
        return head_results(self.name, texts, batch_languages(posts, texts), self.supported, self.profile)
