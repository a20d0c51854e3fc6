"""Evaluation: metrics, error handling, the bias audit, and (when the data are present) a real run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from civicpulse.cli.eval import eval_command
from civicpulse.errors import UsageError
from civicpulse.evaluation.bias import ABUSIVE_TEMPLATES, GROUPS, audit, sentences
from civicpulse.evaluation.runner import (
    accuracy,
    default_chain_speed,
    evaluate,
    evaluation_steps,
    macro_f1,
    macro_recall,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
needs_data = pytest.mark.skipif(not (DATA / "tweeteval").is_dir(),
                                reason=f"labelled data not found at {DATA}")


def test_metrics_match_their_definitions() -> None:
    gold = ["a", "a", "b", "b", "c"]
    pred = ["a", "b", "b", "b", "a"]
    # F1: a = 2*1/(2+2) = .5, b = 2*2/(2+3) = .8, c = 0
    assert macro_f1(gold, pred) == pytest.approx((0.5 + 0.8 + 0.0) / 3)
    assert macro_recall(gold, pred) == pytest.approx((0.5 + 1.0 + 0.0) / 3)
    assert accuracy(gold, pred) == pytest.approx(0.6)


def test_metrics_agree_with_scikit_learn() -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    gold = [0, 1, 2, 2, 1, 0, 0, 2, 1, 1]
    pred = [0, 2, 2, 1, 1, 0, 1, 2, 1, 0]
    assert macro_f1(gold, pred) == pytest.approx(metrics.f1_score(gold, pred, average="macro"))
    assert macro_recall(gold, pred) == pytest.approx(metrics.recall_score(gold, pred, average="macro"))


def test_missing_data_is_a_usage_error_with_a_fix(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as error:
        evaluate(tmp_path / "nowhere")
    assert "--data" in error.value.fix
    with pytest.raises(UsageError):
        eval_command(json_output=True, task=None, bias=False, data=tmp_path)
    with pytest.raises(UsageError):
        eval_command(json_output=True, task="nope", bias=False, data=tmp_path)


def test_bias_audit_shape() -> None:
    assert sentences("asian")[0] == "I am an asian person."
    result = audit()
    assert set(result["overall"]) == {"offensive", "offensive_at_group", "hate", "negative_sentiment"}
    assert set(result["groups"]) == {g for groups in GROUPS.values() for g in groups}
    assert all(0 <= v <= 100 for g in result["groups"].values() for k, v in g.items() if k != "category")
    abusive = result["abusive"]
    assert set(abusive["overall"]) == {"missed_offensive", "missed_offensive_at_group", "missed_hate"}
    assert abusive["n_sentences"] == len(ABUSIVE_TEMPLATES) * len(result["groups"])


def test_the_abusive_half_catches_a_model_that_ignores_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model that flags nothing passes the neutral half and must fail the abusive one."""
    from civicpulse.evaluation import bias

    def flags_nothing(texts: list[str], profile: str) -> dict[str, list[bool]]:
        return {m: [False] * len(texts) for m in ("offensive", "offensive_at_group", "hate", "negative_sentiment")}

    monkeypatch.setattr(bias, "_positive_rates", flags_nothing)
    result = audit()
    assert result["overall"] == {"offensive": 0.0, "offensive_at_group": 0.0, "hate": 0.0, "negative_sentiment": 0.0}
    assert result["abusive"]["overall"] == {"missed_offensive": 100.0, "missed_offensive_at_group": 100.0,
                                            "missed_hate": 100.0}


def test_a_group_whose_abuse_is_missed_is_a_large_gap(monkeypatch: pytest.MonkeyPatch) -> None:
    from civicpulse.evaluation import bias

    def blind_to_deaf(texts: list[str], profile: str) -> dict[str, list[bool]]:
        abusive = [t in set(bias._sentences(ABUSIVE_TEMPLATES)[0]) for t in texts]
        caught = [a and "deaf" not in t.lower() for a, t in zip(abusive, texts, strict=True)]
        return {"offensive": caught, "offensive_at_group": caught, "hate": caught,
                "negative_sentiment": [False] * len(texts)}

    monkeypatch.setattr(bias, "_positive_rates", blind_to_deaf)
    gaps = audit()["abusive"]["large_gaps"]
    assert gaps == ["deaf: missed_offensive 100.0 % vs 2.9 % overall"]


def test_default_chain_speed_runs() -> None:
    rates, names = default_chain_speed(["hello world", "bonjour à tous", ""] * 50, batch=64, passes=2)
    assert len(rates) == 2
    assert all(rate > 0 for rate in rates)
    assert names.index("language") < names.index("sentiment")


@needs_data
@pytest.mark.slow
def test_eval_on_the_official_test_splits() -> None:
    result = evaluate(DATA, ["emotion", "offensive_target"])
    assert result["emotion"]["metric"] == "macro_f1"
    assert result["emotion"]["score"] >= 60.0  # TF-IDF LR level; FastText baseline 65.2
    assert result["offensive_target"]["score"] >= 45.0
    passes = result["default_chain_passes_posts_per_s"]
    assert len(passes) == 3
    assert result["default_chain_posts_per_s"] == sorted(passes)[1]


@needs_data
@pytest.mark.slow
def test_hate_reports_its_false_alarms_on_everyday_tweets() -> None:
    hate = evaluate(DATA, ["hate"])["hate"]
    assert hate["score"] >= 45.0  # hate/1 (n-grams alone) scored 38.1; FastText 50.6
    # hate/2 flagged 5.1 % and 4.4 %; hate/3, trained with everyday tweets as non-hate, 1.6 and 1.3 %.
    assert 0.0 < hate["flagged_everyday_pct"] < 3.0
    assert 0.0 < hate["flagged_unseen_everyday_pct"] < 3.0


@needs_data
def test_progress_is_told_every_step_and_json_stays_clean_on_stdout(tmp_path: Path) -> None:
    steps: list[str] = []
    evaluate(DATA, ["language"], progress=steps.append)
    assert steps == ["language", "default chain"]
    assert len(steps) == evaluation_steps(["language"])
    done = subprocess.run([sys.executable, "-m", "civicpulse", "eval", "--task", "language", "--task", "hate_es",
                           "--json", "--data", str(DATA)], capture_output=True, text=True, cwd=tmp_path, timeout=300,
                          check=True)
    result = json.loads(done.stdout)
    assert result["language"]["metric"] == "accuracy"
    assert result["hate_es"]["metric"] == "macro_f1"  # every --task given is scored, not only the last
