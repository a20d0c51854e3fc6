"""``civicpulse eval``: score every text model on the official test splits, beside published
results, with speeds; ``--bias`` adds the identity-term audit. ``docs/evaluation.md`` is its output.

``civicpulse eval detection`` scores the stream detectors instead (``docs/detection.md``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from civicpulse.errors import UsageError
from civicpulse.evaluation.runner import TASKS, evaluate, evaluation_steps

__all__ = ["eval_command"]

_console = Console()
#: Progress goes to stderr, so that ``--json`` output on stdout stays one clean object.
_progress_console = Console(stderr=True)


@contextmanager
def _steps(total: int) -> Iterator[Callable[[str], None]]:
    """A progress bar over ``total`` steps; the callback names the step starting now."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=_progress_console, transient=True) as bar:
        task = bar.add_task("eval", total=total)
        started = 0

        def step(name: str) -> None:
            nonlocal started
            bar.update(task, completed=started, description=f"eval: {name}")
            started += 1

        yield step


def _fmt(refs: dict[str, float]) -> str:
    return ", ".join(f"{name} {score:g}" for name, score in refs.items()) or "-"


_TASK_HELP = f"Only this task (repeat for several): {', '.join(TASKS)}."


def eval_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object keyed by task."),
    task: list[str] | None = typer.Option(None, "--task", help=_TASK_HELP),
    bias: bool = typer.Option(False, "--bias", help="Also run the identity-term bias audit."),
    # typer reads options from defaults; B008 cannot know this call is evaluated once and is inert.
    data: Path | None = typer.Option(None, "--data", help="The labelled data folder (e.g. ../shared/data)."),
    what: str | None = typer.Argument(None, help="'detection' scores the stream detectors instead."),
    long_posts: int = typer.Option(0, "--long-posts",
                                   help="detection: also trace the detectors' state size along N posts."),
    profile: str = typer.Option("fast", "--profile",
                                help="Analyser profile to score: 'fast' (default) or 'accurate' (MiniLM encoder)."),
    seeds: str = typer.Option("1", "--seeds", help="detection: replay each scenario with seeds 0 .. N-1 (N), or "
                                                    "with seeds A to B ('50-59': draws never scored before); the "
                                                    "detectors were tuned on seed 0."),
    jobs: int = typer.Option(1, "--jobs", help="detection: replay this many scenario runs side by side "
                                               "(one process each; the scores do not change)."),
    soak: int = typer.Option(0, "--soak", help="detection: instead, replay each scenario N times back to back "
                                               "(days of stream) and score the events detector on the repeats; "
                                               "copies draw seeds 100 on, or the N seeds of '--seeds A-B'."),
) -> None:
    """Score the text models on the official test splits (or 'detection': the stream detectors)."""
    if isinstance(what, str):
        if what != "detection":
            raise UsageError(f"unknown evaluation {what!r}", fix="use 'civicpulse eval detection' or no argument")
        seed_list = parse_seeds(seeds if isinstance(seeds, str) else "1")  # from Python: the option's default object
        long_posts = long_posts if isinstance(long_posts, int) else 0
        jobs = jobs if isinstance(jobs, int) else 1
        if not 1 <= jobs <= MAX_JOBS:
            raise UsageError(f"--jobs {jobs} is out of range", fix=f"use a number of processes from 1 to {MAX_JOBS}")
        if isinstance(soak, int) and soak:
            if not 2 <= soak <= 100:
                raise UsageError(f"--soak {soak} is out of range", fix="use a number of copies from 2 to 100")
            seed_range = isinstance(seeds, str) and "-" in seeds
            if (seed_list != [0] and not seed_range) or long_posts or jobs != 1:
                raise UsageError("--soak draws its own copies (seeds 100, 101, ...) and scores only the events "
                                 "detector", fix="run --soak on its own; --seeds, --jobs, --long-posts separately")
            if seed_range and len(seed_list) != soak:
                raise UsageError(f"--soak {soak} needs {soak} seeds, --seeds {seeds} gives {len(seed_list)}",
                                 fix=f"give one seed per copy, e.g. --seeds {seed_list[0]}-{seed_list[0] + soak - 1}")
            _soak(json_output, soak, seed_list[0] if seed_range else None)
            return
        _detection(json_output, data, long_posts, seed_list, jobs)
        return
    if data is None:
        raise UsageError("the text models are scored on labelled data", fix="add --data ../shared/data")
    unknown = [name for name in task or [] if name not in TASKS]
    if unknown:
        raise UsageError(f"unknown task {unknown[0]!r}", fix=f"use one of: {', '.join(TASKS)}")
    if profile not in ("fast", "accurate"):
        raise UsageError(f"unknown profile {profile!r}", fix="use --profile fast or --profile accurate")
    tasks = list(dict.fromkeys(task)) if task else None
    with _steps(evaluation_steps(tasks) + (1 if bias else 0)) as step:
        results: dict[str, Any] = evaluate(data, tasks, profile, progress=step)
        if bias:
            from civicpulse.evaluation.bias import audit

            step("bias audit")
            results["bias"] = audit(profile)
    if json_output:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    table = Table(title=f"civicpulse eval, {profile} profile "
                        "(official test splits; crisis_*: leave one event out; ×100)")
    for column in ("task", "metric", "ours", "target", "baselines", "best published", "posts/s"):
        table.add_column(column)
    for name in TASKS:
        if name not in results:
            continue
        r = results[name]
        table.add_row(name, r["metric"], f"{r['score']:.1f}", str(r.get("target", "-")), _fmt(r["baselines"]),
                      _fmt(r["best"]), str(r["posts_per_s"]))
    _console.print(table)
    if "hate" in results:
        hate = results["hate"]
        _console.print(f"hate: general tweets flagged (mostly false alarms): {hate['flagged_everyday_pct']} % of "
                       f"TweetEval sentiment test (12,284), {hate['flagged_unseen_everyday_pct']} % of TweetEval "
                       "irony + emotion test (2,205)")
    _console.print(f"default chain ({' → '.join(results['default_chain'])}): "
                   f"{results['default_chain_posts_per_s']:,} posts/s on one core (CPU time; median of the passes "
                   f"{', '.join(f'{rate:,}' for rate in results['default_chain_passes_posts_per_s'])})")
    if bias:
        b = results["bias"]
        _console.print(f"bias audit: {b['n_sentences']} neutral templated sentences; positive rate overall "
                       + ", ".join(f"{k} {v} %" for k, v in b["overall"].items()))
        _print_gaps(b["large_gaps"])
        a = b["abusive"]
        _console.print(f"bias audit: {a['n_sentences']} abusive templated sentences; missed overall "
                       + ", ".join(f"{k.removeprefix('missed_')} {v} %" for k, v in a["overall"].items())
                       + " (hate: only immigrants and women are in its training data)")
        _print_gaps(a["large_gaps"])


