"""The generated stream: determinism, order, conversations, ground truth, realism of the text."""

from __future__ import annotations

import io
import itertools
import json
import math
from collections import Counter
from datetime import timedelta
from pathlib import Path

import msgspec

from civicpulse.post import GeoSource, decode_post, encode_jsonl
from civicpulse.scenarios import LABEL_KINDS, Scenario, ScenarioRun, TruthSink, write_scenario
from civicpulse.scenarios.hawkes import MIN_DELAY_S
from tests.scenarios.conftest import Generated, small


def test_same_seed_same_bytes_other_seed_other_stream(riot: Scenario) -> None:
    first = encode_jsonl(ScenarioRun(riot, 3).posts())
    assert first == encode_jsonl(ScenarioRun(riot, 3).posts())
    assert first != encode_jsonl(ScenarioRun(riot, 4).posts())


def test_one_run_can_be_iterated_twice_with_the_same_result(riot: Scenario) -> None:
    run = ScenarioRun(riot, 5)
    assert encode_jsonl(run.posts()) == encode_jsonl(run.posts())


def test_skipping_gives_exactly_the_rest_of_the_stream(riot: Scenario, riot_run: Generated) -> None:
    skip = len(riot_run.posts) // 3
    rest = list(ScenarioRun(riot, 2).posts(skip=skip))
    assert encode_jsonl(rest) == encode_jsonl(riot_run.posts[skip:])


def test_stream_is_time_ordered_with_unique_sequential_ids(riot: Scenario, riot_run: Generated) -> None:
    posts = riot_run.posts
    assert len(posts) > 5000
    assert all(a.created_at <= b.created_at for a, b in itertools.pairwise(posts))
    assert [p.id for p in posts] == [f"scenario:city-riot-2-{n}" for n in range(len(posts))]
    assert {p.platform for p in posts} == {"scenario"}
    end = riot.start + timedelta(seconds=riot.duration_s)
    assert all(riot.start <= p.created_at < end for p in posts)
    assert all(p.created_at.utcoffset() == timedelta(0) for p in posts[:100])


def test_posts_round_trip_through_our_json_format(riot_run: Generated) -> None:
    lines = encode_jsonl(riot_run.posts[:2000]).splitlines()
    assert [decode_post(line) for line in lines] == riot_run.posts[:2000]


def test_replies_reposts_and_quotes_answer_earlier_posts(riot_run: Generated) -> None:
    kinds = Counter()
    for i, post in enumerate(riot_run.posts):
        for kind, parent in (("reply", post.reply_to), ("repost", post.repost_of), ("quote", post.quote_of)):
            if parent is None:
                continue
            kinds[kind] += 1
            assert riot_run.index[parent] < i
            assert riot_run.by_id[parent].created_at <= post.created_at
            answered = riot_run.by_id[parent]
            if kind == "reply":
                assert post.text.startswith(answered.author.handle or "")
                assert answered.author.handle in post.mentions
            if kind == "repost":
                root = answered.text.removeprefix("RT ").split(": ", 1)[-1] if answered.repost_of else answered.text
                assert post.text.endswith(root)
                assert post.language == answered.language
    assert kinds["reply"] > 200
    assert kinds["repost"] > 200
    assert kinds["quote"] > 20


def test_ground_truth_is_consistent_with_the_stream(riot: Scenario, riot_run: Generated) -> None:
    labels = riot_run.sink.labels
    assert labels
    assert all(pid in riot_run.by_id for pid, _, _ in labels)
    assert {kind for _, kind, _ in labels} <= set(LABEL_KINDS)
    summary = riot_run.run.summary()
    assert summary.posts == len(riot_run.posts)
    assert sum(summary.labels.values()) == len(labels)
    # The 4-hour test copy ends before the Beeston disorder (at 4h15m), which is therefore left out.
    assert {i.id for i in summary.incidents} == {"disorder-harehills", "fire-city-centre"}
    for truth in summary.all():
        assert 0 <= truth.onset_s < riot.duration_s
        assert truth.onset == riot.start + timedelta(seconds=truth.onset_s)
        assert truth.posts > 0, truth.id
        assert truth.posts == sum(truth.labels.values())
    for incident in summary.incidents:
        district = riot.district(incident.district or "")
        assert incident.lat is not None
        assert incident.lon is not None
        assert abs(incident.lat - district.lat) < district.radius_km / 111
        first = min(riot_run.index[p] for p in riot_run.labelled("incident", incident.id))
        assert riot_run.posts[first].created_at >= incident.onset


