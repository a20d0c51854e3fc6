"""The rumour detector on hand-made streams: life cycle, stance, denials, memory, bad input."""

from __future__ import annotations

import itertools
import re
import sys
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicpulse.detectors.area import AreaMap, DistrictShape
from civicpulse.detectors.base import Signal
from civicpulse.detectors.rumour_lexicon import FOLDED_APART, HEDGE, claim_tokens, hedge_phrase
from civicpulse.detectors.rumours import RumourDetector
from civicpulse.detectors.stream_clock import StreamClock
from civicpulse.post import Author, Post
from civicpulse.registry import detectors
from civicpulse.scenarios import load_scenario

T0 = datetime(2026, 8, 7, 17, 0, tzinfo=UTC)
CLAIMS = ["Apparently police shot a teenager in Harehills", "Reports that police shot a teenager near Harehills??",
          "Hearing there's been a police shooting of a teenager in Harehills, is this true?"]


def post(n: int, text: str, at: float, *, author: str | None = None, official: bool = False,
         reply_to: str | None = None, repost_of: str | None = None, quote_of: str | None = None,
         language: str = "en", followers: int = 100) -> Post:
    return Post(id=f"t:{n}", platform="test", created_at=T0 + timedelta(seconds=at),
                author=Author(id=author or f"acct-{n}", followers=followers, official=official or None), text=text,
                reply_to=reply_to, repost_of=repost_of, quote_of=quote_of, language=language)


def feed(detector: RumourDetector, posts: list[Post], every: int = 5) -> list[Signal]:
    out: list[Signal] = []
    for i in range(0, len(posts), every):
        batch = posts[i:i + every]
        out += detector.update_many(batch, max(p.created_at for p in batch))
    return out


def changes(signals: list[Signal]) -> list[Signal]:
    """The status changes, without the progress signals that keep a live rumour's numbers current."""
    return [s for s in signals if not s.details["progress"]]


def rumour_stream() -> list[Post]:
    """Six claims from six accounts in six minutes, reposts, replies, then an official denial."""
    posts = [post(i, CLAIMS[i % 3], 60.0 * i) for i in range(6)]
    posts += [post(10 + i, f"RT @x: {CLAIMS[0]}", 400.0 + 10 * i, repost_of="t:0") for i in range(30)]
    posts += [post(50, "@x This is fake, stop sharing", 700.0, reply_to="t:1"),
              post(51, "@x Is this true??", 710.0, reply_to="t:2"),
              post(52, "C'est faux, arrêtez de partager", 720.0, quote_of="t:0", language="fr")]
    posts.append(post(60, "FALSE: claims circulating about Harehills are untrue. Please do not share.", 900.0,
                      author="police", official=True, followers=120_000))
    return posts


def test_registered() -> None:
    assert detectors.get("rumours") is RumourDetector


def test_life_cycle_emerging_spreading_denied_fading() -> None:
    detector = RumourDetector(warmup_s=0)
    signals = changes(feed(detector, rumour_stream()))
    statuses = [s.details["status"] for s in signals]
    assert statuses == ["emerging", "spreading", "denied"]
    assert {s.key for s in signals} == {signals[0].key}, "one rumour, not one per wording"
    emerged, _, denied = signals
    assert all(s.kind == "rumour" and s.detector == "rumours" for s in signals)
    assert emerged.at == T0 + timedelta(seconds=240)  # the fifth claim, from the fifth account
    assert set(emerged.post_ids) == {f"t:{i}" for i in range(5)}
    # Why it is a rumour: the hedges its five claims were told with (the dashboard's "raised on").
    assert emerged.details["hedges"] == [{"phrase": "apparently", "posts": 2}, {"phrase": "reports that", "posts": 2},
                                         {"phrase": "hearing there", "posts": 1}]
    assert denied.details["verdict_post"] == "t:60"
    # Three replies/quotes were scored by the stance model (the French one by its cue-only head).
    assert sum(denied.details["stance"].values()) == 3
    assert denied.details["stance"].get("query", 0) == 1
    assert denied.details["accounts"] == 6 + 30 + 3
    assert denied.details["reach"] == 39 * 100
    assert sum(b["posts"] for b in denied.details["curve"]) == denied.details["posts"]
    later = detector.update_many([], T0 + timedelta(seconds=900 + 1800))
    assert [(s.details["status"], s.details["previous"]) for s in later] == [("fading", "denied")]
    detector.update_many([], T0 + timedelta(seconds=900 + 1800 + 3600))
    assert detector.rumours() == []


