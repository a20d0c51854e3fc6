"""The coordination detector on hand-made streams, enriched by the real near-duplicates and account
analysers: flags with evidence, windows, floods, clocks going backwards, memory, snapshots."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.analysers.account import AccountAnalyser
from civicpulse.analysers.near_duplicates import NearDuplicateAnalyser
from civicpulse.config import Settings
from civicpulse.detectors.base import Signal
from civicpulse.detectors.coordination import CoordinationDetector, _Member
from civicpulse.errors import PipelineError
from civicpulse.pipeline.chain import check_order
from civicpulse.post import Author, Post
from civicpulse.registry import detectors

T0 = datetime(2026, 8, 7, 17, 0, tzinfo=UTC)
CAMPAIGN = "The looters in Beeston are being protected by the council, share before they delete this #ProtectLeeds"


def post(n: int, text: str, at: float, author: str, *, fresh: bool = False, age_days: float | None = None) -> Post:
    created = T0 - timedelta(days=age_days if age_days is not None else 20 if fresh else 1500)
    return Post(id=f"t:{n}", platform="test", created_at=T0 + timedelta(seconds=at), text=text,
                author=Author(id=author, created_at=created, followers=30 if fresh else 400,
                              following=2000 if fresh else 300, posts_count=40_000 if fresh else 3000))


def enrich(posts: list[Post], analysers: list[NearDuplicateAnalyser | AccountAnalyser] | None = None) -> list[Post]:
    chain = analysers or [NearDuplicateAnalyser(Settings()), AccountAnalyser()]
    for analyser in chain:
        posts = [p.with_enrichments({analyser.key(): r}) for p, r in zip(posts, analyser.analyse_many(posts),
                                                                         strict=True)]
    return posts


def feed(detector: CoordinationDetector, posts: list[Post], every: int = 20) -> list[Signal]:
    out: list[Signal] = []
    for i in range(0, len(posts), every):
        batch = posts[i:i + every]
        out += detector.update_many(batch, max(p.created_at for p in batch))
    return out


def campaign(accounts: int, spread_s: float, *, start: float = 0.0, first_id: int = 0, fresh: bool = True,
             text: str = CAMPAIGN) -> list[Post]:
    return [post(first_id + i, f"{text} {'!' * (i % 3)}", start + spread_s * i / accounts, f"ps:net{i}", fresh=fresh)
            for i in range(accounts)]


def crowd(accounts: int, text: str, *, start: float = 0.0, first_id: int = 0, prefix: str = "ps:w") -> list[Post]:
    """Independent people posting the same words (witnesses, sharers): accounts of every age, ordinary
    behaviour, within five minutes."""
    return [post(first_id + i, text, start + 280.0 * i / accounts, f"{prefix}{i}", age_days=40.0 + 197.0 * i)
            for i in range(accounts)]


WITNESSES = "Bins on fire on Roundhay Road, police everywhere #LeedsNews"
WORDS = ("canal", "ducks", "bus", "late", "again", "match", "tonight", "rain", "coffee", "market", "kids", "school",
         "traffic", "bridge", "sunny", "park", "dinner", "queue", "train", "festival", "library", "bakery")


def chatter(n: int, start: float = 0.0) -> list[Post]:
    rng = random.Random(7)
    return [post(10_000 + i, " ".join(rng.sample(WORDS, 7)), start + i * 3.0, f"ps:p{i}") for i in range(n)]


def test_registered_and_requires_near_duplicates() -> None:
    assert detectors.get("coordination") is CoordinationDetector
    assert CoordinationDetector.requires == ("near_duplicates",)


def test_the_pipeline_refuses_it_without_near_duplicates_and_says_the_fix() -> None:
    with pytest.raises(PipelineError) as error:
        check_order([AccountAnalyser()], [CoordinationDetector()])
    assert "near_duplicates" in str(error.value)
    assert "near_duplicates" in (error.value.fix or "")
    check_order([NearDuplicateAnalyser(Settings())], [CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)])


def test_a_copy_paste_campaign_is_flagged_once_with_its_evidence() -> None:
    posts = sorted(enrich(chatter(60) + campaign(12, 150.0, start=30.0)), key=lambda p: p.created_at)
    signals = feed(CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0), posts, every=1)
    assert len(signals) == 1
    signal = signals[0]
    assert signal.kind == "coordination"
    assert signal.detector == "coordination"
    details = signal.details
    assert details["change"] == "flagged"
    assert details["account_count"] == 8  # flagged as soon as the group reaches min_accounts
    assert set(details["accounts"]) <= {f"ps:net{i}" for i in range(12)}
    assert all(a.startswith("ps:") for a in details["accounts"])
    assert details["example"].startswith("The looters in Beeston")
    assert 0 < details["span_s"] <= 150.0
    bots = details["bot_likeness"]
    assert bots["scored"] == 8
    assert bots["unscored"] == 0
    assert bots["share_bot_like"] >= 0.5  # fresh accounts that follow many and post a lot
    assert sum(bots["histogram"].values()) == 8
    assert "review" in details
    assert "for review" in signal.summary
    assert set(signal.post_ids) <= {p.id for p in posts if p.author.id.startswith("ps:net")}


def test_a_group_that_doubles_is_flagged_again_and_ordinary_accounts_look_less_bot_like() -> None:
    posts = enrich(campaign(20, 300.0, fresh=False))
    signals = feed(CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0), posts, every=1)
    assert [s.details["change"] for s in signals] == ["flagged", "grew"]
    assert signals[1].details["account_count"] == 16
    assert signals[0].key == signals[1].key
    assert signals[1].details["bot_likeness"]["share_bot_like"] < 0.5


def test_the_same_accounts_spread_over_hours_are_not_a_group() -> None:
    posts = enrich(campaign(12, 12 * 900.0))
    assert feed(CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0), posts) == []


def test_a_new_round_after_the_group_fell_apart_is_flagged_again() -> None:
    posts = enrich(campaign(10, 120.0) + campaign(10, 120.0, start=3000.0, first_id=100))
    signals = feed(CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0), posts, every=5)
    assert [s.details["round"] for s in signals] == [1, 2]


def test_one_account_flooding_counts_once_and_says_so() -> None:
    flood = [post(i, CAMPAIGN, i * 0.006, "ps:flooder") for i in range(10_000)]  # 10,000 in a minute
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    chain = [NearDuplicateAnalyser(Settings()), AccountAnalyser()]
    assert feed(detector, enrich(flood, chain), every=500) == []
    assert detector.counters["flooded_posts"] >= 9_990
    # Seven more accounts: a group of eight, not of 10,007.
    more = enrich([post(20_000 + i, CAMPAIGN, 61.0 + i, f"ps:other{i}") for i in range(7)],
                  chain)
    signals = feed(detector, more)
    assert len(signals) == 1
    assert signals[0].details["account_count"] == 8
    assert signals[0].details["degraded"]["flooded_posts"] >= 9_990


def test_clock_going_backwards_and_posts_from_the_future_or_the_distant_past() -> None:
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    posts = enrich(campaign(10, 60.0))
    detector.update_many(posts[:5], T0 + timedelta(seconds=100))
    signals = detector.update_many(posts[5:], T0 + timedelta(seconds=10))  # the clock went back
    assert len(signals) == 1
    assert signals[0].details["degraded"]["clock_backwards"] == 1
    odd = enrich([post(900, CAMPAIGN, 10 * 86_400.0, "ps:future"), post(901, CAMPAIGN, -86_400.0, "ps:past")])
    detector.update_many(odd, T0 + timedelta(seconds=200))
    assert detector.counters["future_posts"] == 1
    assert detector.counters["late_posts"] == 1


def test_posts_without_the_enrichment_or_with_junk_in_it_are_skipped() -> None:
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    bare = campaign(10, 60.0)
    junk = [p.with_enrichments({"near_duplicates/1": value})
            for p, value in zip(campaign(5, 10.0, first_id=50), [None, 3, {"cluster": 7}, {"cluster": None}, "x"],
                                strict=True)]
    assert feed(detector, bare + junk) == []


def test_without_account_features_the_group_is_flagged_with_every_account_unscored() -> None:
    posts = [Post(id=f"t:{i}", platform="test", created_at=T0 + timedelta(seconds=i), text=CAMPAIGN,
                  author=Author(id=f"ps:{i}")) for i in range(8)]
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    (signal,) = feed(detector, enrich(posts, [NearDuplicateAnalyser(Settings())]))
    assert signal.details["bot_likeness"] == {"model": "bots/1", "scored": 0, "unscored": 8}
    assert "bot-like" not in signal.summary


def test_memory_is_capped_however_many_clusters() -> None:
    detector = CoordinationDetector(min_accounts=8, max_clusters=5, max_pending=50, warmup_s=0)
    rng = random.Random(3)
    texts = [" ".join(rng.sample(WORDS, 9)) for i in range(300)]
    posts = [post(i, texts[i // 2], float(i), f"ps:{i}") for i in range(600)]  # 300 clusters of two
    feed(detector, enrich(posts, [NearDuplicateAnalyser(Settings())]))
    assert len(detector._pending) <= 50
    assert len(detector._clusters) <= 5
    assert detector.counters["evicted_clusters"] > 0


def test_snapshot_and_restore_continue_exactly() -> None:
    posts = enrich(chatter(40) + campaign(20, 200.0, start=10.0, fresh=False))
    posts.sort(key=lambda p: p.created_at)
    whole = feed(CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0), posts, every=1)
    first = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    before = feed(first, posts[:30], every=1)
    second = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    second.restore(first.snapshot())
    after = feed(second, posts[30:], every=1)
    assert [(s.key, s.details) for s in before + after] == [(s.key, s.details) for s in whole]
    assert len(whole) == 2
    empty = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    empty.restore(b"")
    assert empty.snapshot() == CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0).snapshot()


def test_a_phrase_many_accounts_post_all_day_is_a_baseline_not_a_campaign() -> None:
    """"Rain again" from a new account every 40 s for three hours: groups of 15 in any ten minutes,
    never a burst over the phrase's own past. The same phrase at five times its rate is one."""
    chain = [NearDuplicateAnalyser(Settings()), AccountAnalyser()]
    steady = [post(i, "Rain again in Leeds, of course it is, bring a coat", 40.0 * i, f"ps:r{i}")
              for i in range(270)]
    detector = CoordinationDetector()  # default warm-up: the phrase is first seen while learning
    assert feed(detector, enrich(steady, chain), every=5) == []
    burst = [post(1000 + i, "Rain again in Leeds, of course it is, bring a coat", 10_800.0 + 8.0 * i, f"ps:b{i}")
             for i in range(80)]
    signals = feed(detector, enrich(burst, chain), every=5)
    assert len(signals) >= 1
    assert signals[0].details["account_count"] >= 8


