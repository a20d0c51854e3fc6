from __future__ import annotations

import io
from datetime import timedelta
import json
from pathlib import Path

from civicpulse.post import encode_jsonl
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.scenarios.library import list_scenarios
from civicpulse.scenarios.spec import Scenario
from civicpulse.scenarios.truth import TruthSink, write_scenario
from tests.scenarios.conftest import small


def test_same_seed_same_bytes_other_seed_other_stream(riot: Scenario) -> None:
    first = encode_jsonl(ScenarioRun(riot, 3).posts())
    assert first == encode_jsonl(ScenarioRun(riot, 3).posts())
    assert first != encode_jsonl(ScenarioRun(riot, 4).posts())


def test_stream_is_time_ordered_with_unique_ids(riot: Scenario) -> None:
    posts = list(ScenarioRun(riot, 1).posts())
    assert len(posts) > 1000
    assert all(a.created_at <= b.created_at for a, b in zip(posts, posts[1:], strict=False))
    assert len({p.id for p in posts}) == len(posts)
    end = riot.start + timedelta(seconds=riot.duration_s)
    assert all(riot.start <= p.created_at <= end for p in posts)


def test_ground_truth_is_consistent_with_the_stream(riot: Scenario) -> None:
    buffer = io.BytesIO()
    run = ScenarioRun(riot, 2, TruthSink(buffer))
    posts = {p.id: p for p in run.posts()}
    labels = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert labels
    assert all(label["post_id"] in posts for label in labels)
    summary = run.summary()
    assert summary.posts == len(posts)
    assert {i.id for i in summary.incidents} >= {"disorder-harehills"}
    rumour_posts = {label["post_id"] for label in labels if label["label_kind"] == "rumour"}
    for rumour in summary.rumours:
        assert rumour.posts > 0
        assert rumour.denial_at is not None and rumour.denial_at > rumour.onset
        assert rumour.denial_post_id in posts
    for post_id in rumour_posts:
        parent = posts[post_id].repost_of or posts[post_id].quote_of or posts[post_id].reply_to
        if parent is not None:
            # Cascades spread through reposts of earlier posts of the same rumour (or its denial).
            assert parent in rumour_posts or parent in {r.denial_post_id for r in summary.rumours}
            assert posts[parent].created_at <= posts[post_id].created_at
    for incident in summary.incidents:
        assert incident.lat is not None and incident.lon is not None
        assert riot.start <= incident.onset <= summary.end


def test_incident_posts_are_geotagged_near_their_district(riot: Scenario) -> None:
    buffer = io.BytesIO()
    posts = {p.id: p for p in ScenarioRun(riot, 5, TruthSink(buffer)).posts()}
    harehills = riot.district("Harehills")
    located = [posts[json.loads(line)["post_id"]].geo for line in buffer.getvalue().splitlines()
               if json.loads(line)["label_id"] == "disorder-harehills"]
    points = [g for g in located if g is not None]
    assert points
    assert all(abs(g.lat - harehills.lat) < 0.05 and abs(g.lon - harehills.lon) < 0.08 for g in points)  # type: ignore[operator]


def test_text_is_varied(riot: Scenario) -> None:
    posts = list(ScenarioRun(riot, 0).posts())
    texts = [p.text for p in posts if p.text]
    assert len(set(texts)) > len(texts) * 0.3
    assert any(p.hashtags for p in posts)
    assert any(p.links for p in posts)
    assert any(p.geo for p in posts)
    assert any(p.author.official for p in posts)


def test_flood_is_multilingual() -> None:
    posts = list(ScenarioRun(small("flood", duration="1h30m"), 0).posts())
    assert {"en", "fr", "es", "de"} <= {p.language for p in posts}


def test_missing_child_has_an_appeal_tips_and_hate() -> None:
    buffer = io.BytesIO()
    list(ScenarioRun(small("missing-child", duration="3h", scale=0.3), 0, TruthSink(buffer)).posts())
    kinds = {json.loads(line)["label_kind"] for line in buffer.getvalue().splitlines()}
    assert {"appeal", "tip", "hate_wave", "coordinated", "rumour", "denial"} <= kinds


def test_every_builtin_scenario_loads_and_describes_itself() -> None:
    scenarios = list_scenarios()
    assert [s.name for s in scenarios] == ["city-riot", "flood", "missing-child"]
    for scenario in scenarios:
        assert scenario.expected_posts() > 50_000
        assert scenario.describe_injects()


def test_write_scenario(tmp_path: Path, riot: Scenario) -> None:
    result = write_scenario(riot, 0, tmp_path)
    assert result.posts == len(result.posts_path.read_bytes().splitlines())
    summary = json.loads(result.summary_path.read_text())
    assert summary["posts"] == result.posts
    assert result.truth_path.stat().st_size > 0
