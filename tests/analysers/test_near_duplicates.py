"""Near-duplicate clusters: copy-paste campaigns with small edits cluster, unrelated posts do not,
memory stays bounded, and the result depends only on the posts and their order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import numpy as np

from civicpulse.analysers.near_duplicates import NUM_PERM, NearDuplicateAnalyser, normalise, signatures
from civicpulse.config import Settings
from civicpulse.post import Author, Post

T0 = datetime(2026, 8, 7, 18, tzinfo=UTC)
CAMPAIGN = "The shopping centre on Briggate is being looted right now and the police are doing nothing about it"
UNRELATED = [
    "Lovely sunny morning for a walk in Roundhay Park with the dog",
    "Anyone know if the number 4 bus is running to Harehills tonight?",
    "Leeds United signed a new striker, fans are over the moon",
    "Road closed near the station after a crash, avoid Park Row",
    "New bakery opening in Chapeltown next week, cannot wait",
    "Council meeting on housing moved to Thursday evening",
    "Heavy rain expected overnight, take care on the roads everyone",
    "Great gig at the Brudenell last night, what a crowd",
]


def post(i: int, text: str, *, seconds: float | None = None, repost_of: str | None = None) -> Post:
    at = T0 + timedelta(seconds=i if seconds is None else seconds)
    return Post(id=f"t:{i}", platform="test", created_at=at, author=Author(id=f"a{i}"), text=text,
                repost_of=repost_of)


def analyser(**settings: float) -> NearDuplicateAnalyser:
    return NearDuplicateAnalyser(Settings(**settings))  # type: ignore[arg-type]


def edit(text: str, rng: random.Random) -> str:
    """A small copy-paste edit: a word swapped, a hashtag, a mention or an emoji added, case changed."""
    words = text.split()
    choice = rng.randrange(5)
    if choice == 0:
        words[rng.randrange(len(words))] = rng.choice(["now", "tonight", "again", "literally"])
    elif choice == 1:
        words.append(rng.choice(["#ProtectLeeds", "#LeedsLooting", "😡😡", "RT!"]))
    elif choice == 2:
        words.insert(0, f"@user{rng.randrange(1000)}")
    elif choice == 3:
        return text.upper()
    else:
        del words[rng.randrange(len(words))]
    return " ".join(words)


def test_campaign_copies_cluster_and_unrelated_posts_do_not() -> None:
    rng = random.Random(5)
    texts = [CAMPAIGN] + [edit(CAMPAIGN, rng) for _ in range(40)] + UNRELATED
    rng.shuffle(texts)
    out = analyser().analyse_many([post(i, t) for i, t in enumerate(texts)])
    campaign = [o for t, o in zip(texts, out, strict=True) if t not in UNRELATED]
    first_copy = next(i for i, t in enumerate(texts) if t not in UNRELATED)
    assert {o["cluster"] for o in campaign} == {f"t:{first_copy}"}
    assert max(o["size"] for o in campaign) == 41
    others = [o for t, o in zip(texts, out, strict=True) if t in UNRELATED]
    assert all(o["size"] == 1 for o in others)
    assert len({o["cluster"] for o in others}) == len(UNRELATED)


def test_batches_and_single_calls_agree_and_are_deterministic() -> None:
    rng = random.Random(9)
    posts = [post(i, edit(CAMPAIGN, rng) if i % 3 else UNRELATED[i % len(UNRELATED)]) for i in range(60)]
    whole = analyser().analyse_many(posts)
    one_by_one = analyser()
    assert [one_by_one.analyse_one(p) for p in posts] == whole
    assert analyser().analyse_many(posts) == whole


def test_memory_is_bounded_by_count_and_by_time() -> None:
    capped = analyser(near_duplicates_max_posts=5)
    capped.analyse_many([post(0, CAMPAIGN)] + [post(i, UNRELATED[i % 8] + f" {i}") for i in range(1, 12)])
    assert capped._window.count == 5
    assert len(capped._window.buckets) <= 5 * 12
    # The first copy has left the memory: a new copy starts a new cluster.
    assert capped.analyse_one(post(20, CAMPAIGN)) == {"cluster": "t:20", "size": 1}

    windowed = analyser(near_duplicates_window_s=60)
    assert windowed.analyse_one(post(0, CAMPAIGN))["cluster"] == "t:0"
    assert windowed.analyse_one(post(1, CAMPAIGN, seconds=30))["cluster"] == "t:0"
    assert windowed.analyse_one(post(2, CAMPAIGN, seconds=200)) == {"cluster": "t:2", "size": 1}


def test_not_applicable_for_short_texts_and_reposts() -> None:
    out = analyser().analyse_many([post(0, ""), post(1, "ok 👍"), post(2, CAMPAIGN, repost_of="t:9")])
    assert out == [{"cluster": None, "size": 0}] * 3


def test_signatures_estimate_jaccard() -> None:
    a, b = normalise(CAMPAIGN), normalise(CAMPAIGN + " and nobody cares")
    shingles = [{t[i:i + 5] for i in range(len(t) - 4)} for t in (a, b)]
    jaccard = len(shingles[0] & shingles[1]) / len(shingles[0] | shingles[1])
    sigs = signatures([a, b])
    assert sigs.shape == (2, NUM_PERM)
    assert abs(float(np.mean(sigs[0] == sigs[1])) - jaccard) < 0.25
    assert (signatures([b])[0] == sigs[1]).all()  # a signature does not depend on the batch
