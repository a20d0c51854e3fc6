"""Numpy inference for the shipped linear text heads (sentiment, offensive, emotion, crisis, ...).

Every head is a linear model over the same hashed features (:mod:`civicpulse.models.features`).
At load time all heads' weights are stacked into one ``(n_features, K)`` matrix, so one
featurisation pass and one gather score every head of a batch. :func:`batch_logits` keeps the
last batch's result, keyed by its texts: the sentiment, offensive, hate and emotion analysers run
one after the other over the same batch, and only the first one pays for the features.

The crisis heads' naive Bayes halves (:mod:`civicpulse.models.naive_bayes`) read only the word
occurrences of the same features, through their own stacked ``(2**word_bits, K)`` matrix; their
columns come last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.models import naive_bayes
from civicpulse.models.features import FeatureConfig, Features, featurise
from civicpulse.models.last_batch import LastBatch
from civicpulse.models.probability import mix, softmax
from civicpulse.models.segments import require_finite, row_sums
from civicpulse.models.static_embedding import EMBEDDING_HEADS, clear_embedding_cache, embedding_probs, static_embedding

__all__ = ["DEFAULT_HEADS", "FEATURES_FILE", "LANGUAGE_FILE", "LANGUAGE_FOLD_BITS", "LANGUAGE_KINDS",
           "MODELS_DIR", "NB_HEADS", "Head", "TextModels", "batch_probs", "clear_cache", "head_labels",
           "language_view", "load_features", "mix", "softmax", "text_models"]

MODELS_DIR = Path(__file__).resolve().parent
FEATURES_FILE = "text_features.npz"
LANGUAGE_FILE = "language.npz"
#: The language head reads the shared features folded into 2**17 buckets (``cols & mask``): a
#: 34-language head over all 786k buckets would be 100 MB of float32 for no measurable gain.
LANGUAGE_FOLD_BITS = 17
#: The language head reads only word n-grams and character trigrams (a quarter of the
#: occurrences): trigrams are the classic language-id feature, and 34 languages x every occurrence
#: would cost more than all the task heads together.
LANGUAGE_KINDS = (1, 3)


IntArray = npt.NDArray[np.int64]


def language_view(f: Features) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """Rows, folded columns and values of the occurrences the language head reads (still row-sorted)."""
    keep = (f.kinds == LANGUAGE_KINDS[0]) | (f.kinds == LANGUAGE_KINDS[1])
    return f.rows[keep], f.cols[keep] & ((1 << LANGUAGE_FOLD_BITS) - 1), f.vals[keep]
#: Every head shipped; the analysers pick theirs by name.
DEFAULT_HEADS = ("sentiment", "offensive_hashed", "offensive_targeted", "offensive_target", "hate_hashed", "hate_es",
                 "emotion_hashed")
#: Naive Bayes heads over the word block: the crisis heads' partners (crisis relevance,
#: informativeness, information type; each is mixed with a regression over the static embedding).
NB_HEADS = ("crisis_relevance_nb", "crisis_informativeness_nb", "crisis_info_type_nb")
#: Posts per featurisation chunk: bounds the features' temporaries (about 400 occurrences a post).
_CHUNK = 2048

FloatArray = npt.NDArray[np.float32]
HalfArray = npt.NDArray[np.float16]


def load_features(path: Path) -> tuple[FeatureConfig, FloatArray]:
    with np.load(path, allow_pickle=False) as npz:
        return FeatureConfig.from_array(npz["config"]), npz["idf"].astype(np.float32)


@dataclass(frozen=True)
class Head:
    name: str
    labels: tuple[str, ...]
    #: Columns of the stacked weight matrix; one column for a binary head (logit of labels[1]).
    start: int
    stop: int
    offsets: npt.NDArray[np.float64]
    meta: dict[str, Any]


class TextModels:
    """All heads of one model directory, stacked for a single-pass batch scorer."""

    def __init__(self, directory: Path = MODELS_DIR, heads: tuple[str, ...] = DEFAULT_HEADS,
                 nb_heads: tuple[str, ...] = NB_HEADS) -> None:
        self.config, self.idf = load_features(directory / FEATURES_FILE)
        sparse: list[tuple[IntArray, HalfArray]] = []
        biases: list[FloatArray] = []
        self.heads: dict[str, Head] = {}
        start = 0
        n = self.config.n_features
        for name in heads:
            path = directory / f"{name}.npz"
            if not path.exists():
                continue
            with np.load(path, allow_pickle=False) as npz:
                weights = npz["weights"]
                sparse.append((npz["cols"].astype(np.int64), weights))
                biases.append(npz["bias"].astype(np.float32))
                width = weights.shape[1]
                self.heads[name] = Head(name, tuple(str(x) for x in npz["labels"]), start, start + width,
                                        npz["offsets"].astype(np.float64), json.loads(str(npz["meta"])))
                start += width
        # One dense matrix for all heads, filled in place: building per-head blocks and
        # concatenating them would briefly need twice the memory.
        # Shipped as float16, widened here to float32 (exactly: every float16 is a float32): the
        # products with the float32 feature values then run at float32 speed, twice as fast as
        # numpy widening each gathered float16 row on the fly (13 against 25 µs a TweetEval post
        # for these heads). It costs 22 MB in the pipeline's main process, about what gathering a
        # step at a time (``segments``) saved: one gather over the batch made temporaries of 25 MB.
        # With ``segments.widen_half`` a float16 table measured 15.6-16.4 against 11.6-17.1 µs, then,
        # alternating over 10,240 TweetEval posts, 16.3-19.7 against 13.0-17.3 µs (the same sums):
        # 2-3 µs a post, about 2 % of the chain, for 22 MB. The main process peaks at 364 of its
        # 400 MB over 2 million posts, so the table stays float32.
        # The language head's table stays float16: 9 MB more for it would bring the main process
        # nearer its 400 MB budget than its few µs a post are worth.
        self.weights: FloatArray = np.zeros((n, start), dtype=np.float32)
        column = 0
        for rows, weights in sparse:
            self.weights[rows, column:column + weights.shape[1]] = weights
            column += weights.shape[1]
        self.bias: FloatArray = np.concatenate(biases) if biases else np.zeros(0, dtype=np.float32)
        self.languages: tuple[str, ...] = ()
        self.lang_weights: HalfArray = np.zeros((1 << LANGUAGE_FOLD_BITS, 0), dtype=np.float16)
        self.lang_bias: FloatArray = np.zeros(0, dtype=np.float32)
        if (directory / LANGUAGE_FILE).exists():
            with np.load(directory / LANGUAGE_FILE, allow_pickle=False) as npz:
                self.languages = tuple(str(x) for x in npz["labels"])
                self.lang_weights = npz["weights"].astype(np.float16, copy=False)
                require_finite(self.lang_weights, str(directory / LANGUAGE_FILE))
                self.lang_bias = npz["bias"].astype(np.float32)
        self._load_nb(directory, nb_heads, start + len(self.languages))

    def _load_nb(self, directory: Path, names: tuple[str, ...], first_column: int) -> None:
        blocks: list[FloatArray] = []
        column = first_column
        for name in names:
            path = directory / f"{name}.npz"
            if not path.exists():
                continue
            model = naive_bayes.load(path)
            blocks.append(model.weights())
            width = len(model.labels)
            # Uniform class prior (fit_prior=False): no offsets; macro metrics want no prior.
            self.heads[name] = Head(name, model.labels, column, column + width, np.zeros(width), model.meta)
            column += width
        self.nb_weights: FloatArray = (np.concatenate(blocks, axis=1) if blocks
                                       else np.zeros((1 << self.config.word_bits, 0), dtype=np.float32))

    def logits(self, texts: list[str]) -> npt.NDArray[np.float64]:
        """Raw scores: the stacked task columns, the language columns, then the naive Bayes columns."""
        k = self.weights.shape[1]
        n_lang = len(self.languages)
        n_nb = self.nb_weights.shape[1]
        out = np.zeros((len(texts), k + n_lang + n_nb), dtype=np.float64)
        for lo in range(0, len(texts), _CHUNK):
            chunk = texts[lo: lo + _CHUNK]
            f = featurise(chunk, self.config, self.idf)
            if f.rows.size == 0:
                continue
            present, sums = row_sums(self.weights, f.rows, f.cols, f.vals.astype(np.float32))
            out[lo + present, :k] = sums
            if n_lang:
                l_rows, l_cols, l_vals = language_view(f)
                present, sums = row_sums(self.lang_weights, l_rows, l_cols, l_vals.astype(np.float32))
                out[lo + present, k:k + n_lang] = sums
            if n_nb:
                w_rows, w_cols, w_vals = naive_bayes.word_view(f)
                present, sums = row_sums(self.nb_weights, w_rows, w_cols, w_vals.astype(np.float32))
                out[lo + present, k + n_lang:] = sums
        out[:, :k] += self.bias
        out[:, k:k + n_lang] += self.lang_bias
        return out

    def language_probs(self, logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        k = self.weights.shape[1]
        return softmax(logits[:, k:k + len(self.languages)])

    def probs(self, name: str, logits: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        head = self.heads[name]
        block = logits[:, head.start: head.stop]
        if block.shape[1] == 1:
            block = np.concatenate([np.zeros_like(block), block], axis=1)
        return softmax(block + head.offsets)


@lru_cache(maxsize=1)
def text_models() -> TextModels:
    """The shipped models, loaded once per process (about 0.5 s)."""
    return TextModels()


_last_batch: LastBatch[npt.NDArray[np.float64]] = LastBatch()


def batch_probs(name: str, texts: list[str]) -> npt.NDArray[np.float64]:
    """Class probabilities of head ``name`` (or ``"language"``) for ``texts``.

    The features and every head's scores are computed once per batch and shared by the analysers
    that ask next for the same texts. Heads over the static embedding
    (:data:`~civicpulse.models.static_embedding.EMBEDDING_HEADS`) are answered by that model, mixed
    with the hashed head their metadata names (``mixed_with``, ``mix_weight``: chosen on
    validation by the training script)."""
    if name in EMBEDDING_HEADS:
        probs = embedding_probs(name, texts)
        meta = static_embedding().heads[name].meta
        partner = meta.get("mixed_with")
        return mix(probs, batch_probs(partner, texts), float(meta["mix_weight"])) if partner else probs
    models = text_models()
    logits = _last_batch.get(texts, models.logits)
    return models.language_probs(logits) if name == "language" else models.probs(name, logits)


def head_labels(name: str) -> tuple[str, ...]:
    """The labels of head ``name``, in the order of :func:`batch_probs`' columns."""
    if name in EMBEDDING_HEADS:
        return static_embedding().heads[name].labels
    return text_models().heads[name].labels


def clear_cache() -> None:
    """Forget the last batch's scores (for honest timings: the next call featurises again)."""
    _last_batch.clear()
    clear_embedding_cache()
