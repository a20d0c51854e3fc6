"""From which probability an analyser's flag is right four times in five: the table behind
``civicpulse.analysers.flags.CONFIDENT_AT``.

For each probability step it prints the precision and recall of the offensive flag on the OLID
*validation* split (TweetEval offensive; a third of its tweets are offensive), the share of general
tweets it flags (TweetEval sentiment test) and the share of an exercise's everyday posts it flags
(the posts of ``city-riot`` that carry no ground-truth label), and marks the lowest step with a
precision of at least 0.8. The test split is not read.

    .venv/bin/python tools/flag_threshold.py [--data ../shared/data] [--profile fast|accurate]
"""

from __future__ import annotations

import argparse
import tempfile
from itertools import islice
from pathlib import Path

import numpy as np

from civicpulse.analysers.offensive import OffensiveAnalyser
from civicpulse.evaluation.detection import read_labels
from civicpulse.evaluation.runner import make_posts
from civicpulse.post import Post, decode_post
from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.truth import write_scenario

STEPS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))
PRECISION = 0.8
EVERYDAY_POSTS = 20_000


def offensive_probabilities(analyser: OffensiveAnalyser, texts: list[str]) -> np.ndarray:
    out: list[float] = []
    for start in range(0, len(texts), 1000):
        posts = make_posts(texts[start:start + 1000], "en")
        out += [r["probs"]["offensive"] if r["label"] == "offensive" else 0.0 for r in analyser.analyse_many(posts)]
    return np.array(out)


def everyday_texts(seed: int = 0) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        generated = write_scenario(load_scenario("city-riot"), seed, Path(tmp))
        labelled = read_labels(generated.truth_path)
        with generated.posts_path.open("rb") as handle:
            posts: list[Post] = [decode_post(line) for line in handle]
    everyday = (p.text for p in posts if p.id not in labelled and p.language in (None, "en") and p.text)
    return list(islice(everyday, 0, None, 5))[:EVERYDAY_POSTS]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--profile", default="fast", choices=("fast", "accurate"))
    args = parser.parse_args()
    tweeteval = args.data / "tweeteval"
    analyser = OffensiveAnalyser(args.profile)
    val = (tweeteval / "offensive" / "val_text.txt").read_text(encoding="utf-8").splitlines()
    gold = np.array([int(x) for x in (tweeteval / "offensive" / "val_labels.txt").read_text().split()]) == 1
    p_val = offensive_probabilities(analyser, val)
    general = offensive_probabilities(
        analyser, (tweeteval / "sentiment" / "test_text.txt").read_text(encoding="utf-8").splitlines())
    everyday = offensive_probabilities(analyser, everyday_texts())
    print(f"offensive ({args.profile} profile): flags at or above each probability")
    print("| from | precision (OLID val) | recall (OLID val) | general tweets flagged "
          "| exercise everyday posts flagged |")
    print("|---|---|---|---|---|")
    chosen = None
    for step in STEPS:
        flagged = p_val >= step
        precision = float(gold[flagged].mean()) if flagged.any() else float("nan")
        if chosen is None and precision >= PRECISION:
            chosen = step
        mark = " ← lowest with precision ≥ 0.8" if chosen == step else ""
        print(f"| {step:.2f} | {precision:.3f} | {float(flagged[gold].mean()):.3f} | {(general >= step).mean():.1%} "
              f"| {(everyday >= step).mean():.2%} |{mark}")


if __name__ == "__main__":
    main()
