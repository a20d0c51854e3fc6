"""Hashed word + character n-gram features, computed for a whole batch at once with numpy.

This module is the *single* definition of the text features: the training scripts in ``training/``
build their scikit-learn matrices from :func:`featurise` too, so what a model saw when it was fitted
is bit-for-bit what it sees at run time (``tests/analysers/test_text_models.py`` checks it).

Why hashing and not a vocabulary: no vocabulary to ship or look up (a dict lookup per n-gram in
Python is the slow part of a classic vectoriser), and the same index space is shared by every head,
so one featurisation pass serves sentiment, offensive, hate and emotion together.

Why this shape of computation: per-post Python work is kept to a few regex calls (normalising and
word tokenising); the character n-grams — most of the features — are hashed for the whole batch in
a handful of vectorised numpy operations over one UTF-32 array of all texts.

Feature values. For each block (words, characters) of one post, every n-gram *occurrence* ``o``
with bucket ``b(o)`` contributes ``idf[b(o)] / sqrt(sum over the block's occurrences of idf^2)``;
repeated n-grams simply add up. That is tf-idf with an L2-style normalisation computed over
occurrences rather than distinct buckets, which needs no per-post grouping (no sort) and so is
cheap; since training uses the same definition, nothing is approximated.
"""

from __future__ import annotations

import itertools
import re
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["FeatureConfig", "Features", "featurise", "normalise", "word_tokens"]

#: Only this many characters of a post are featurised: the first 1,000 characters decide the
#: label of any realistic post, and the cap keeps a 100,000-character paste from costing seconds.
MAX_CHARS = 1000

_URL = re.compile(r"https?://\S+|www\.\S+")
_MENTION = re.compile(r"@\w+")
# Three or more repeats become exactly three: "soooooo" and "sooooo" look the same, "so" differs.
_ELONGATION = re.compile(r"(.)\1{3,}")
_SPACES = re.compile(r"\s+")
# A word (with a leading # or @ kept, and inner apostrophes), or any single other non-space
# character, which makes every emoji and punctuation mark a token of its own.
_TOKEN = re.compile(r"[#@]?\w+(?:['’]\w+)*|[^\w\s]")

# 64-bit multiplicative constants for the polynomial hash of character n-grams and its finaliser.
_POLY = np.uint64(0x100000001B3)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT29 = np.uint64(29)


@dataclass(frozen=True)
class FeatureConfig:
    """The hashing layout. Stored inside every model artefact and checked when a model loads."""

    word_bits: int = 18
    char_bits: int = 19
    char_min: int = 2
    char_max: int = 5
    word_weight: float = 1.0
    char_weight: float = 1.0

    @property
    def n_features(self) -> int:
        return (1 << self.word_bits) + (1 << self.char_bits)

    def as_array(self) -> npt.NDArray[np.float64]:
        return np.array([self.word_bits, self.char_bits, self.char_min, self.char_max,
                         self.word_weight, self.char_weight], dtype=np.float64)

    @classmethod
    def from_array(cls, values: npt.NDArray[np.float64]) -> FeatureConfig:
        wb, cb, cmin, cmax, ww, cw = (float(v) for v in values)
        return cls(int(wb), int(cb), int(cmin), int(cmax), ww, cw)


@dataclass(frozen=True)
class Features:
    """One batch in coordinate form: occurrence ``i`` of post ``rows[i]`` hits bucket ``cols[i]``.

    ``vals`` already carries idf and the per-block normalisation, so a linear score is
    ``bincount(rows, vals * w[cols])`` and a scipy matrix is ``csr_matrix((vals, (rows, cols)))``.
    """

    n_rows: int
    rows: npt.NDArray[np.int64]
    cols: npt.NDArray[np.int64]
    vals: npt.NDArray[np.float64]
    #: What made each occurrence: 1 for a word n-gram, n for a character n-gram.
    kinds: npt.NDArray[np.uint8]


def normalise(text: str) -> str:
    """Lower-case, URLs → ``url``, mentions → ``@user``, long letter repeats squeezed, capped."""
    text = text[:MAX_CHARS]
    text = _URL.sub(" url ", text)
    text = _MENTION.sub("@user", text)
    text = _ELONGATION.sub(r"\1\1\1", text.lower())
    return _SPACES.sub(" ", text).strip()


def word_tokens(normalised: str) -> list[str]:
    """Tokens of a normalised text; a hashtag also yields its bare word (``#blessed`` → ``blessed``)."""
    tokens = _TOKEN.findall(normalised)
    return tokens + [t[1:] for t in tokens if t[0] == "#" and len(t) > 1]


def _crc(token: str) -> int:
    # surrogatepass: a lone surrogate (broken emoji from a truncated API payload) must not raise.
    return zlib.crc32(token.encode("utf-8", "surrogatepass"))