def _print_gaps(gaps: list[str]) -> None:
    for line in gaps:
        _console.print(f"  large gap: {line}")
    if not gaps:
        _console.print("  no large gap")


#: At most this many seeds in one run (each is a replay of every scenario).
MAX_SEEDS = 100
#: At most this many replay processes.
MAX_JOBS = 64


def parse_seeds(text: str) -> list[int]:
    """``--seeds``: "N" is seeds 0 .. N-1; "A-B" is seeds A to B, both included."""
    fix = f"use a count from 1 to {MAX_SEEDS} ('5': seeds 0-4) or a range of at most {MAX_SEEDS} seeds ('50-59')"
    first, dash, last = text.strip().partition("-")
    if not first.isdecimal() or (dash and not last.isdecimal()) or len(text) > 20:
        raise UsageError(f"--seeds {text!r} is neither a count nor a range", fix=fix)
    start, stop = (int(first), int(last) + 1) if dash else (0, int(first))
    if not 1 <= stop - start <= MAX_SEEDS:
        raise UsageError(f"--seeds {text!r} asks for {max(0, stop - start)} seeds", fix=fix)
    return list(range(start, stop))


def _detection(json_output: bool, data: Path | None, long_posts: int, seeds: list[int], jobs: int) -> None:
    from civicpulse.evaluation.detection import MODEL_KEYS, evaluate_detection
    from civicpulse.scenarios.library import builtin_names

    runs = len(seeds) * len(builtin_names())
    with _steps(runs + (2 if data is not None else 0) + (1 if long_posts > 0 else 0)) as step:
        results = evaluate_detection(data, progress=step, long_posts=long_posts, seeds=seeds, jobs=jobs)
    if json_output:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    table = Table(title=f"civicpulse eval detection ({', '.join(results['detectors'])})")
    for column in ("scenario", "seed", "posts", "incidents ≤120 s", "detected", "latencies (s)", "events", "false"):
        table.add_column(column)
    for s in results["scenarios"]:
        table.add_row(s["scenario"], str(s["seed"]), f"{s['posts']:,}",
                      f"{s['incidents_within_120s']}/{s['incidents']}",
                      f"{s['incidents_detected']}/{s['incidents']}",
                      ", ".join(f"{x:g}" for x in s["incident_latencies_s"]) or "-",
                      str(s["events"]), str(s["false_events"]))
    _console.print(table)
    for key in ("incident_recall", "incidents_detected_at_all", "false_events_per_hour", "latency_p90_s",
                "latency_median_s", "rumour_recall", "rumour_latency_p90_s", "false_rumours_per_hour", "posts_per_s",
                "crisislex_events_found", "crisislex_events", "crisislex_latency_median_s",
                "crisislex_fragments_mean", "crisislex_background_false_events",
                "coordination_recall", "coordination_account_precision", "coordination_account_recall",
                "coordination_latency_median_s", "coordination_false_flags_per_hour", "related_rumours_precision",
                "related_rumours_recall", *MODEL_KEYS):
        if key in results:
            value = results[key]  # the model scores come unrounded; three places are what they mean
            _console.print(f"{key}: {round(value, 3) if key in MODEL_KEYS and value is not None else value}")
    for point in results.get("memory_trace", []):
        resident = "" if point["resident_mb"] is None else f", process resident {point['resident_mb']} MB"
        _console.print(f"after {point['posts']:,} posts: detector state {point['state_bytes']:,} bytes{resident}")


