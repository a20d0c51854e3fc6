"""Readers for the labelled data sets in ``../shared/data``, following each folder's README.

Used by the training scripts and by the evaluation, so that both read the same rows. Only the
standard library and numpy: evaluation must run where scikit-learn is not installed."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import numpy.typing as npt

from civicpulse.errors import UsageError

__all__ = ["check_data", "crisislex_t6", "crisislex_t26", "hateval_es", "olid_test", "olid_train", "tweeteval"]

Labels = npt.NDArray[np.int64]


def check_data(data: Path) -> Path:
    """``data`` resolved, or a :class:`UsageError` saying how to point at the labelled data."""
    data = Path(data).expanduser().resolve()
    if not (data / "tweeteval").is_dir():
        raise UsageError(
            f"no labelled data at {data} (expected {data}/tweeteval/, olid/, hateval2019_es/)",
            fix="pass --data PATH to the shared labelled data folder, e.g. --data ../shared/data",
        )
    return data


def _lines(path: Path) -> list[str]:
    # One tweet per "\n"; some files lack the final newline; a stray "\r" is not part of a tweet.
    with path.open(encoding="utf-8", newline="\n") as f:
        return [line.rstrip("\n").rstrip("\r") for line in f]


def tweeteval(data: Path, task: str, split: str) -> tuple[list[str], Labels]:
    """An official TweetEval split; sentiment ``train`` is the README's documented reconstruction."""
    folder = data / "tweeteval" / task
    if task == "sentiment" and split == "train":
        with gzip.open(folder / "train_reconstructed.tsv.gz", "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        return [r["text"] for r in rows], np.array([int(r["label"]) for r in rows], dtype=np.int64)
    labels = np.array([int(x) for x in _lines(folder / f"{split}_labels.txt") if x.strip()], dtype=np.int64)
    texts = _lines(folder / f"{split}_text.txt")[: len(labels)]
    return texts, labels


def olid_train(data: Path) -> list[dict[str, str]]:
    with (data / "olid" / "olid-training-v1.0.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{k.strip(): (v or "").strip() for k, v in r.items()} for r in rows]


def olid_test(data: Path, level: str) -> tuple[list[str], list[str]]:
    """Official OLID test set of ``level`` (``a``, ``b`` or ``c``): texts and string labels."""
    folder = data / "olid"
    with (folder / f"testset-level{level}.tsv").open(encoding="utf-8", newline="") as f:
        texts = {r["id"].strip(): r["tweet"].strip()
                 for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}
    with (folder / f"labels-level{level}.csv").open(encoding="utf-8", newline="") as f:
        labels = [(row[0].strip(), row[1].strip()) for row in csv.reader(f) if row and row[0].strip() != "id"]
    return [texts[i] for i, _ in labels], [label for _, label in labels]


def hateval_es(data: Path, split: str) -> tuple[list[str], Labels]:
    """HatEval 2019 Spanish ``train`` or ``dev`` (parsed without quote handling, as the README says)."""
    with (data / "hateval2019_es" / f"{split}_es.tsv").open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        rows = list(reader)
    return [r[1] for r in rows], np.array([int(r[2]) for r in rows], dtype=np.int64)


def _crisislex(data: Path, name: str) -> list[dict[str, str]]:
    with gzip.open(data / "crisislex" / name, "rt", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def crisislex_t6(data: Path) -> tuple[list[str], list[str], list[str]]:
    """CrisisLex T6: texts, ``on-topic``/``off-topic`` labels and the event of each tweet."""
    rows = _crisislex(data, "crisislext6_ontopic.csv.gz")
    return [r["text"] for r in rows], [r["label"] for r in rows], [r["event"] for r in rows]


def crisislex_t26(data: Path) -> list[dict[str, str]]:
    """CrisisLex T26 rows: ``event``, ``text``, ``informativeness``, ``information_type``, ...
    (the README lists the label values; ``Not applicable`` / ``Not labeled`` are kept as given)."""
    return _crisislex(data, "crisislext26_labeled.csv.gz")