def test_unrelated_claims_stay_apart_and_a_denial_finds_its_rumour() -> None:
    other = "Reportedly the shopping centre in the City Centre is being looted"
    posts = [post(i, CLAIMS[i % 3], 30.0 * i) for i in range(6)]
    posts += [post(100 + i, other, 30.0 * i + 5) for i in range(6)]
    posts.sort(key=lambda p: p.created_at)
    posts.append(post(200, "We are aware of rumours about the City Centre shopping centre. These are not true.",
                      400.0, author="police", official=True))
    signals = changes(feed(RumourDetector(warmup_s=0), posts))
    emerged = [s for s in signals if s.details["status"] == "emerging"]
    assert len(emerged) == 2
    denied = [s for s in signals if s.details["status"] == "denied"]
    assert len(denied) == 1
    assert set(denied[0].post_ids) >= {f"t:{100 + i}" for i in range(5)}


def _variants_then(denial: str, variants: list[str], *, candidate: str | None = None,
                   area: AreaMap | None = None) -> list[Signal]:
    """Each variant emerges on its own (five accounts in five minutes, too different to be clustered
    together); an optional candidate never does (two posts); then an official post."""
    posts = [post(100 * v + i, text, 60.0 * i + v) for v, text in enumerate(variants) for i in range(5)]
    if candidate is not None:
        posts += [post(900 + i, candidate, 100.0 * i + 7) for i in range(2)]
    posts.sort(key=lambda p: p.created_at)
    posts.append(post(999, denial, 600.0, author="police", official=True))
    detector = RumourDetector(warmup_s=0)
    if area is not None:
        detector.use_area(area)
    return changes(feed(detector, posts))


def test_a_denial_about_a_place_reaches_every_wording_and_language_of_the_claim() -> None:
    variants = ["Il paraît que le barrage en amont de Kehl a cédé", "Hab gehört, der Damm bei Kehl ist gebrochen",
                "Is it true the dam near Kehl collapsed?"]
    signals = _variants_then("FALSE: claims circulating about Kehl are untrue. Please do not share.", variants,
                             candidate="Sandbags being handed out in Kehl apparently")
    assert len({s.key for s in signals}) == 3, "three wordings, three rumours; the small-talk candidate unseen"
    denied = {s.details["title"] for s in signals if s.details["status"] == "denied"}
    assert denied == set(variants), "the denial reaches all three"


def test_a_denial_naming_the_claim_leaves_other_claims_about_the_same_place() -> None:
    variants = ["Apparently police shot a teenager in Harehills", "Reportedly the shops in Harehills are being looted"]
    signals = _variants_then("This is false: nobody was shot by police in Harehills. Please do not share.",
                             variants)
    denied = [s for s in signals if s.details["status"] == "denied"]
    assert [s.details["title"] for s in denied] == [variants[0]]


MANCHESTER = AreaMap([DistrictShape("Moss Side", 53.458, -2.244, 1.0, ("Alexandra Park", "Moss Lane East")),
                      DistrictShape("Rusholme", 53.456, -2.224, 1.0, ("the Curry Mile",))])