def _soak(json_output: bool, copies: int, first_seed: int | None) -> None:
    from civicpulse.evaluation.soak import REPEAT_DEADLINE_S, SOAK_SEED, soak_scenario
    from civicpulse.scenarios.library import builtin_names, load_scenario

    first_seed = SOAK_SEED if first_seed is None else first_seed
    names = builtin_names()
    scores = []
    with _steps(len(names)) as step:
        for name in names:
            step(f"soak: {name}, {copies} copies")
            scores.append(soak_scenario(load_scenario(name), copies, first_seed).as_dict())
    if json_output:
        typer.echo(json.dumps({"soak": scores}, ensure_ascii=False))
        return
    table = Table(title=f"civicpulse eval detection --soak {copies} (events detector; seeds {first_seed} .. "
                        f"{first_seed + copies - 1}; incidents of copies 1 .. {copies - 1}, each the same incident "
                        "again in the same place)")
    for column in ("scenario", "stream hours", "posts", "repeats ≤120 s", f"≤{REPEAT_DEADLINE_S / 60:g} min",
                   "events", "open at the end"):
        table.add_column(column)
    for s in scores:
        table.add_row(s["scenario"], f"{s['stream_hours']:g}", f"{s['posts']:,}",
                      f"{s['repeats_within_120s']}/{s['repeats']}", f"{s['repeats_within_30min']}/{s['repeats']}",
                      str(s["events"]), str(s["open_events_at_end"]))
    _console.print(table)