def test_rumours_spread_as_hawkes_cascades_and_are_denied_after_onset(riot_run: Generated) -> None:
    summary = riot_run.run.summary()
    for rumour in summary.rumours:
        assert rumour.denial_s is not None
        assert rumour.denial_s > rumour.onset_s
        assert rumour.denial_post_id in riot_run.by_id
        denial = riot_run.by_id[rumour.denial_post_id]
        assert denial.author.official
        assert denial.created_at == rumour.denial_at
        members = riot_run.labelled("rumour", rumour.id)
        seeds, offspring, after_denial = 0, 0, 0
        for post_id in members:
            post = riot_run.by_id[post_id]
            parent = post.repost_of or post.quote_of or post.reply_to
            if parent is None:
                seeds += 1
                continue
            offspring += 1
            # Every repost, quote and reply of a rumour answers an earlier post of the same rumour,
            # at least the minimum reaction time later.
            assert parent in members
            gap = (post.created_at - riot_run.by_id[parent].created_at).total_seconds()
            assert gap >= MIN_DELAY_S - 1e-3
            after_denial += post.created_at > denial.created_at
        assert seeds > 0
        assert offspring > seeds
        # Subcritical: fewer offspring per post than one (the branching ratio is below 1).
        assert offspring / (seeds + offspring) < 0.95
        denial_thread = riot_run.labelled("denial", rumour.id)
        assert rumour.denial_post_id in denial_thread
        assert len(denial_thread) > 5


def test_coordinated_campaign_posts_near_duplicates_within_minutes(riot_run: Generated) -> None:
    campaign = sorted(riot_run.labelled("coordinated", "campaign-looting"), key=riot_run.index.__getitem__)
    assert len(campaign) > 20
    posts = [riot_run.by_id[p] for p in campaign]
    truth = riot_run.run.summary().coordinated[0]
    assert {p.author.id for p in posts} <= set(truth.members)
    # Rounds: posts cluster within the campaign's window.
    first = posts[0].created_at
    first_round = [p for p in posts if p.created_at - first < timedelta(minutes=3)]
    assert len(first_round) >= len(truth.members) * 0.5
    # The campaign also pushes the looting rumour: its posts carry that label too.
    assert set(campaign) <= riot_run.labelled("rumour", "rumour-looting")


def test_ground_truth_never_leaks_into_posts(riot: Scenario, riot_run: Generated) -> None:
    secrets = {inject.id for inject in riot.injects}
    blob = encode_jsonl(riot_run.posts).decode()
    for secret in secrets:
        assert secret not in blob
    assert all(p.raw is None and not p.enrichments for p in riot_run.posts)


def test_incident_posts_are_geotagged_near_the_true_location(riot: Scenario, riot_run: Generated) -> None:
    incident = riot_run.run.summary().incidents[0]
    assert incident.lat is not None
    assert incident.lon is not None
    located = [riot_run.by_id[p].geo for p in riot_run.labelled("incident", incident.id)]
    points = [g for g in located if g is not None]
    assert 0.05 < len(points) / len(located) < 0.3
    for geo in points:
        assert geo.source is GeoSource.GEOTAG
        assert geo.lat is not None
        assert geo.lon is not None
        east = (geo.lon - incident.lon) * math.cos(math.radians(geo.lat))
        distance_km = math.hypot(geo.lat - incident.lat, east) * 111
        assert distance_km < 2.0


def test_text_is_varied_and_decorations_match_the_fields(riot_run: Generated) -> None:
    posts = riot_run.posts
    originals = [p.text for p in posts if not p.repost_of]
    assert len(set(originals)) > 0.5 * len(originals)
    for post in posts:
        for tag in post.hashtags:
            assert f"#{tag}" in post.text
        for handle in post.mentions:
            assert handle in post.text
        for link in post.links:
            assert link in post.text
            assert link.startswith("https://")
    assert sum(bool(p.hashtags) for p in posts) > 0.1 * len(posts)
    assert sum(bool(p.links) for p in posts) > 0.01 * len(posts)
    assert sum(bool(p.mentions) for p in posts) > 0.1 * len(posts)
    assert any(ord(c) > 0x1F000 for p in posts for c in p.text), "no emoji"
    assert sum(p.geo is not None for p in posts) < 0.1 * len(posts)


