"""Near-duplicates: MinHash over character shingles with LSH banding, for copy-paste campaigns.

Each post's normalised text (case-folded; links, @mentions and punctuation dropped, so that a
campaign that tags different people or adds an emoji still matches) is cut into overlapping
5-character shingles. A batch's shingles are hashed and min-hashed with numpy in one pass
(``NUM_PERM`` hash functions), and the signature is split into ``BANDS`` bands of ``ROWS`` rows: two
posts whose texts share a Jaccard similarity ``s`` of shingles collide in some band with probability
``1 - (1 - s^ROWS)^BANDS`` (0.28 at s = 0.3, 0.80 at s = 0.5, 0.98 at s = 0.66), and a collision counts only
if the signatures agree on at least ``THRESHOLD`` of their values.

A post that matches an earlier one joins that post's cluster; the cluster id is the id of the first
post seen in it, and ``size`` counts the posts seen in it so far. Memory is bounded: only the last
``near_duplicates_max_posts`` posts within ``near_duplicates_window_s`` seconds of post time are
remembered (see ``docs/configuration.md``); a cluster whose every member has left the window is
forgotten. Results depend only on the posts and their order, never on the wall clock.

Reposts (``repost_of`` set) are the platform's own sharing, not copy-paste, and texts shorter than
``MIN_CHARS`` once normalised ("ok", "lol") are too short to call duplicates: both get
``{"cluster": null, "size": 0}`` ("not applicable").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from civicpulse.analysers.base import Analyser
from civicpulse.config import Settings
from civicpulse.post import Post
from civicpulse.registry import analysers

__all__ = ["BANDS", "NUM_PERM", "ROWS", "THRESHOLD", "NearDuplicateAnalyser", "cluster_of", "normalise", "signatures"]

SHINGLE = 5
BANDS = 12
ROWS = 3
NUM_PERM = BANDS * ROWS
#: Share of signature values two posts must agree on (an estimate of their shingle Jaccard).
THRESHOLD = 0.5
MIN_CHARS = 16
#: Only the start of a very long text is compared: it bounds the cost of a hostile 100k-char post.
MAX_CHARS = 2000

U64 = npt.NDArray[np.uint64]
_LINKS = re.compile(r"https?://\S+|www\.\S+|@\w+")
_PUNCTUATION = re.compile(r"[\W_]+")
_rng = np.random.default_rng(20261129)
# The hash functions: x -> a*x + b mod 2^32 with odd a, a bijection on the (already mixed) 32-bit
# shingle hash.
_A = (_rng.integers(0, 2**31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)).astype(np.uint32)
_B = _rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
_ROW_MIX: U64 = (_rng.integers(1, 2**63, ROWS, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)
_BAND_SALT: U64 = _rng.integers(0, 2**63, BANDS, dtype=np.uint64)
_POLY = np.uint64(1_000_003)


def normalise(text: str) -> str:
    text = text[:MAX_CHARS].casefold()
    if "@" in text or "http" in text or "www." in text:
        text = _LINKS.sub(" ", text)
    return _PUNCTUATION.sub(" ", text).strip()


def _shingle_hashes(codes: npt.NDArray[np.uint32], lengths: npt.NDArray[np.int64]) -> tuple[U64, npt.NDArray[np.int64]]:
    """The 64-bit hash of every shingle of every text, in text order, and each text's first row."""
    c = codes.astype(np.uint64)
    total = c.size - SHINGLE + 1
    h = np.zeros(total, dtype=np.uint64)
    for j in range(SHINGLE):  # polynomial hash of the 5 code points, wrapping mod 2^64
        h = h * _POLY + c[j: j + total]
    h ^= h >> np.uint64(31)
    h *= np.uint64(0x9E3779B97F4A7C15)
    h ^= h >> np.uint64(29)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    owner = np.repeat(np.arange(lengths.size), lengths)[:total]
    valid = (np.arange(total) - starts[owner]) <= (lengths[owner] - SHINGLE)
    counts = np.maximum(lengths - SHINGLE + 1, 0)
    return h[valid], np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)


