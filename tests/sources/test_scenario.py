from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicpulse.errors import UsageError
from civicpulse.scenarios.generator import ScenarioRun
from civicpulse.sources.scenario import ScenarioSource
from tests.scenarios.conftest import small


def test_pages_resume_from_any_cursor_without_gaps_or_duplicates() -> None:
    scenario = small("city-riot", duration="1h", scale=0.05)
    expected = [p.id for p in ScenarioRun(scenario, 9).posts()]
    source = ScenarioSource(scenario, seed=9)
    first = source.fetch(None, 500)
    # A fresh source (as after a crash) resumes from the stored cursor.
    rest: list[str] = []
    cursor = first.cursor
    resumed = ScenarioSource(scenario, seed=9)
    while True:
        page = resumed.fetch(cursor, 700)
        rest.extend(p.id for p in page.posts)
        cursor = page.cursor
        if page.done:
            break
    assert [p.id for p in first.posts] + rest == expected


def test_truth_files_are_written_when_the_stream_ends(tmp_path: Path) -> None:
    source = ScenarioSource(small("city-riot", duration="1h", scale=0.05), truth_dir=tmp_path)
    assert source.fetch(None, 10_000_000).done
    summary = json.loads((tmp_path / "truth.json").read_text())
    assert summary["scenario"] == "city-riot"
    assert (tmp_path / "truth.jsonl").stat().st_size > 0


def test_bad_speed() -> None:
    with pytest.raises(UsageError, match="speed"):
        ScenarioSource("city-riot", speed=0)