def test_authors_look_like_accounts(riot_run: Generated) -> None:
    authors = {p.author.id: p.author for p in riot_run.posts}
    summary = riot_run.run.summary()
    officials = [a for a in authors.values() if a.official]
    assert {a.id for a in officials} <= set(summary.officials)
    assert officials
    assert all(a.handle and a.handle.startswith("@") for a in authors.values())
    assert len({a.handle for a in authors.values()}) == len(authors)
    assert sum(a.profile_location is not None for a in authors.values()) > 0.15 * len(authors)
    followers = sorted(a.followers or 0 for a in authors.values())
    # Heavy-tailed: the most followed account has far more followers than the median one.
    assert followers[-1] > 50 * max(1, followers[len(followers) // 2])
    bots = [authors[b] for b in summary.bots if b in authors]
    assert bots
    median_bot_following = sorted(b.following or 0 for b in bots)[len(bots) // 2]
    median_following = sorted(a.following or 0 for a in authors.values())[len(authors) // 2]
    assert median_bot_following > 5 * median_following
    assert all(a.created_at is not None and a.created_at < riot_run.posts[0].created_at for a in authors.values())


def test_flood_is_multilingual_with_code_switching() -> None:
    posts = list(ScenarioRun(small("flood", duration="4h"), 0).posts())
    languages = Counter(p.language for p in posts)
    assert {"en", "fr", "es", "de"} <= set(languages)
    assert languages["fr"] > languages["de"] > languages["es"] > 0
    switched = [p for p in posts if p.language == "fr" and any(w in p.text for w in ("echt", "mega", "naja", "qué"))]
    assert switched, "no French post mixes in German or Spanish"


def test_missing_child_has_an_appeal_tips_and_hate(missing_child_run: Generated) -> None:
    kinds = {kind for _, kind, _ in missing_child_run.sink.labels}
    assert {"appeal", "tip", "hate_wave", "coordinated", "rumour", "denial", "incident"} <= kinds
    appeal = missing_child_run.run.summary().appeals[0]
    assert appeal.post_id is not None
    assert missing_child_run.by_id[appeal.post_id].author.official
    assert appeal.resolved_at is not None
    tips = [missing_child_run.by_id[p] for p in missing_child_run.labelled("tip", "appeal-maya")]
    assert tips
    assert all(t.reply_to == appeal.post_id for t in tips)
    assert any(t.geo is not None for t in tips)
    hate = [missing_child_run.by_id[p] for p in missing_child_run.labelled("hate_wave")]
    assert any("Kessari" in p.text for p in hate)
    words = ("vermin", "filth", "animals", "scum", "disease", "parasites", "rats", "subhuman", "criminals")
    originals = [p for p in hate if not p.repost_of]
    assert sum(any(w in p.text.lower() for w in words) for p in originals) > 0.5 * len(originals)


def test_write_scenario_writes_posts_labels_and_summary(tmp_path: Path, riot: Scenario) -> None:
    result = write_scenario(riot, 0, tmp_path)
    assert result.paths == (tmp_path / "posts.jsonl", tmp_path / "truth.jsonl", tmp_path / "truth.json")
    lines = result.posts_path.read_bytes().splitlines()
    assert result.posts == len(lines) > 0
    assert result.seconds > 0
    assert lines[0] == encode_jsonl([next(ScenarioRun(riot, 0).posts())]).rstrip(b"\n")
    ids = {decode_post(line).id for line in lines}
    labels = [json.loads(line) for line in result.truth_path.read_bytes().splitlines()]
    assert labels
    assert all(set(label) == {"post_id", "label_kind", "label_id"} for label in labels)
    assert {label["post_id"] for label in labels} <= ids
    summary = json.loads(result.summary_path.read_text())
    assert summary["posts"] == result.posts
    assert summary["rumours"][0]["denial_post_id"] in ids


def test_truth_sink_lines_are_json() -> None:
    buffer = io.BytesIO()
    posts = list(ScenarioRun(small("city-riot", duration="1h30m", scale=0.05), 1, TruthSink(buffer)).posts())
    assert posts
    for line in buffer.getvalue().splitlines():
        assert msgspec.json.decode(line)["label_kind"] in LABEL_KINDS


def test_injects_after_a_shortened_end_are_left_out() -> None:
    short = small("city-riot", duration="1h", scale=0.05)
    summary = ScenarioRun(short, 0).summary()
    assert [i.id for i in summary.all()] == ["disorder-harehills"]
