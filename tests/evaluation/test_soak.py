"""The soak: a scenario replayed back to back, and the repeated incidents scored."""

from __future__ import annotations

import json

import msgspec
import pytest

from civicpulse.cli.eval import eval_command
from civicpulse.errors import UsageError
from civicpulse.evaluation.soak import soak_posts, soak_scenario
from civicpulse.scenarios.library import load_scenario
from civicpulse.scenarios.spec import Scenario


def short_fire() -> Scenario:
    """One hour of the riot scenario's city with only its fire, 20 minutes in."""
    riot = load_scenario("city-riot")
    fire = next(i for i in riot.injects if getattr(i, "id", "") == "fire-city-centre")
    return msgspec.structs.replace(riot, duration="1h", injects=[msgspec.structs.replace(fire, at="20m")])


def test_copies_follow_each_other_with_their_own_ids_and_labels() -> None:
    scenario = short_fire()
    labels: dict[str, list[tuple[str, str]]] = {}
    posts = list(soak_posts(scenario, 2, labels))
    first = [p for p in posts if p.id.startswith("d0:")]
    second = [p for p in posts if p.id.startswith("d1:")]
    assert first
    assert second
    assert len(first) + len(second) == len(posts)
    assert max(p.created_at for p in first) <= min(p.created_at for p in second)
    assert (min(p.created_at for p in second) - scenario.start).total_seconds() >= 3600
    assert all(p.reply_to is None or p.reply_to.startswith(p.id[:3]) for p in posts)
    assert {label for rows in labels.values() for _, label in rows} >= {"d0:fire-city-centre", "d1:fire-city-centre"}


def test_other_seeds_give_other_copies() -> None:
    scenario = short_fire()
    usual = [p.text for p in soak_posts(scenario, 1, {})]
    other = [p.text for p in soak_posts(scenario, 1, {}, first_seed=200)]
    assert usual != other


def test_the_same_fire_an_hour_later_is_found_again() -> None:
    score = soak_scenario(short_fire(), copies=3)
    assert score.repeats == 2
    assert score.found_within(1800) == 2, score.repeat_latencies_s
    assert score.as_dict()["open_events_at_end"] <= 3


def test_soak_is_asked_for_by_copies(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import civicpulse.scenarios.library as library

    quiet = msgspec.structs.replace(load_scenario("city-riot"), duration="5m", injects=[])
    monkeypatch.setattr(library, "builtin_names", lambda: ["city-riot"])
    monkeypatch.setattr(library, "load_scenario", lambda name: quiet)
    eval_command(json_output=True, task=None, bias=False, data=None, what="detection", soak=2)
    [row] = json.loads(capsys.readouterr().out)["soak"]
    assert (row["scenario"], row["copies"], row["first_seed"], row["repeats"]) == ("city-riot", 2, 100, 0)
    # Draws no earlier soak has used: one seed per copy.
    eval_command(json_output=True, task=None, bias=False, data=None, what="detection", soak=2, seeds="200-201")
    [row] = json.loads(capsys.readouterr().out)["soak"]
    assert (row["copies"], row["first_seed"]) == (2, 200)
    with pytest.raises(UsageError, match="needs 2 seeds"):
        eval_command(json_output=True, task=None, bias=False, data=None, what="detection", soak=2, seeds="200-209")
    with pytest.raises(UsageError):
        eval_command(json_output=True, task=None, bias=False, data=None, what="detection", soak=1)
    with pytest.raises(UsageError, match="draws its own copies"):
        eval_command(json_output=True, task=None, bias=False, data=None, what="detection", soak=2, seeds="5")
    with pytest.raises(UsageError, match="draws its own copies"):
        eval_command(json_output=True, task=None, bias=False, data=None, what="detection", soak=2, jobs=2)
