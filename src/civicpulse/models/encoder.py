"""The ``accurate`` profile's model: one MiniLM encoder fine-tuned on five tasks, run with onnxruntime.

Built by ``training/train_encoder.py``; model card ``docs/models/encoder.md``. One int8 ONNX graph
gives every head's logits, and the mean-pooled sentence embedding they read (output ``pooled``), for
a batch in one pass. Heads refitted on the CPU from frozen embeddings (identity-balanced,
``training/refit_encoder_heads.py``), when ``encoder_heads.npz`` is present (none is shipped now:
docs/models/encoder.md says why), replace the graph's own logits for their tasks. As with
:mod:`civicpulse.models.text`, the last batch's result is kept, keyed by its inputs: the
sentiment, offensive, hate and emotion analysers ask one after the other and only the first pays.

onnxruntime and tokenizers are the optional extra ``civicpulse[accurate]``; asking for this model
without them is a :class:`~civicpulse.errors.UsageError` that says how to install them."""

from __future__ import annotations

import json
import lzma
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from civicpulse.errors import UsageError
from civicpulse.models.last_batch import LastBatch
from civicpulse.models.probability import softmax
from civicpulse.models.stance import LABELS as STANCE_LABELS

__all__ = ["ENCODER_FILE", "ENCODER_META", "HEADS_FILE", "MAX_TOKENS", "POOLED", "TASKS", "TOKENIZER_FILE",
           "Encoder", "available", "encoder", "encoder_probs", "ensemble_heads", "read_graph", "write_graph"]

MODELS_DIR = Path(__file__).resolve().parent
#: The int8 ONNX graph, xz-compressed: 16.8 MB instead of 23.0 (int8 weights still compress well).
ENCODER_FILE = "encoder.onnx.xz"
ENCODER_META = "encoder.json"
TOKENIZER_FILE = "encoder_tokenizer.json"
HEADS_FILE = "encoder_heads.npz"
#: The graph output holding the mean-pooled sentence embedding (every head's input).
POOLED = "pooled"
#: Longer inputs are cut: a post rarely needs more, and attention's cost grows with the square.
MAX_TOKENS = 128
#: Head name → its labels, in the order of the ONNX graph's outputs and of each head's logits.
TASKS: dict[str, tuple[str, ...]] = {
    "sentiment": ("negative", "neutral", "positive"),
    "emotion": ("anger", "joy", "optimism", "sadness"),
    "offensive": ("not-offensive", "offensive"),
    "hate": ("not-hate", "hate"),
    "stance": STANCE_LABELS,
}
#: Text beyond this is never read (MAX_TOKENS word pieces fit well inside it); bounds the
#: tokeniser's work on a hostile 10 MB post.
_MAX_CHARS = 4000

FloatArray = npt.NDArray[np.float32]


def read_graph(path: Path) -> bytes:
    """The serialised ONNX graph in the xz file at ``path`` (about a second to unpack)."""
    return lzma.decompress(path.read_bytes())


def write_graph(path: Path, graph: bytes) -> None:
    path.write_bytes(lzma.compress(graph, preset=6))


def available() -> bool:
    """Whether the optional runtime (onnxruntime, tokenizers) is installed."""
    try:
        import onnxruntime  # noqa: F401
        import tokenizers  # noqa: F401
    except ImportError:
        return False
    return True


