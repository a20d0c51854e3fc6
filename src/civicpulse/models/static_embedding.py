"""A static sentence embedding distilled from all-MiniLM-L6-v2, and the linear heads that read it.

Built by ``training/train_static_embedding.py`` in the manner of model2vec: every word piece of
MiniLM's vocabulary is passed through the model alone, its output vector kept, the vectors reduced
by PCA; a post's embedding is the idf-weighted sum of its pieces' vectors, L2-normalised. No
transformer runs at analysis time: one table lookup per piece, so the fast profile keeps its speed.

Why it exists: the hashed word and character features learn the training set's shortcuts. On
HatEval the English hate head learned that ``#BuildThatWall`` and "bitch" mean hate (100 % and
79 % of such training posts are labelled hate; 25 % and 44 % in the test set) and flagged 93 % of
the test posts. Sentence vectors carry meaning, not surface strings, and transfer far better
(``docs/models/hate.md``). But alone it flags more everyday talk, so a head's metadata may name a
hashed head to mix with (``mixed_with``, ``mix_weight``; :func:`civicpulse.models.text.batch_probs`).
The heads over this embedding are listed in :data:`EMBEDDING_HEADS`.

Artefact ``static_embedding.npz``: ``vocabulary`` (the word pieces, newline-joined), ``vectors``
(float16, pieces x dims), ``weights`` (float32 idf per piece), ``meta``. Each head is
``{name}.npz`` with the usual ``labels``/``weights``/``bias``/``offsets``/``meta`` of a dense head.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.models.last_batch import LastBatch
from civicpulse.models.probability import softmax
from civicpulse.models.segments import require_finite, segment_sums
from civicpulse.models.wordpiece import WordPiece

__all__ = ["EMBEDDING_FILE", "EMBEDDING_HEADS", "EmbeddingHead", "StaticEmbedding", "clear_embedding_cache",
           "embedding_probs", "static_embedding"]

MODELS_DIR = Path(__file__).resolve().parent
EMBEDDING_FILE = "static_embedding.npz"
#: Heads that read the static embedding instead of the hashed features.
EMBEDDING_HEADS = ("hate", "offensive", "emotion", "crisis_relevance", "crisis_informativeness",
                   "crisis_info_type")
#: Text beyond this is never read: a post's meaning is in its first few hundred words, and it
#: bounds the work on a hostile 100,000-character post.
_MAX_CHARS = 4000

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True)
class EmbeddingHead:
    name: str
    labels: tuple[str, ...]
    weights: FloatArray  # (dims, 1) for a binary head (logit of labels[1]), else (dims, k)
    bias: FloatArray
    offsets: npt.NDArray[np.float64]
    meta: dict[str, Any]

    def probs(self, embedded: FloatArray) -> npt.NDArray[np.float64]:
        logits = (embedded @ self.weights).astype(np.float64) + self.bias
        if logits.shape[1] == 1:
            logits = np.concatenate([np.zeros_like(logits), logits], axis=1)
        return softmax(logits + self.offsets)


class StaticEmbedding:
    def __init__(self, directory: Path = MODELS_DIR, heads: tuple[str, ...] = EMBEDDING_HEADS) -> None:
        with np.load(directory / EMBEDDING_FILE, allow_pickle=False) as npz:
            vocabulary = str(npz["vocabulary"]).split("\n")
            # Each piece's vector pre-multiplied by its weight: a post is then one sum. Kept in
            # float16 (15.6 MB, not 31: the pipeline's main process must stay under 400 MB) and
            # summed in float32. Multiplied in place: freeing a large array here would raise
            # glibc's mmap threshold for the whole process, and the heap would then fragment
            # (+80 MB resident over a long stream, measured).
            self._weighted: npt.NDArray[np.float16] = npz["vectors"]
            self._weighted *= npz["weights"].astype(np.float16)[:, None]
            require_finite(self._weighted, str(directory / EMBEDDING_FILE))
            self.meta: dict[str, Any] = json.loads(str(npz["meta"]))
        self.tokeniser = WordPiece(vocabulary)
        self.heads: dict[str, EmbeddingHead] = {}
        for name in heads:
            path = directory / f"{name}.npz"
            with np.load(path, allow_pickle=False) as npz:
                self.heads[name] = EmbeddingHead(
                    name, tuple(str(x) for x in npz["labels"]), npz["weights"].astype(np.float32),
                    npz["bias"].astype(np.float32), npz["offsets"].astype(np.float64),
                    json.loads(str(npz["meta"])))

    @property
    def dims(self) -> int:
        return int(self._weighted.shape[1])

    def embed(self, texts: list[str]) -> FloatArray:
        """``(len(texts), dims)`` unit vectors; a text without any word piece gets zeros."""
        ids: list[int] = []
        lengths = np.zeros(len(texts), dtype=np.int64)
        for i, text in enumerate(texts):
            pieces = self.tokeniser.ids(text[:_MAX_CHARS])
            ids.extend(pieces)
            lengths[i] = len(pieces)
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        present = np.flatnonzero(lengths)
        ends = np.cumsum(lengths[present])
        out[present] = segment_sums(self._weighted, np.asarray(ids, dtype=np.int64), ends - lengths[present])
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
        return out


@lru_cache(maxsize=1)
def static_embedding() -> StaticEmbedding:
    return StaticEmbedding()


#: The offensive, hate, emotion and crisis analysers read the same batch's embedding one after the other.
_last_batch: LastBatch[FloatArray] = LastBatch()


def embedding_probs(head: str, texts: list[str]) -> npt.NDArray[np.float64]:
    """Class probabilities of embedding head ``head`` for ``texts``."""
    model = static_embedding()
    return model.heads[head].probs(_last_batch.get(texts, model.embed))


def clear_embedding_cache() -> None:
    """Forget the last batch's embedding (for honest timings)."""
    _last_batch.clear()