def test_during_the_warm_up_a_brand_new_group_waits_for_a_past() -> None:
    posts = enrich(campaign(12, 120.0))
    assert feed(CoordinationDetector(min_accounts=8, warmup_s=900.0), posts) == []


def test_accounts_created_in_a_batch_show_in_the_evidence() -> None:
    posts = enrich(campaign(10, 60.0))  # every account created 20 days before T0
    (signal,) = feed(CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0), posts, every=1)
    created = signal.details["account_creation"]
    assert created["accounts"] == 8
    assert created["span_days_middle_80"] < 0.01


def test_accounts_held_are_capped_overall_and_freed_once_the_window_passes() -> None:
    detector = CoordinationDetector(min_accounts=8, warmup_s=0, max_members=10)
    posts = enrich(campaign(30, 60.0))
    feed(detector, posts)
    assert sum(len(c.members) for c in detector._clusters.values()) == 10
    assert detector.counters["accounts_capped"] == 20
    later = enrich([post(500, "A completely different message about the bins being collected late",
                         4000.0, "ps:x")], [NearDuplicateAnalyser(Settings())])
    detector.update_many(later, T0 + timedelta(seconds=4000))
    assert sum(len(c.members) for c in detector._clusters.values()) == 0
    assert detector._member_count == 0
    assert detector._clusters  # the cluster's history is kept for history_s


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c", None, 7]), st.integers(0, 30), st.floats(-1e6, 1e6),
                          st.floats(-1e5, 1e5)), max_size=80))