def test_with_the_area_a_denial_about_a_district_reaches_wordings_naming_its_landmarks() -> None:
    variants = ["Apparently a white van is trying to grab kids in Moss Side",
                "Reports of a man in a white van following children near Moss Lane East, share!!",
                "Heard a girl was pushed into a van near Alexandra Park, can anyone confirm?"]
    denial = "We are aware of rumours about Moss Side. These are not true."
    without = _variants_then(denial, variants)
    assert [s.details["title"] for s in without if s.details["status"] == "denied"] == [variants[0]]
    with_area = _variants_then(denial, variants, area=MANCHESTER)
    assert {s.details["title"] for s in with_area if s.details["status"] == "denied"} == set(variants)
    # A claim about another district is left as it is.
    other = _variants_then(denial, [variants[0], "Apparently a white van is grabbing kids on the Curry Mile"],
                           area=MANCHESTER)
    assert [s.details["title"] for s in other if s.details["status"] == "denied"] == [variants[0]]


def test_official_confirmation() -> None:
    posts = [post(i, CLAIMS[i % 3], 60.0 * i) for i in range(6)]
    posts.append(post(9, "We can confirm a teenager was shot by police in Harehills. Updates to follow.", 500,
                      author="police", official=True, reply_to="t:0"))
    signals = feed(RumourDetector(warmup_s=0), posts)
    assert signals[-1].details["status"] == "confirmed"


def test_multilingual_hedges() -> None:
    for text in ["Il paraît que le barrage a cédé", "Dicen que la presa se ha roto", "Angeblich ist der Damm gebrochen",
                 "Is it true the dam collapsed?", "Reportedly the dam failed", "Hab gehört, der Damm ist gebrochen",
                 "¿Es verdad que el dique ha colapsado?", "C'est vrai que la digue s'est effondrée ?"]:
        assert HEDGE.search(text), text
    for text in ["The dam failed this morning", "Lovely weather in Leeds today", "Police closed the road"]:
        assert HEDGE.search(text) is None, text


def _hedge_reference(text: str) -> str | None:
    found = HEDGE.search(text)
    return " ".join(found.group().lower().split()) if found else None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["REPORTEDLY", "Heard  that", "PARAÎT", "İS IT TRUE", "ıs ıt true", "rumourſ that",
                                 "Gerüchte", "SEGÚN DICEN", "es heiẞt", "unbestätigtes", "K", " ", "é", "?", "x"])
                | st.text(max_size=12), max_size=12))
def test_hedge_phrase_finds_what_the_case_insensitive_phrases_find(parts: list[str]) -> None:
    text = "".join(parts)
    assert hedge_phrase(text) == _hedge_reference(text)


def test_only_the_listed_characters_fold_apart_from_lower_case() -> None:
    """Over every code point: a character the hedge phrases' letters match case-insensitively is one
    whose lower case is that letter, and lower-casing keeps it one word character (or one non-word
    character), except the characters ``FOLDED_APART`` lists."""
    characters = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    apart = set()
    lowered = {}
    for c in characters:
        low = c.lower()
        if len(low) == 1:
            lowered[c] = low
        else:
            apart.add(c)
    everything = "".join(characters)
    for letter in set(HEDGE.pattern) - set("\\()?:|*[]+ "):
        matched = set(re.compile(re.escape(letter), re.IGNORECASE).findall(everything))
        apart |= matched ^ {c for c, low in lowered.items() if low == letter}
    word = re.compile(r"\w")
    apart |= {c for c, low in lowered.items() if bool(word.match(c)) != bool(word.match(low))}
    assert apart == set(FOLDED_APART.pattern.strip("[]"))


def test_chatter_and_replies_to_unknown_posts_are_ignored() -> None:
    detector = RumourDetector(warmup_s=0)
    posts = [post(i, "Lovely weather in Leeds today", i) for i in range(50)]
    posts += [post(100 + i, "Is this true??", 60 + i, reply_to="t:elsewhere") for i in range(20)]
    assert feed(detector, posts, every=50) == []
    assert detector.rumours() == []


def test_one_account_flooding_cannot_make_a_rumour() -> None:
    detector = RumourDetector(warmup_s=0)
    posts = [post(i, CLAIMS[0], i * 0.01, author="spammer") for i in range(10_000)]
    assert feed(detector, posts, every=1000) == []
    (rumour,) = detector.rumours()
    assert rumour.posts == 3
    assert rumour.flooded_posts == 9_997
    assert detector.counters["flooded_posts"] == 9_997


