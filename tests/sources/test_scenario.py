from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicpulse.errors import UsageError
from civicpulse.post import encode_jsonl
from civicpulse.registry import sources
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.sources.scenario import ScenarioSource
from tests.scenarios.conftest import small
from tests.scenarios.test_replay import FakeTime


def test_registered_as_scenario() -> None:
    assert sources.get("scenario") is ScenarioSource


def test_pages_resume_from_any_cursor_without_gaps_or_duplicates() -> None:
    scenario = small("city-riot", duration="1h", scale=0.05)
    expected = list(ScenarioRun(scenario, 9).posts())
    source = ScenarioSource(scenario, seed=9)
    first = source.fetch(None, 500)
    assert first.cursor == "500"
    assert not first.done
    assert first.stream_time == first.posts[-1].created_at.timestamp()
    # A fresh source (as after a crash) resumes from the stored cursor.
    rest = []
    cursor = first.cursor
    resumed = ScenarioSource(scenario, seed=9)
    while True:
        page = resumed.fetch(cursor, 700)
        rest.extend(page.posts)
        cursor = page.cursor
        if page.done:
            break
    assert encode_jsonl(first.posts + rest) == encode_jsonl(expected)
    assert cursor == str(len(expected))
    # The same source asked again for an earlier cursor (a page that was not committed) re-delivers it.
    again = source.fetch("100", 50)
    assert [p.id for p in again.posts] == [p.id for p in expected[100:150]]


def test_the_last_page_says_done() -> None:
    scenario = small("city-riot", duration="1h", scale=0.05)
    total = sum(1 for _ in ScenarioRun(scenario, 0).posts())
    source = ScenarioSource(scenario)
    page = source.fetch(None, total)
    assert len(page.posts) == total
    assert page.done
    assert source.fetch(page.cursor, 10).posts == []


def test_truth_files_are_written_and_appended_on_resume(tmp_path: Path) -> None:
    scenario = small("city-riot", duration="1h", scale=0.05)
    source = ScenarioSource(scenario, truth_dir=tmp_path)
    first = source.fetch(None, 1000)
    source.close()
    rest = ScenarioSource(scenario, truth_dir=tmp_path).fetch(first.cursor, 10_000_000)
    assert rest.done
    summary = json.loads((tmp_path / "truth.json").read_text())
    assert summary["scenario"] == "city-riot"
    labels = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_bytes().splitlines()]
    delivered = {p.id for p in first.posts + rest.posts}
    assert labels
    assert {label["post_id"] for label in labels} <= delivered
    expected = sum(summary["labels"].values())
    assert len({(x["post_id"], x["label_kind"], x["label_id"]) for x in labels}) == expected


def test_paced_pages_hold_only_posts_that_are_due_and_never_really_sleep() -> None:
    clock = FakeTime()
    scenario = small("city-riot", duration="1h", scale=0.05)
    source = ScenarioSource(scenario, speed=60.0, sleep=clock.sleep, monotonic=clock.monotonic, max_wait=0.5)
    delivered = []
    cursor = None
    for _ in range(40):
        page = source.fetch(cursor, 1000)
        delivered.extend(page.posts)
        cursor = page.cursor
        assert len(page.posts) < 1000
    assert delivered
    assert all(s <= 0.5 for s in clock.slept)
    # At 60x, the posts delivered span about 60 times the (fake) wall-clock time that passed.
    span = (delivered[-1].created_at - delivered[0].created_at).total_seconds()
    assert span == pytest.approx((clock.now - 100.0) * 60, rel=0.2, abs=60)


def test_describe_and_total_hint() -> None:
    source = ScenarioSource("flood", seed=4, speed=60, scale=0.5)
    assert source.describe() == "scenario flood (seed 4, 60x)"
    assert source.total_hint() == source.scenario.expected_posts() > 10_000


@pytest.mark.parametrize("cursor", ["-1", "abc", "1.5"])
def test_bad_cursor(cursor: str) -> None:
    with pytest.raises(UsageError, match="cursor"):
        ScenarioSource(small("city-riot", duration="1h", scale=0.05)).fetch(cursor, 10)


def test_bad_speed_and_scale() -> None:
    with pytest.raises(UsageError, match="speed"):
        ScenarioSource("city-riot", speed=0)
    with pytest.raises(UsageError, match="scale"):
        ScenarioSource("city-riot", scale=0)