def test_any_stream_of_clusters_accounts_and_times_never_breaks_it(
        items: list[tuple[str | int | None, int, float, float]]) -> None:
    """Hostile enrichments, accounts and times (the clock and the posts jumping both ways)."""
    detector = CoordinationDetector(min_accounts=2, warmup_s=0, max_members=20, max_clusters=2, max_pending=3)
    for i, (cluster, account, at, now) in enumerate(items):
        p = post(i, "x", at, f"ps:{account}").with_enrichments({"near_duplicates/1": {"cluster": cluster}})
        for signal in detector.update_many([p], T0 + timedelta(seconds=now)):
            assert signal.details["account_count"] >= 2
            assert len(set(signal.details["accounts"])) == len(signal.details["accounts"])
        assert 0 <= detector._member_count <= 20
        assert detector._member_count == sum(len(c.members) for c in detector._clusters.values())
    restored = CoordinationDetector()
    restored.restore(detector.snapshot())
    assert restored.snapshot() == detector.snapshot()


def test_a_crowd_of_independent_accounts_is_counted_but_not_flagged() -> None:
    """Twenty witnesses with accounts from 40 days to 10 years old write the same words: the same
    text, no sign that the accounts are not independent people, so nobody is put on a review list."""
    posts = enrich(crowd(20, WITNESSES))
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    assert feed(detector, posts, every=1) == []
    assert detector.counters["organic_groups"] == 2  # judged at eight accounts, and again at sixteen
    everything = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0, require_indicator=False)
    signals = feed(everything, posts, every=1)
    assert [s.details["change"] for s in signals] == ["flagged", "grew"]
    assert signals[0].details["indicators"]["fired"] == []


