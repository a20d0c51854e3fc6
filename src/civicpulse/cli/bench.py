"""``civicpulse bench``: measure the hot paths."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from civicpulse.bench import STAGES, run_benchmarks
from civicpulse.cli.common import ConfigOption, console, settings_from
from civicpulse.errors import UsageError

ALL_STAGES = list(STAGES)
STAGE_HELP = f"Stages to run: {', '.join(STAGES)}."


def bench_command(
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object (for scripts and CI)."),
    posts: int = typer.Option(200_000, "--posts", min=1000, help="Posts per stage."),
    stage: list[str] = typer.Option(ALL_STAGES, "--stage", help=STAGE_HELP),
    config: Path | None = ConfigOption,
) -> None:
    """Measure post serialisation, scenario generation, ingest, the default pipeline and the detectors."""
    unknown = set(stage) - set(STAGES)
    if unknown:
        raise UsageError(f"unknown stage(s): {', '.join(sorted(unknown))}", fix=f"use {', '.join(STAGES)}")
    settings = settings_from(config)
    say = None if json_output else (lambda message: console.print(f"[dim]… {message}[/]"))
    results = run_benchmarks(settings, posts=posts, stages=stage, progress=say)
    if json_output:
        typer.echo(json.dumps(results))
        return
    for key, value in results.items():
        console.print(f"{key:>32}  {value}")
