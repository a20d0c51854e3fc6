"""Stance of a reply or quote towards a rumour (support / deny / query / comment), in numpy.

One multinomial logistic regression over three blocks, fitted by ``training/train_stance.py`` on
RumourEval 2017 (English):

* the post's own text, in the shared hashed features (:mod:`civicpulse.models.features`);
* the *parent's* text (the post replied to or quoted), the same features folded into
  ``2**PARENT_BITS`` buckets: what is being answered says a lot about how (a reply to a question is
  rarely a query itself);
* dense conversation-structure and cue features (:func:`dense_features`): is it the source, depth in
  the thread, question marks, negation and denial cues, hedges, word overlap with the source and
  the parent.

The text blocks only know English. A post whose ``language`` is set and is not English goes to a
second, *cue-only* head fitted on the dense block alone: the cue lexicons cover English, French,
Spanish and German, so a French "c'est faux" fires the same denial feature that English training
taught that head to weigh.

:func:`dense_features` is the *single* definition used by training and at run time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.models.features import Features, featurise, normalise
from civicpulse.models.text import FEATURES_FILE, MODELS_DIR, load_features, softmax

__all__ = ["DENSE_NAMES", "LABELS", "PARENT_BITS", "StanceInput", "StanceModel", "dense_features",
           "stance_model"]

LABELS = ("support", "deny", "query", "comment")
PARENT_BITS = 16
STANCE_FILE = "stance.npz"

# Cue lexicons (lower-cased, matched on the normalised text). Word-bounded alternations; each
# language's phrases sit in the same feature so that the weights learned on English transfer.
_DENY = re.compile(
    r"\b(?:fake|false|hoax|lie|lies|lying|liar|untrue|not true|isn'?t true|debunk\w*|bs|bullshit|"
    r"misinformation|disinformation|denied|deny|denies|wrong|nonsense|rubbish|made up|no evidence|"
    r"not (?:a|the) |stop sharing|delete this|"
    r"faux|fausse|démenti\w*|infondé\w*|intox|"
    r"falso|falsa|bulo|desmenti\w*|mentira|no es cierto|"
    r"falsch|dementiert|gelogen|lüge|stimmt nicht)\b")
_NEGATION = re.compile(
    r"\b(?:not|no|never|nobody|nothing|none|n't|dont|don't|doesn'?t|isn'?t|wasn'?t|aren'?t|can'?t|won'?t|"
    r"ne|pas|jamais|rien|"
    r"nunca|nada|nadie|"
    r"nicht|kein\w*|nie|niemand)\b")
_QUERY = re.compile(
    r"\b(?:is (?:this|it|that) (?:true|real|confirmed)|really|source|sources|confirm\w*|any (?:proof|evidence)|"
    r"how do (?:you|we) know|who said|where did|why|what|is that right|wait what|"
    r"c'est vrai|vraiment|confirmer|quelle source|"
    r"es verdad|fuente|confirma\w*|de verdad|"
    r"stimmt das|quelle|bestätig\w*|wirklich)\b")
_SUPPORT = re.compile(
    r"\b(?:confirmed|true|yes|indeed|breaking|omg|share|sharing|rt|spread|witness\w*|saw it|"
    r"partagez|confirmé|faites tourner|"
    r"compartid|confirmado|"
    r"teilen|bestätigt)\b")
_HEDGE = re.compile(
    r"\b(?:reportedly|apparently|allegedly|unconfirmed|rumou?rs?|heard|hearing|i heard|reports? (?:say|of|that)|"
    r"il paraît|on dit|paraît-il|selon des rumeurs|"
    r"dicen que|al parecer|supuestamente|se rumorea|"
    r"angeblich|hab gehört|gerüchte?|soll (?:angeblich )?)\b")
_WORD = re.compile(r"\w+")

DENSE_NAMES = (
    "is_source", "depth1", "depth2", "depth3plus", "has_parent",
    "questions", "ends_question", "exclaims", "has_url", "mentions", "hashtags", "retweet_quote",
    "deny_cue", "negation", "query_cue", "support_cue", "hedge_cue",
    "parent_question", "parent_deny_cue", "parent_hedge_cue",
    "overlap_source", "overlap_parent", "log_chars", "few_words",
)


@dataclass(frozen=True, slots=True)
class StanceInput:
    """One post in its conversation. ``depth`` is 0 for the source, 1 for a direct reply to it, …"""

    text: str
    depth: int
    parent_text: str | None = None
    source_text: str | None = None
    #: ISO code when known; anything but English (or unknown) is scored by the cue-only head.
    language: str | None = None

    @property
    def english(self) -> bool:
        return self.language is None or self.language.lower().startswith("en")


def _count(pattern: re.Pattern[str], text: str, cap: float = 2.0) -> float:
    return min(float(len(pattern.findall(text))), cap) / cap


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def dense_features(items: Sequence[StanceInput]) -> npt.NDArray[np.float64]:
    """The ``(n, len(DENSE_NAMES))`` structure and cue matrix, all values in [0, 1]."""
    out = np.zeros((len(items), len(DENSE_NAMES)), dtype=np.float64)
    for i, item in enumerate(items):
        raw = item.text[:1000]
        text = normalise(raw)
        parent = normalise(item.parent_text) if item.parent_text else ""
        source = normalise(item.source_text) if item.source_text else ""
        words = set(_WORD.findall(text))
        d = item.depth
        out[i] = (
            d == 0, d == 1, d == 2, d >= 3, bool(parent),
            min(text.count("?"), 3) / 3, text.rstrip().endswith("?"), min(text.count("!"), 3) / 3,
            "url" in words, min(text.count("@user"), 3) / 3, min(text.count("#"), 3) / 3,
            text.startswith("rt ") or "“@user" in text or '"@user' in text,
            _count(_DENY, text), _count(_NEGATION, text), _count(_QUERY, text), _count(_SUPPORT, text),
            _count(_HEDGE, text),
            "?" in parent, _count(_DENY, parent), _count(_HEDGE, parent),
            _overlap(words, set(_WORD.findall(source))) if source and d > 0 else 0.0,
            _overlap(words, set(_WORD.findall(parent))) if parent else 0.0,
            min(np.log1p(len(raw)) / np.log(1000.0), 1.0), len(words - {"@user", "url"}) <= 3,
        )
    return out


def parent_columns(f: Features, n_text: int) -> npt.NDArray[np.int64]:
    """The parent block's columns: shared-feature buckets folded to ``PARENT_BITS``, after the text block."""
    return n_text + (f.cols & ((1 << PARENT_BITS) - 1))


