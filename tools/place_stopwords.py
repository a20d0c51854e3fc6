"""Derive the place names that are also everyday words ("Nice", "Police", "Reading", "Best").

A gazetteer name is an everyday word when, in the labelled tweet corpora of ``../shared/data``
(TweetEval, every task and split, and the Spanish HatEval training set), it is written in lower
case at least three times and at least as often as it is capitalised mid-sentence. Writes the sorted
list to ``src/civicpulse/analysers/place_stopwords.json``; the places analyser accepts such a name in a
text only after a locative preposition ("in Nice", "to Reading").

    .venv/bin/python tools/place_stopwords.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
from pathlib import Path

from civicpulse.analysers.gazetteer import load_gazetteer

ROOT = Path(__file__).parents[1]
OUT = ROOT / "src/civicpulse/analysers/place_stopwords.json"
_WORD = re.compile(r"[^\W\d_]+")
#: Real places that the corpora happen to write in lower case (hashtag-style); they stay names.
KEEP = {"gaza", "cleveland", "milwaukee", "cologne", "derby", "stoke", "caen", "leeds", "london", "paris"}
#: Everyday words of the languages the corpora lack (fr, de, it, nl), and street or landmark words
#: ("Reginald Terrace", "Hyde Park Corner"), that are also city names.
EXTRA = {"bad", "best", "biel", "bra", "cento", "elf", "goes", "hoorn", "lens", "marl", "mons", "niort",
         "pau", "sens", "soest", "stade", "tours", "uden", "velbert", "vitry", "weil", "wetter", "terrace",
         "grove", "green", "center", "university", "bay", "north", "central", "plaza"}


def corpus(data: Path) -> list[str]:
    texts: list[str] = []
    for path in sorted((data / "tweeteval").glob("*/*_text.txt")):
        texts += path.read_text(encoding="utf-8").splitlines()
    with (data / "hateval2019_es" / "train_es.tsv").open(encoding="utf-8") as handle:
        texts += [row[1] for row in csv.reader(handle, delimiter="\t") if len(row) > 1]
    return texts


def everyday_names(texts: list[str], names: set[str]) -> list[str]:
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for text in texts:
        for i, m in enumerate(_WORD.finditer(text)):
            word = m.group()
            if word.islower():
                lower[word] += 1
            elif word[0].isupper() and i > 0 and text[max(0, m.start() - 2): m.start()].strip() not in ".!?":
                capital[word.casefold()] += 1
    found = {n for n in names if lower[n] >= 3 and lower[n] >= capital[n]}
    return sorted((found | (EXTRA & names)) - KEEP)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    names = {key for key in load_gazetteer().names if " " not in key}
    words = everyday_names(corpus(args.data), names)
    OUT.write_text(json.dumps(words, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{len(words)} everyday words among {len(names)} one-word place names -> {OUT}")


if __name__ == "__main__":
    main()
