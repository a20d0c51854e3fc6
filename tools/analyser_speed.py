"""Posts per second of each analyser, and of the default chain with and without the optional ones.

Measured in CPU time of this process (``time.process_time``), best of ``--repeat`` runs, in batches of
2,000 with each result stored on its post as the pipeline does, under the pipeline's garbage-collector
setting (``streaming_gc``, as ``civicpulse eval`` since 2026-12-01; figures recorded before then were
timed under CPython's default one, which in ``civicpulse eval`` took about a fifth of the chain's
time, so they compare with one another, not with later ones): that is the one-core cost even when
other work shares the machine. Posts: the ``city-riot`` scenario (what the demo replays) and, when
``../shared/data`` is there, the TweetEval sentiment test texts (what ``civicpulse eval`` times).

    .venv/bin/python tools/analyser_speed.py [--posts 40000] [--repeat 3] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from itertools import islice
from pathlib import Path

from civicpulse.config import Settings
from civicpulse.evaluation.runner import make_posts
from civicpulse.models.text import clear_cache
from civicpulse.pipeline.chain import enrich
from civicpulse.pipeline.gc_tuning import streaming_gc
from civicpulse.post import Post
from civicpulse.registry import analysers
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import load_scenario

ROOT = Path(__file__).parents[1]
SINGLE = ("surface", "account", "personal_data", "places", "near_duplicates")
OPTIONAL = ("places", "personal_data", "near_duplicates")


def rate(names: Sequence[str], posts: list[Post], repeat: int, batch: int = 2000) -> float:
    best = 0.0
    for _ in range(repeat):
        chain = [analysers.get(n)() for n in names]  # fresh: near-duplicates remembers what it saw
        clear_cache()
        start = time.process_time()
        for lo in range(0, len(posts), batch):
            enrich(posts[lo: lo + batch], chain)
        best = max(best, len(posts) / (time.process_time() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=40_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    corpora = {"scenario": list(islice(ScenarioRun(load_scenario("city-riot"), 7).posts(), args.posts))}
    tweets = args.data / "tweeteval" / "sentiment" / "test_text.txt"
    if tweets.exists():
        corpora["tweeteval"] = make_posts(tweets.read_text(encoding="utf-8").splitlines(), None)
    with streaming_gc():
        report(corpora, args.repeat)


def report(corpora: dict[str, list[Post]], repeat: int) -> None:
    default = list(Settings().analysers)
    chains = {"default": default, **{f"default + {o}": [*default, o] for o in OPTIONAL},
              "default + all optional": [*default, *OPTIONAL]}
    for label, posts in corpora.items():
        print(f"## {label}: {len(posts):,} posts")
        for name in SINGLE:
            print(f"{name:>24}: {rate([name], posts, repeat):>9,.0f} posts/s")
        for chain_label, names in chains.items():
            print(f"{chain_label:>24}: {rate(names, posts, repeat):>9,.0f} posts/s")


if __name__ == "__main__":
    main()