class StanceModel:
    """The shipped stance head: ``probs(items)`` -> ``(n, 4)`` in :data:`LABELS` order."""

    def __init__(self, directory: Path = MODELS_DIR) -> None:
        self.config, self.idf = load_features(directory / FEATURES_FILE)
        with np.load(directory / STANCE_FILE, allow_pickle=False) as npz:
            labels = tuple(str(x) for x in npz["labels"])
            names = tuple(str(x) for x in npz["dense_names"])
            if labels != LABELS or names != DENSE_NAMES or int(npz["parent_bits"]) != PARENT_BITS:
                raise ValueError(f"{directory / STANCE_FILE} was built for other features; "
                                 "rebuild it with training/train_stance.py")
            n_text = self.config.n_features
            width = n_text + (1 << PARENT_BITS) + len(DENSE_NAMES)
            self.weights = np.zeros((width, len(LABELS)), dtype=np.float32)
            self.weights[npz["cols"].astype(np.int64)] = npz["weights"].astype(np.float32)
            self.bias = npz["bias"].astype(np.float64)
            self.offsets = npz["offsets"].astype(np.float64)
            self.cue_weights = npz["cue_weights"].astype(np.float64)
            self.cue_bias = npz["cue_bias"].astype(np.float64)
            self.cue_offsets = npz["cue_offsets"].astype(np.float64)
            self.meta: dict[str, Any] = json.loads(str(npz["meta"]))

    def logits(self, items: Sequence[StanceInput]) -> npt.NDArray[np.float64]:
        """Raw scores before the validation-chosen offsets (what scikit-learn's decision_function gives)."""
        n = len(items)
        n_text = self.config.n_features
        out = np.zeros((n, len(LABELS)), dtype=np.float64)
        if n == 0:
            return out
        own = featurise([it.text for it in items], self.config, self.idf)
        parents = [(i, it.parent_text) for i, it in enumerate(items) if it.parent_text]
        np.add.at(out, own.rows, own.vals[:, None] * self.weights[own.cols])
        if parents:
            pf = featurise([t for _, t in parents], self.config, self.idf)
            index = np.array([i for i, _ in parents], dtype=np.int64)
            np.add.at(out, index[pf.rows], pf.vals[:, None] * self.weights[parent_columns(pf, n_text)])
        dense = dense_features(items)
        out += dense @ self.weights[n_text + (1 << PARENT_BITS):].astype(np.float64)
        out += self.bias
        return out

    def cue_logits(self, items: Sequence[StanceInput]) -> npt.NDArray[np.float64]:
        """Raw scores of the cue-only head (before its offsets)."""
        scores: npt.NDArray[np.float64] = dense_features(items) @ self.cue_weights + self.cue_bias
        return scores

    def probs(self, items: Sequence[StanceInput]) -> npt.NDArray[np.float64]:
        """Probabilities in :data:`LABELS` order; non-English posts are scored by the cue-only head."""
        out = np.zeros((len(items), len(LABELS)))
        english = np.array([it.english for it in items], dtype=bool)
        if english.any():
            chosen = [it for it in items if it.english]
            out[english] = softmax(self.logits(chosen) + self.offsets)
        if (~english).any():
            chosen = [it for it in items if not it.english]
            out[~english] = softmax(self.cue_logits(chosen) + self.cue_offsets)
        return out

    def predict(self, items: Sequence[StanceInput]) -> list[str]:
        return [LABELS[i] for i in self.probs(items).argmax(axis=1).tolist()] if items else []


@lru_cache(maxsize=1)
def stance_model() -> StanceModel:
    """The shipped stance model, loaded once per process."""
    return StanceModel()
