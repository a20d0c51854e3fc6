"""The English reference vocabulary: words real people write, for telling a slip of the thumb from a
word (``civicpulse.detectors.slips``).

    .venv/bin/python training/train_vocabulary.py [--data PATH]

A word joins when it is letters only, at least ``MIN_SLIP_CHARS`` long (shorter words are never
judged), and found in at least ``MIN_TEXTS`` distinct texts, so that one writer's typo does not. The
texts are the training material in ``--data`` (default ../shared/data): TweetEval's training splits
(sentiment's documented reconstruction, emotion, hate, offensive, irony), OLID's training set,
RumourEval 2017's training posts, Twitter15/16, and the CrisisLex T6 and T26 tweets that
civicpulse's language model calls English. No test split is read. Words are found exactly as the
event detector finds them (:func:`civicpulse.detectors.terms.text_terms`).

Writes ``src/civicpulse/models/vocabulary_en.txt.gz`` (sorted, one word a line, byte-for-byte
reproducible) and prints its size. A few seconds on one core.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path

from common import MODELS_DIR, data_arg, olid_train, tweeteval

from civicpulse.analysers._text import detect
from civicpulse.detectors.slips import MIN_SLIP_CHARS, VOCABULARY_FILES
from civicpulse.detectors.terms import text_terms
from civicpulse.evaluation.datasets import crisislex_t6, crisislex_t26

#: A word must be in this many distinct texts: common misspellings of real writers are rare, and a
#: generator's or one writer's slip is in one text.
MIN_TEXTS = 2


def english_texts(data: Path) -> list[str]:
    """The distinct English training texts of ``data``, in a fixed order."""
    texts: list[str] = []
    for task in ("sentiment", "emotion", "hate", "offensive", "irony"):
        texts += tweeteval(data, task, "train")[0]
    texts += [row["tweet"] for row in olid_train(data)]
    with (data / "rumoureval2017" / "posts.jsonl").open(encoding="utf-8") as f:
        texts += [post["text"] for post in map(json.loads, f) if post["split"] == "train"]
    for name in ("twitter15", "twitter16"):
        with (data / "twitter15_16" / f"{name}.tsv").open(encoding="utf-8", newline="") as f:
            texts += [row["text"] for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)]
    crises = crisislex_t6(data)[0] + [row["text"] for row in crisislex_t26(data)]
    texts += [text for text, (language, _) in zip(crises, detect(crises), strict=True) if language == "en"]
    return list(dict.fromkeys(texts))


def vocabulary(texts: list[str]) -> list[str]:
    found_in: Counter[str] = Counter()
    for text in texts:
        found_in.update(w for w in text_terms(text, 10**6) if len(w) >= MIN_SLIP_CHARS and w.isalpha())
    return sorted(word for word, count in found_in.items() if count >= MIN_TEXTS)


def main() -> None:
    main_with(data_arg(__doc__ or ""))


def main_with(data: Path) -> None:
    texts = english_texts(data)
    words = vocabulary(texts)
    path = MODELS_DIR / VOCABULARY_FILES["en"]
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0, filename="") as f:
        f.write("".join(f"{w}\n" for w in words).encode("utf-8"))
    print(f"{len(texts):,} distinct English texts -> {len(words):,} words in {path.name} "
          f"({path.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