def _word_buckets(texts: list[str], bits: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    rows: list[int] = []
    hashes: list[int] = []
    for row, text in enumerate(texts):
        tokens = _TOKEN.findall(text)
        grams = tokens + [t[1:] for t in tokens if t[0] == "#" and len(t) > 1]
        # Bigrams over the original token order; tokens never contain a space, so "a b" cannot
        # collide with a unigram string.
        grams += [f"{a} {b}" for a, b in itertools.pairwise(tokens)]
        hashes.extend(map(_crc, grams))
        rows.extend([row] * len(grams))
    mask = (1 << bits) - 1
    return np.asarray(rows, dtype=np.int64), np.asarray(hashes, dtype=np.int64) & mask


def _char_buckets(texts: list[str], config: FeatureConfig) -> tuple[npt.NDArray[np.int64],
                                                                     npt.NDArray[np.int64],
                                                                     npt.NDArray[np.uint8]]:
    """All character n-grams (n in [char_min, char_max]) of ``" " + text + " "``, hashed."""
    padded = [f" {t} " for t in texts]
    lengths = np.fromiter((len(t) for t in padded), dtype=np.int64, count=len(padded))
    joined = "".join(padded).encode("utf-32-le", "surrogatepass")
    codes = np.frombuffer(joined, dtype=np.uint32).astype(np.uint64)
    total = codes.shape[0]
    doc = np.repeat(np.arange(len(padded), dtype=np.int64), lengths)
    ends = np.cumsum(lengths)
    # How many characters remain in the post from position i (inclusive).
    remaining = ends[doc] - np.arange(total, dtype=np.int64)
    shift = np.uint64(64 - config.char_bits)
    # One column per n: column j holds the hash of the n-gram *starting* at each position, so that
    # flattening row-major lists every post's n-grams contiguously (rows sorted), which lets the
    # scorer sum each post with one reduceat instead of a scatter.
    ns = list(range(config.char_min, config.char_max + 1))
    if not ns or total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0, dtype=np.uint8)
    table = np.zeros((total, len(ns)), dtype=np.uint64)
    valid = np.zeros((total, len(ns)), dtype=bool)
    h = codes.copy()
    with np.errstate(over="ignore"):
        for n in range(1, config.char_max + 1):
            if total - n + 1 <= 0:
                # The whole batch is shorter than n characters (e.g. one empty post): no n-grams,
                # and a negative slice bound below would mean "all but the last", not "none".
                break
            if n > 1:
                # h[i] becomes the polynomial hash of codes[i : i + n]; uint64 wraps mod 2**64.
                h = h[: total - n + 1] * _POLY + codes[n - 1:]
            if n < config.char_min:
                continue
            j = n - config.char_min
            hv = h ^ np.uint64(n * 0x51ED27)
            # Finaliser: the low bits of a polynomial hash mod 2**64 are weak, so mix, keep the top.
            table[: total - n + 1, j] = ((hv ^ (hv >> _SHIFT29)) * _MIX) >> shift
            valid[: total - n + 1, j] = remaining[: total - n + 1] >= n
    flat_valid = valid.ravel()
    rows = np.repeat(doc, len(ns))[flat_valid]
    kinds = np.tile(np.array(ns, dtype=np.uint8), total)[flat_valid]
    return rows, table.ravel()[flat_valid].astype(np.int64), kinds


def _normalised_values(rows: npt.NDArray[np.int64], cols: npt.NDArray[np.int64],
                       idf: npt.NDArray[np.float32], n_rows: int, weight: float) -> npt.NDArray[np.float64]:
    w = idf[cols].astype(np.float64)
    norms = np.sqrt(np.bincount(rows, weights=w * w, minlength=n_rows))
    norms[norms == 0.0] = 1.0
    return np.asarray(weight * w / norms[rows], dtype=np.float64)


def featurise(texts: list[str], config: FeatureConfig, idf: npt.NDArray[np.float32] | None = None,
              *, already_normalised: bool = False) -> Features:
    """Features of a batch of raw texts. ``idf=None`` means all ones (used to compute the idf)."""
    norm = texts if already_normalised else [normalise(t) for t in texts]
    n = len(norm)
    if idf is None:
        idf = np.ones(config.n_features, dtype=np.float32)
    w_rows, w_cols = _word_buckets(norm, config.word_bits)
    c_rows, c_cols, c_kinds = _char_buckets(norm, config)
    c_cols = c_cols + (1 << config.word_bits)
    w_vals = _normalised_values(w_rows, w_cols, idf, n, config.word_weight)
    c_vals = _normalised_values(c_rows, c_cols, idf, n, config.char_weight)
    rows = np.concatenate([w_rows, c_rows])
    # Both blocks are sorted by row already; a stable sort of two sorted runs is a single merge.
    order = np.argsort(rows, kind="stable")
    kinds = np.concatenate([np.ones(w_rows.shape[0], dtype=np.uint8), c_kinds])
    return Features(n, rows[order], np.concatenate([w_cols, c_cols])[order],
                    np.concatenate([w_vals, c_vals])[order], kinds[order])