def test_a_campaign_joining_a_crowd_is_flagged_on_its_own_accounts() -> None:
    """Sockpuppets made in one week join a cluster that independent people started: the flag names
    the new wave and why, not the people who were there first."""
    people = crowd(8, CAMPAIGN)
    puppets = [post(100 + i, CAMPAIGN, 300.0 + 10.0 * i, f"ps:net{i}", age_days=30.0 + (i % 5)) for i in range(10)]
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    (signal,) = feed(detector, enrich(people + puppets), every=1)
    details = signal.details
    assert details["change"] == "flagged"
    assert details["account_count"] == 16
    assert details["new_accounts"] == 8
    assert set(details["accounts"]) == {f"ps:net{i}" for i in range(8)}
    assert "batch_created" in details["indicators"]["fired"]  # young and busy: bot-like too
    assert details["indicators"]["batch_created_share"] == 1.0
    assert "100% created within 7 days of each other" in signal.summary
    assert detector.counters["organic_groups"] == 1


def test_aged_accounts_posting_together_again_are_flagged_on_their_second_message() -> None:
    """A network of old, ordinary-looking accounts: its first message looks like a crowd; when the
    same accounts post the next message together, that repetition is the indicator."""
    first = crowd(10, CAMPAIGN, prefix="ps:old")
    second = crowd(10, WITNESSES, start=3600.0, first_id=100, prefix="ps:old")
    detector = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    (signal,) = feed(detector, enrich(first + second), every=1)
    assert signal.details["example"].startswith("Bins on fire")
    assert signal.details["indicators"]["fired"] == ["repeated"]
    assert signal.details["indicators"]["repeated_share"] == 1.0
    # Seven hours later the first message is forgotten (repeat_s, 6 h): a new crowd of the same
    # accounts is judged afresh.
    later = CoordinationDetector(min_accounts=8, window_s=600.0, warmup_s=0)
    far = crowd(10, WITNESSES, start=7 * 3600.0, first_id=100, prefix="ps:old")
    assert feed(later, enrich(first + far), every=1) == []
    assert {g.cluster for g in later._grouped.values()} == {far[0].id}  # the first group has expired


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 5000), min_size=1, max_size=40), st.floats(0.5, 30))
def test_the_batch_share_is_the_largest_share_created_within_the_window(ages: list[float], days: float) -> None:
    detector = CoordinationDetector(batch_days=days)
    members = [_Member(f"a{i}", 0.0, 0.0, 1, f"p{i}", (age, 1.0, 1.0)) for i, age in enumerate(ages)]
    brute = max(sum(1 for other in ages if 0 <= age - other <= days) for age in ages) / len(ages)
    assert detector._batch_share(members) == pytest.approx(brute)