def test_identical_posts_from_many_accounts_are_one_rumour_with_bounded_memory() -> None:
    detector = RumourDetector(warmup_s=0, max_members=50, max_accounts=1000)
    posts = [post(i, CLAIMS[0], i * 0.05) for i in range(5000)]
    signals = changes(feed(detector, posts, every=500))
    assert [s.details["status"] for s in signals] == ["spreading"]
    assert len(signals[0].post_ids) == 50
    (rumour,) = detector.rumours()
    assert len(rumour.accounts) == 1000
    assert rumour.accounts_capped


WEATHER = "Il paraît qu'il va pleuvoir cet après-midi à Leeds"


def test_a_phrase_repeated_from_the_start_of_the_stream_must_first_have_a_past() -> None:
    """Hedged small talk posted every 20 s from the first minute: at start-up it looks new, so it
    must first build a past; against that past its steady rate is no burst."""
    steady = [post(i, WEATHER, 20.0 * i) for i in range(270)]  # ninety minutes
    detector = RumourDetector()
    assert feed(detector, steady, every=3) == []
    assert [r.status for r in detector.rumours()] == ["candidate"]
    without = feed(RumourDetector(warmup_s=0), steady, every=3)
    assert without[0].details["status"] == "emerging"  # what the warm-up is for


def test_a_rare_phrase_that_clumps_by_chance_is_not_a_rumour_but_a_real_burst_is() -> None:
    """A phrase seen every eight minutes for two hours (about 1.5 expected in a window), then six
    posts in six minutes: three times its rate, but chance explains it (p ≈ 0.003 > 0.001). Twenty
    posts in five minutes do not happen by chance."""
    rare = [post(i, WEATHER, 480.0 * i) for i in range(15)]
    clump = [post(100 + i, WEATHER, 7300.0 + 60.0 * i) for i in range(6)]
    detector = RumourDetector()
    assert feed(detector, rare + clump, every=1) == []
    burst = [post(200 + i, WEATHER, 8400.0 + 15.0 * i) for i in range(20)]
    signals = feed(detector, burst, every=1)
    assert signals
    assert signals[0].details["previous"] == "candidate"  # emerging, and with its past already spreading
    assert signals[0].details["status"] in {"emerging", "spreading"}


def test_memory_is_bounded_for_many_distinct_claims() -> None:
    detector = RumourDetector(warmup_s=0, max_rumours=100, max_tracked_posts=500)
    posts = [post(i, f"Apparently the bridge number {i} word{i} thing{i} collapsed", i) for i in range(3000)]
    feed(detector, posts, every=300)
    assert len(detector.rumours()) <= 100
    assert len(detector.snapshot()) < 200_000


def test_a_live_rumour_is_reported_again_with_its_current_numbers_at_most_once_a_minute() -> None:
    detector = RumourDetector(warmup_s=0)
    claims = [post(i, CLAIMS[i % 3], 20.0 * i) for i in range(60)]  # 20 minutes of the same claim
    signals = feed(detector, claims)
    progress = [s for s in signals if s.details["progress"]]
    assert progress, "a spreading rumour's numbers must not freeze at its last status change"
    assert {s.details["status"] for s in progress} == {"emerging", "spreading"}
    # Each progress signal comes a minute or more after the signal before it.
    assert all((b.at - a.at).total_seconds() >= 60 for a, b in itertools.pairwise(signals)
               if b.details["progress"])
    (rumour,) = detector.rumours()
    assert signals[-1].details["posts"] >= rumour.posts - 3  # at most a minute of posts behind
    # Nothing new, nothing raised.
    assert detector.update_many([], T0 + timedelta(hours=0.4)) == []