class Encoder:
    """Tokeniser + ONNX session; :meth:`logits` scores a batch of posts (or reply/parent pairs)."""

    def __init__(self, directory: Path = MODELS_DIR, threads: int = 1) -> None:
        if not available():
            raise UsageError("the accurate analyser profile needs onnxruntime and tokenizers",
                             fix="pip install 'civicpulse[accurate]', or set analyser_profile = \"fast\"")
        import onnxruntime
        from tokenizers import Tokenizer

        self.meta: dict[str, Any] = json.loads((directory / ENCODER_META).read_text(encoding="utf-8"))
        self.tokenizer = Tokenizer.from_file(str(directory / TOKENIZER_FILE))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        # One thread by default: the pipeline scales by processes, and "posts/s on one core" is
        # the unit every speed target here is stated in.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = onnxruntime.InferenceSession(read_graph(directory / ENCODER_FILE), options,
                                                    providers=["CPUExecutionProvider"])
        self.outputs = [o.name for o in self.session.get_outputs()]
        #: Task → (weight (labels × width), bias) of a refitted head, applied to ``pooled`` in float64.
        self.heads: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
        if (directory / HEADS_FILE).exists():
            if POOLED not in self.outputs:
                raise UsageError(f"{directory / HEADS_FILE} needs an encoder graph with a {POOLED!r} output",
                                 fix="rebuild both with training/refit_encoder_heads.py")
            with np.load(directory / HEADS_FILE) as npz:
                for task in TASKS:
                    if f"{task}_weight" in npz:
                        self.heads[task] = (npz[f"{task}_weight"].astype(np.float64),
                                            npz[f"{task}_bias"].astype(np.float64))

    def logits(self, texts: Sequence[str], pairs: Sequence[str | None] | None = None) -> dict[str, FloatArray]:
        """Every head's logits, ``(len(texts), len(labels))`` each; ``pairs`` are second segments
        (the post replied to, for stance)."""
        out, pooled = self._run(texts, pairs)
        for task, (weight, bias) in self.heads.items():
            out[task] = np.asarray(pooled.astype(np.float64) @ weight.T + bias, dtype=np.float32)
        return out

    def pooled(self, texts: Sequence[str]) -> FloatArray:
        """The mean-pooled sentence embedding of each text, ``(len(texts), width)``: the heads' input."""
        if POOLED not in self.outputs:
            raise UsageError(f"this encoder graph has no {POOLED!r} output",
                             fix="rebuild it with training/refit_encoder_heads.py")
        return self._run(texts, None)[1]

    def _run(self, texts: Sequence[str], pairs: Sequence[str | None] | None) -> tuple[dict[str, FloatArray],
                                                                                        FloatArray]:
        if pairs is None:
            encodings = self.tokenizer.encode_batch([_clean(t) for t in texts])
        else:
            encodings = self.tokenizer.encode_batch(
                [(_clean(t), _clean(p)) if p else _clean(t) for t, p in zip(texts, pairs, strict=True)])
        out = {task: np.zeros((len(encodings), len(labels)), dtype=np.float32) for task, labels in TASKS.items()}
        pooled = np.zeros((len(encodings), 0), dtype=np.float32)
        # One post per call: the int8 graph quantises activations with one scale per call, so a
        # post scored in a batch would depend on its neighbours (up to a logit's difference). One
        # at a time costs a quarter of the speed and makes every result reproducible.
        for i, e in enumerate(encodings):
            shape = (1, len(e.ids))
            feed = {"input_ids": np.asarray(e.ids, dtype=np.int64).reshape(shape),
                    "attention_mask": np.ones(shape, dtype=np.int64),
                    "token_type_ids": np.asarray(e.type_ids, dtype=np.int64).reshape(shape)}
            results = dict(zip(self.outputs, self.session.run(None, feed), strict=True))
            for task in TASKS:
                out[task][i] = results[task][0]
            if POOLED in results:
                if i == 0:
                    pooled = np.zeros((len(encodings), results[POOLED].shape[1]), dtype=np.float32)
                pooled[i] = results[POOLED][0]
        return out, pooled


def _clean(text: str) -> str:
    """Bounded, and valid UTF-8: a lone surrogate (possible in a Python str) becomes U+FFFD."""
    text = text[:_MAX_CHARS]
    return text.encode("utf-8", "replace").decode("utf-8") if not text.isascii() else text


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The shipped encoder, loaded once per process."""
    return Encoder()


def ensemble_heads() -> frozenset[str]:
    """The heads the ``accurate`` profile mixes with the fast ones (``ensemble_heads`` in
    ``encoder.json``, written by ``training/pick_ensemble.py``)."""
    return frozenset(encoder().meta["ensemble_heads"])


_last_batch: LastBatch[dict[str, FloatArray]] = LastBatch()


def encoder_probs(task: str, texts: list[str]) -> npt.NDArray[np.float64]:
    """Class probabilities of head ``task`` for ``texts``; one encoder pass per batch, shared."""
    return softmax(_last_batch.get(texts, lambda chosen: encoder().logits(chosen))[task])


def clear_cache() -> None:
    """Forget the last batch (for honest timings)."""
    _last_batch.clear()