def signatures(texts: Sequence[str]) -> npt.NDArray[np.uint32]:
    """MinHash signatures, ``(len(texts), NUM_PERM)``; every text must have at least ``SHINGLE`` chars."""
    if not texts:
        return np.zeros((0, NUM_PERM), dtype=np.uint32)
    encoded = [t.encode("utf-32-le", "surrogatepass") for t in texts]
    codes = np.frombuffer(b"".join(encoded), dtype=np.uint32)
    lengths = np.fromiter((len(e) // 4 for e in encoded), dtype=np.int64, count=len(encoded))
    hashes, firsts = _shingle_hashes(codes, lengths)
    top = (hashes >> np.uint64(32)).astype(np.uint32)
    # One row per hash function, shingles along the contiguous axis: reduceat over contiguous memory
    # is an order of magnitude faster than over a strided column.
    permuted = np.empty((NUM_PERM, top.size), dtype=np.uint32)
    np.multiply(_A[:, None], top[None, :], out=permuted)
    permuted += _B[:, None]
    return np.ascontiguousarray(np.minimum.reduceat(permuted, firsts, axis=1).T)


def band_keys(sigs: npt.NDArray[np.uint32]) -> U64:
    """One 64-bit key per band: ``(len(sigs), BANDS)``; the band number is mixed in."""
    rows = sigs.reshape(-1, BANDS, ROWS).astype(np.uint64)
    keys: U64 = (rows * _ROW_MIX).sum(axis=2, dtype=np.uint64) ^ _BAND_SALT
    return keys


class _Window:
    """The remembered posts: a ring of slots with their signatures and band keys, and the buckets."""

    def __init__(self, capacity: int, window_s: float) -> None:
        self.capacity = capacity
        self.window_s = window_s
        self.sigs = np.zeros((capacity, NUM_PERM), dtype=np.uint32)
        self.keys: list[list[int]] = [[] for _ in range(capacity)]
        self.times = [0.0] * capacity
        self.cluster: list[str] = [""] * capacity
        self.head = 0  # next slot to write
        self.count = 0
        self.buckets: dict[int, int] = {}
        #: cluster id -> [posts seen so far, members still remembered]
        self.clusters: dict[str, list[int]] = {}

    def _evict(self, slot: int) -> None:
        for key in self.keys[slot]:
            if self.buckets.get(key) == slot:
                del self.buckets[key]
        stats = self.clusters[self.cluster[slot]]
        stats[1] -= 1
        if stats[1] == 0:
            del self.clusters[self.cluster[slot]]
        self.count -= 1

    def expire(self, now: float) -> None:
        cutoff = now - self.window_s
        while self.count:
            oldest = (self.head - self.count) % self.capacity
            if self.times[oldest] >= cutoff:
                break
            self._evict(oldest)

    def add(self, post_id: str, at: float, sig: npt.NDArray[np.uint32], keys: list[int]) -> dict[str, Any]:
        self.expire(at)
        best_slot, best_sim = -1, THRESHOLD
        get = self.buckets.get
        found = {get(k, -1) for k in keys}
        found.discard(-1)
        for slot in sorted(found):
            sim = int(np.count_nonzero(self.sigs[slot] == sig)) / NUM_PERM
            if sim >= best_sim and (best_slot < 0 or sim > best_sim):
                best_slot, best_sim = slot, sim
        cluster = self.cluster[best_slot] if best_slot >= 0 else post_id
        if self.count == self.capacity:
            self._evict(self.head)
        slot = self.head
        self.sigs[slot] = sig
        self.keys[slot] = keys
        self.times[slot] = at
        self.cluster[slot] = cluster
        for key in keys:
            self.buckets[key] = slot
        stats = self.clusters.setdefault(cluster, [0, 0])
        stats[0] += 1
        stats[1] += 1
        self.head = (self.head + 1) % self.capacity
        self.count += 1
        return {"cluster": cluster, "size": stats[0]}


@analysers.register("near_duplicates")
class NearDuplicateAnalyser(Analyser):
    """Per post: ``{"cluster": id of the first post of its cluster, "size": posts in it so far}``."""

    name = "near_duplicates"
    version = 1

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(settings)

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or Settings()
        self._window = _Window(settings.near_duplicates_max_posts, settings.near_duplicates_window_s)

    def analyse_many(self, posts: Sequence[Post]) -> list[Any]:
        texts = [normalise(p.text or "") if p.repost_of is None else "" for p in posts]
        chosen = [i for i, t in enumerate(texts) if len(t) >= MIN_CHARS]
        out: list[Any] = [{"cluster": None, "size": 0} for _ in posts]
        if not chosen:
            return out
        sigs = signatures([texts[i] for i in chosen])
        keys = band_keys(sigs).tolist()
        for row, i in enumerate(chosen):
            post = posts[i]
            out[i] = self._window.add(post.id, post.created_at.timestamp(), sigs[row], keys[row])
        return out


def cluster_of(post: Post) -> str | None:
    """The near-duplicate cluster ``post`` is in, when this analyser ran and placed it (not a repost
    or a very short text)."""
    found = post.enrichments.get(f"{NearDuplicateAnalyser.name}/{NearDuplicateAnalyser.version}")
    cluster = found.get("cluster") if isinstance(found, Mapping) else None
    return cluster if isinstance(cluster, str) else None
