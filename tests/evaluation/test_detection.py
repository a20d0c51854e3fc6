"""Scoring of detectors on ground truth: matching, replay steps, a short scenario, CrisisLex."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicpulse.cli.eval import eval_command, parse_seeds
from civicpulse.detectors.base import Detector, Signal
from civicpulse.errors import UsageError
from civicpulse.evaluation.detection import (
    MODEL_KEYS,
    crisislex_score,
    evaluate_detection,
    long_stream_state,
    match_signals,
    replay,
    score_scenario,
)
from civicpulse.post import Post
from civicpulse.scenarios.library import load_scenario
from civicpulse.testing import make_post

DATA = Path(__file__).parents[2].parent / "shared" / "data"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def signal(key: str, post_ids: tuple[str, ...], kind: str = "event", at: datetime = T0) -> Signal:
    return Signal(detector="t", kind=kind, key=key, at=at, summary="", post_ids=post_ids)


def test_a_signal_matches_the_label_most_of_its_posts_carry() -> None:
    labels = {"a": [("incident", "fire")], "b": [("incident", "fire")], "c": [("rumour", "r1")]}
    matches = match_signals([signal("e1", ("a", "b", "c")), signal("e1", ("c",)), signal("e2", ("a", "c", "x")),
                             signal("r", ("c",), kind="rumour")], labels, "event", ("incident", "rumour"))
    assert [(m.key, m.label_id) for m in matches] == [("e1", "fire"), ("e2", None)]


class Recorder(Detector):
    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[tuple[int, datetime]] = []

    def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
        self.calls.append((len(posts), now))
        return []


def test_p90_is_the_nearest_rank() -> None:
    from civicpulse.evaluation.detection import _p90

    assert _p90([]) is None
    assert _p90([24, 178, 248, 266, 390, 748, 1254]) == 1254
    assert _p90(list(range(1, 11))) == 9


def test_replay_feeds_fixed_steps_of_stream_time_with_the_step_end_as_now() -> None:
    posts = [make_post(i, at=T0 + timedelta(seconds=s)) for i, s in enumerate((0, 0.5, 1.9, 2.0, 7.1))]
    recorder = Recorder()
    result = replay(posts, [recorder], step_s=2.0)
    # The empty step ending at 6 s is not a call: in a quiet stretch, one call a minute (as the pipeline).
    assert recorder.calls == [(3, T0 + timedelta(seconds=2)), (1, T0 + timedelta(seconds=4)),
                              (1, T0 + timedelta(seconds=8))]
    assert result.posts == 5


@pytest.mark.slow
def test_a_short_scenario_is_scored_end_to_end(tmp_path: Path) -> None:
    riot = load_scenario("city-riot")
    short = msgspec.structs.replace(riot, duration="1h30m", injects=riot.injects[:2])
    from civicpulse.detectors.coordination import CoordinationDetector
    from civicpulse.detectors.events import EventDetector

    coordination = CoordinationDetector()
    score = score_scenario(short, [EventDetector(), coordination], workdir=tmp_path)
    assert score.incidents == 1
    assert score.incidents_detected == 1
    assert score.false_events <= 2
    assert score.posts > 20_000
    # Witnesses of the riot write the same words: judged, counted, not flagged.
    assert score.coordination is not None
    assert score.coordination.groups_not_flagged == coordination.counters["organic_groups"] > 0
    assert score.coordination.false_flags == 0


def test_eval_detection_keys_and_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    import civicpulse.evaluation.detection as detection

    monkeypatch.setattr(detection, "builtin_names", lambda: [])
    results = evaluate_detection(None)
    for key in ("incident_recall", "false_events_per_hour", "latency_p90_s", "rumour_recall", "false_rumours_per_hour",
                "crisislex_events_found", "posts_per_s", *MODEL_KEYS):
        assert key in results
    assert all(results[key] is None for key in MODEL_KEYS)
    eval_command(json_output=True, task=None, bias=False, data=None, what="detection")
    assert '"incident_recall"' in capsys.readouterr().out
    eval_command(json_output=False, task=None, bias=False, data=None, what="detection")
    assert "false_events_per_hour" in capsys.readouterr().out
    with pytest.raises(UsageError):
        eval_command(json_output=True, task=None, bias=False, data=None, what="nonsense")
    with pytest.raises(UsageError):
        eval_command(json_output=True, task=None, bias=False, data=None)


def test_each_scenario_is_replayed_with_every_seed_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    import civicpulse.evaluation.detection as detection

    riot = load_scenario("city-riot")
    quiet = msgspec.structs.replace(riot, duration="10m", injects=[])
    monkeypatch.setattr(detection, "builtin_names", lambda: ["city-riot"])
    monkeypatch.setattr(detection, "load_scenario", lambda name: quiet)
    results = evaluate_detection(None, seeds=[0, 1])
    assert results["seeds"] == [0, 1]
    runs = results["scenarios"]
    assert [(run["scenario"], run["seed"]) for run in runs] == [("city-riot", 0), ("city-riot", 1)]
    assert runs[0]["posts"] != runs[1]["posts"], "another seed is another draw"
    assert results["false_events_per_hour"] == round(sum(run["false_events"] for run in runs) / (2 * 10 / 60), 2)
    with pytest.raises(UsageError):
        eval_command(json_output=True, task=None, bias=False, data=None, what="detection", seeds="0")


def test_seeds_are_a_count_from_zero_or_a_range_of_unseen_draws() -> None:
    assert parse_seeds("5") == [0, 1, 2, 3, 4]
    assert parse_seeds("50-59") == list(range(50, 60))
    assert parse_seeds("7-7") == [7]
    for wrong in ("0", "", "-3", "5-", "9-3", "a-b", "1.5", "²", "0-100", "101", "9" * 20, "1" * 30):
        with pytest.raises(UsageError):
            parse_seeds(wrong)


@given(st.text(max_size=25) | st.from_regex(r"\A[0-9]{1,6}(-[0-9]{1,6})?\Z"))
def test_any_seeds_text_is_a_short_run_of_seeds_or_a_clear_error(text: str) -> None:
    try:
        seeds = parse_seeds(text)
    except UsageError:
        return
    assert 1 <= len(seeds) <= 100
    assert seeds == list(range(seeds[0], seeds[0] + len(seeds)))


@pytest.mark.slow
def test_runs_replayed_side_by_side_score_as_they_do_alone() -> None:
    side_by_side = evaluate_detection(None, scenarios=["missing-child"], seeds=[3, 4], jobs=2)
    alone = evaluate_detection(None, scenarios=["missing-child"], seeds=[4])
    assert [run["seed"] for run in side_by_side["scenarios"]] == [3, 4]
    timing = {"posts_per_s", "required_analysers_posts_per_s"}
    assert ({k: v for k, v in side_by_side["scenarios"][1].items() if k not in timing}
            == {k: v for k, v in alone["scenarios"][0].items() if k not in timing})
    with pytest.raises(UsageError):
        eval_command(json_output=True, task=None, bias=False, data=None, what="detection", jobs=0)


@pytest.mark.slow
@pytest.mark.skipif(not (DATA / "crisislex").is_dir(), reason="CrisisLex is not in ../shared/data")
def test_crisislex_events_are_found_in_background_chatter() -> None:
    result = crisislex_score(DATA)
    assert result["crisislex_events"] == 26
    assert result["crisislex_events_found"] >= 20


def test_coordination_is_scored_per_signal_against_the_campaigns() -> None:
    from civicpulse.evaluation.detection import score_coordination
    from civicpulse.scenarios.truth import InjectTruth, TruthSummary

    onset = T0 + timedelta(minutes=30)
    truth = TruthSummary(scenario="t", seed=0, start=T0, end=T0 + timedelta(hours=2), duration_s=7200.0,
                         coordinated=[InjectTruth(id="camp", kind="coordinated", title="x", onset=onset,
                                                  onset_s=1800.0, members=["a1", "a2", "a3", "a4"])])
    labels = {"c1": [("coordinated", "camp"), ("rumour", "r")], "c2": [("coordinated", "camp")],
              "c3": [("coordinated", "camp")], "r1": [("rumour", "r")], "r2": [("rumour", "r")],
              "i1": [("incident", "fire")], "i2": [("incident", "fire")]}

    def flag(key: str, post_ids: tuple[str, ...], accounts: list[str], minutes: float) -> Signal:
        return Signal(detector="coordination", kind="coordination", key=key, at=T0 + timedelta(minutes=minutes),
                      summary="", post_ids=post_ids, details={"accounts": accounts})

    signals = [
        flag("k1", ("r1", "r2", "c1"), ["p1", "p2", "a1"], 25),  # the rumour's organic copies first ...
        flag("k1", ("c1", "c2", "c3"), ["a1", "a2", "a3"], 32),  # ... then the campaign's wave: flagged
        flag("k2", ("i1", "i2", "x"), ["w1", "w2", "w3"], 50),  # eyewitnesses: a false flag
        signal("e", ("c1", "c2")),  # other kinds are ignored
    ]
    score = score_coordination(truth, labels, signals)
    assert (score.campaigns, score.campaigns_flagged) == (1, 1)
    assert score.latencies_s == [120.0]
    assert (score.flags, score.false_flags) == (2, 1)
    assert score.false_flags_by_label == {"incident": 1}
    assert (score.accounts_flagged, score.accounts_flagged_members, score.members) == (8, 3, 4)


def test_the_replay_runs_the_analysers_the_detectors_require() -> None:
    from civicpulse.detectors.coordination import CoordinationDetector
    from civicpulse.evaluation.detection import default_detectors, required_analysers

    class Needs(Recorder):
        requires = ("near_duplicates",)

        def update_many(self, posts: Sequence[Post], now: datetime) -> list[Signal]:
            assert all("near_duplicates/1" in p.enrichments for p in posts)
            return super().update_many(posts, now)

    assert [a.name for a in required_analysers([Needs(), CoordinationDetector()])] == ["near_duplicates"]
    assert required_analysers([Recorder()]) == []
    assert "coordination" in [d.name for d in default_detectors()]
    needs = Needs()
    posts = [make_post(i, at=T0 + timedelta(seconds=i), text="the same copy-pasted campaign text here")
             for i in range(5)]
    result = replay(posts, [needs])
    assert sum(n for n, _ in needs.calls) == 5
    assert result.analyser_s >= 0.0


def test_rumour_signals_on_no_scripted_rumour_are_counted_as_false() -> None:
    from civicpulse.evaluation.detection import ReplayResult, _score
    from civicpulse.scenarios.truth import InjectTruth, TruthSummary

    onset = T0 + timedelta(minutes=10)
    truth = TruthSummary(scenario="t", seed=0, start=T0, end=T0 + timedelta(hours=1), duration_s=3600.0,
                         rumours=[InjectTruth(id="van", kind="rumour", title="x", onset=onset, onset_s=600.0)])
    labels = {"r1": [("rumour", "van")], "r2": [("rumour", "van")]}

    def rumour(key: str, post_ids: tuple[str, ...], minutes: float, status: str = "emerging") -> Signal:
        return Signal(detector="rumours", kind="rumour", key=key, at=T0 + timedelta(minutes=minutes), summary="",
                      post_ids=post_ids, details={"status": status})

    result = ReplayResult(signals=[rumour("a", ("r1", "r2", "x"), 12), rumour("a", ("r1",), 20, "spreading"),
                                   rumour("b", ("w1", "w2", "r1"), 30), rumour("c", ("w3",), 40)])
    score = _score("t", truth, labels, result)
    assert score.rumours_detected == 1
    assert score.rumour_latencies_s == [120.0]
    assert score.false_rumours == 2  # "b" and "c": hedged small talk, first signal of each key counted once
    assert score.as_dict()["false_rumours"] == 2


def test_related_rumours_are_scored_by_district_and_by_story() -> None:
    from civicpulse.evaluation.detection import score_relations
    from civicpulse.scenarios.truth import InjectTruth, TruthSummary

    def inject(id_: str, kind: str, district: str) -> InjectTruth:
        return InjectTruth(id=id_, kind=kind, title=id_, onset=T0, onset_s=0.0, district=district)

    truth = TruthSummary(scenario="t", seed=0, start=T0, end=T0 + timedelta(hours=2), duration_s=7200.0,
                         incidents=[inject("riot", "incident", "Harehills"), inject("fire", "incident", "Centre")],
                         rumours=[inject("shot", "rumour", "Harehills"), inject("loot", "rumour", "Centre")])
    labels = {"i1": [("incident", "riot")], "i2": [("incident", "fire")], "r1": [("rumour", "shot")],
              "r2": [("rumour", "loot")]}

    def signal(kind: str, key: str, post_ids: tuple[str, ...], **details: object) -> Signal:
        return Signal(detector=kind, kind=kind, key=key, at=T0 + timedelta(minutes=30), summary="",
                      post_ids=post_ids, details=dict(details))

    signals = [signal("event", "e1", ("i1",), terms=["harehills", "police"], title="harehills police riot"),
               signal("event", "e2", ("i2",), terms=["centre", "smoke"], title="centre smoke fire"),
               signal("event", "e3", ("r1",), terms=["shot", "police"], title="police shot harehills"),
               signal("rumour", "s", ("r1",), title="Police shot someone in Harehills", keywords=["police"]),
               signal("rumour", "l", ("r2",), title="Apparently looting near the fire in the centre", keywords=[])]
    score = score_relations(truth, labels, signals)
    # e1 -> shot (same district), e3 (the rumour's own posts) -> shot, e2 -> loot (centre, fire).
    assert (score.links, score.correct, score.unmatched_links) == (3, 3, 0)
    assert (score.pairs, score.pairs_linked) == (2, 2)


def test_the_memory_trace_samples_detector_state_along_the_stream() -> None:
    """The harness behind "memory flat over 10 million posts" (`--long-posts`), on a short stream."""
    trace = long_stream_state(20_000, points=4)
    assert [point["posts"] for point in trace] == [5_000, 10_000, 15_000, 20_000]
    assert all((point["state_bytes"] or 0) > 10_000 for point in trace)  # the detectors' snapshots
    if sys.platform == "linux":
        assert all((point["resident_mb"] or 0) > 10 for point in trace)
