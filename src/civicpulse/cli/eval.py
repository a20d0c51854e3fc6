"""``civicpulse eval``: score every text model on the official test splits, beside published
results, with speeds; ``--bias`` adds the identity-term audit. ``docs/evaluation.md`` is its output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from civicpulse.errors import UsageError
from civicpulse.evaluation.runner import TASKS, evaluate

__all__ = ["eval_command"]

_console = Console()


def _fmt(refs: dict[str, float]) -> str:
    return ", ".join(f"{name} {score:g}" for name, score in refs.items()) or "-"


def eval_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object keyed by task."),
    task: str | None = typer.Option(None, "--task", help=f"Only this task: {', '.join(TASKS)}."),
    bias: bool = typer.Option(False, "--bias", help="Also run the identity-term bias audit."),
    # typer reads options from defaults; B008 cannot know this call is evaluated once and is inert.
    data: Path = typer.Option(..., "--data", help="The labelled data folder (e.g. ../shared/data)."),
) -> None:
    """Score the text models on the official test splits, next to published scores and speed."""
    if task is not None and task not in TASKS:
        raise UsageError(f"unknown task {task!r}", fix=f"use one of: {', '.join(TASKS)}")
    results: dict[str, Any] = evaluate(data, [task] if task else None)
    if bias:
        from civicpulse.evaluation.bias import audit

        results["bias"] = audit()
    if json_output:
        typer.echo(json.dumps(results, ensure_ascii=False))
        return
    table = Table(title="civicpulse eval (official test splits; crisis_*: leave one event out; ×100)")
    for column in ("task", "metric", "ours", "target", "baselines", "best published", "posts/s"):
        table.add_column(column)
    for name in TASKS:
        if name not in results:
            continue
        r = results[name]
        table.add_row(name, r["metric"], f"{r['score']:.1f}", str(r.get("target", "-")), _fmt(r["baselines"]),
                      _fmt(r["best"]), str(r["posts_per_s"]))
    _console.print(table)
    _console.print(f"default chain ({' → '.join(results['default_chain'])}): "
                   f"{results['default_chain_posts_per_s']} posts/s on one core (CPU time)")
    if bias:
        b = results["bias"]
        _console.print(f"bias audit: {b['n_sentences']} neutral templated sentences; positive rate overall "
                       + ", ".join(f"{k} {v} %" for k, v in b["overall"].items()))
        for line in b["large_gaps"] or ["no large gap"]:
            _console.print(f"  large gap: {line}" if b["large_gaps"] else f"  {line}")