def test_clock_going_backwards_and_posts_from_the_future_or_past() -> None:
    detector = RumourDetector(warmup_s=0)
    stream = rumour_stream()
    first = detector.update_many(stream[:20], T0 + timedelta(seconds=600))
    again = detector.update_many(stream[20:], T0)  # the clock jumps back ten minutes
    assert detector.counters["clock_backwards"] == 1
    # The detector keeps its own time: the later posts look ahead of it, are counted, still used.
    assert detector.counters["future_posts"] > 0
    statuses = [s.details["status"] for s in first + again]
    assert statuses[0] == "emerging"
    assert statuses[-1] == "denied"
    assert (first + again)[-1].details["degraded"]["clock_backwards"] == 1
    old = post(999, CLAIMS[0], -10 * 86400.0)
    detector.update_many([old], T0 + timedelta(hours=1))
    assert detector.counters["late_posts"] == 1


def test_snapshot_restore_gives_the_same_signals() -> None:
    stream = rumour_stream()
    whole = feed(RumourDetector(warmup_s=0), stream)
    first = RumourDetector(warmup_s=0)
    head = feed(first, stream[:20])
    second = RumourDetector(warmup_s=0)
    second.restore(first.snapshot())
    tail = feed(second, stream[20:])
    strip = [(s.key, s.details["status"], s.post_ids, s.at) for s in whole]
    assert strip == [(s.key, s.details["status"], s.post_ids, s.at) for s in head + tail]
    fresh = RumourDetector(warmup_s=0)
    fresh.restore(b"")
    assert fresh.rumours() == []


@pytest.mark.parametrize("cut_every", [1, 7, 50])
def test_the_stream_cut_anywhere_gives_the_same_signals(cut_every: int) -> None:
    """Time is the injected ``now`` of the pipeline's steps (its stream clock), so a replay read in
    batches of any size, at any speed, raises the same rumours at the same stream times."""
    def run(every: int) -> list[tuple[str, str, datetime, tuple[str, ...]]]:
        detector, clock, out = RumourDetector(warmup_s=0), StreamClock(), []
        stream = rumour_stream()
        batches = [stream[i:i + every] for i in range(0, len(stream), every)]
        for steps in [*map(clock.feed, batches), clock.flush()]:
            for step, now in steps:
                out += detector.update_many(step, now)
        return [(s.key, s.details["status"], s.at, s.post_ids) for s in out]

    whole = run(10_000)
    assert [status for _, status, _, _ in whole if status != "emerging"][-1:] == ["denied"]
    assert run(cut_every) == whole


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=20))
def test_hostile_text_never_crashes(texts: list[str]) -> None:
    detector = RumourDetector(warmup_s=0)
    posts = [post(i, "apparently " + t, float(i), reply_to="t:0" if i % 3 == 0 else None) for i, t in enumerate(texts)]
    detector.update_many(posts, T0 + timedelta(seconds=len(texts)))
    assert isinstance(claim_tokens("x" * 100_000), frozenset)
    restored = RumourDetector(warmup_s=0)
    restored.restore(detector.snapshot())
    assert restored.rumours() == detector.rumours()


@pytest.mark.slow
def test_scored_on_a_shipped_scenario() -> None:
    from civicpulse.evaluation.rumour_scenarios import score_rumours

    scenario = msgspec.structs.replace(load_scenario("city-riot"), duration="4h").scaled(0.2)
    score = score_rumours(scenario, 0)
    assert score.rumours == 2
    assert score.recall == 1.0
    for row in score.per_rumour:
        assert row["detect_s"] is not None
        assert row["detect_s"] < 600
        assert row["denial_recognised_s"] is not None
        assert row["denial_recognised_s"] < 120


def test_a_snapshot_from_before_rumours_counted_their_hedges_still_restores() -> None:
    stream = rumour_stream()
    first = RumourDetector(warmup_s=0)
    feed(first, stream[:20])
    older = msgspec.msgpack.decode(first.snapshot())
    for rumour in older["rumours"]:
        del rumour["hedges"]
    second = RumourDetector(warmup_s=0)
    second.restore(msgspec.msgpack.encode(older))
    tail = changes(feed(second, stream[20:]))
    assert [s.details["status"] for s in tail] == ["spreading", "denied"]
    assert tail[-1].details["hedges"] == []  # the claims after the restart were reposts and replies
