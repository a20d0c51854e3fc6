"""How the default analysers label an exercise scenario's posts, by what each post really is.

The scenario generator knows which posts belong to an incident, a rumour, an official denial, a hate
wave or a coordinated campaign, and which are everyday background. This runs the default analyser
chain over a scenario (as the demo does) and prints, for each kind of post, the share labelled crisis
on-topic, offensive (and offensive aimed at a group), hate and negative: how the labels would read
on a dashboard during such an event. The results are quoted in the model cards (`docs/models/crisis.md`).

    .venv/bin/python tools/scenario_labels.py [--scenario city-riot] [--seed 0]
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from itertools import islice
from pathlib import Path

from civicpulse.config import Settings
from civicpulse.evaluation.detection import read_labels
from civicpulse.pipeline.chain import enrich
from civicpulse.post import decode_post
from civicpulse.registry import analysers
from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.truth import write_scenario

#: Column -> (enrichment name, the fields that must all hold these values).
COUNTED: dict[str, tuple[str, dict[str, str]]] = {
    "crisis on-topic": ("crisis", {"label": "on-topic"}),
    "offensive": ("offensive", {"label": "offensive"}),
    "offensive at a group": ("offensive", {"label": "offensive", "target_label": "group"}),
    "hate": ("hate", {"label": "hate"}),
    "sentiment negative": ("sentiment", {"label": "negative"}),
}
BATCH = 2000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scenario", default="city-riot")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    chain = [analysers.get(name)() for name in Settings().analysers]
    posts_by_kind: Counter[str] = Counter()
    labelled: Counter[tuple[str, str]] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        generated = write_scenario(load_scenario(args.scenario), args.seed, Path(tmp))
        kinds = {post_id: found[0][0] for post_id, found in read_labels(generated.truth_path).items()}
        with generated.posts_path.open("rb") as handle:
            lines = iter(handle)
            while batch := [decode_post(line) for line in islice(lines, BATCH)]:
                for post in enrich(batch, chain):
                    kind = kinds.get(post.id, "background")
                    posts_by_kind[kind] += 1
                    by_name = {key.split("/", 1)[0]: value for key, value in post.enrichments.items()}
                    for column, (name, wanted) in COUNTED.items():
                        value = by_name.get(name)
                        if isinstance(value, dict) and all(value.get(k) == v for k, v in wanted.items()):
                            labelled[kind, column] += 1
    print(f"{args.scenario} (seed {args.seed}), default analysers: share of each kind of post given each label")
    print("| posts | n | " + " | ".join(COUNTED) + " |")
    print("|---|---|" + "---|" * len(COUNTED))
    for kind, n in posts_by_kind.most_common():
        shares = " | ".join(f"{100 * labelled[kind, column] / n:.1f} %" for column in COUNTED)
        print(f"| {kind} | {n:,} | {shares} |")


if __name__ == "__main__":
    main()
