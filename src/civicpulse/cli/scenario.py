"""``civicpulse scenario``: list, describe, generate and run exercise scenarios."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from civicpulse.cli.common import ConfigOption, console, escape, run_pipeline, settings_from
from civicpulse.cli.summary import print_summary
from civicpulse.pipeline.factory import build_pipeline, open_database
from civicpulse.scenarios.library import list_scenarios, load_scenario
from civicpulse.scenarios.truth import write_scenario
from civicpulse.sources.scenario import ScenarioSource
from civicpulse.store.queries import Reader

app = typer.Typer(help="Exercise scenarios: the built-in demo data and the trainers' tool.",
                  no_args_is_help=True)

NameArgument = typer.Argument(..., help="A built-in scenario name (see 'scenario list') or a YAML file.")
SeedOption = typer.Option(0, "--seed", help="Random seed: the same seed gives the same stream.")


def _duration(seconds: float) -> str:
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}h{rest // 60:02d}m"


@app.command("list")
def list_command() -> None:
    """The built-in scenarios."""
    table = Table("name", "title", "city", "stream time", "≈ posts")
    for scenario in list_scenarios():
        table.add_row(scenario.name, escape(scenario.title), escape(scenario.city),
                      _duration(scenario.duration_s), f"{scenario.expected_posts():,}")
    console.print(table)


@app.command("describe")
def describe_command(name: str = NameArgument) -> None:
    """What a scenario contains: area, population, chatter and timed injects."""
    scenario = load_scenario(name)
    console.print(f"[bold]{escape(scenario.title)}[/] ({scenario.name})")
    console.print(escape(scenario.description))
    console.print(f"city: {escape(scenario.city)}   start: {scenario.start.isoformat()}   "
                  f"stream time: {_duration(scenario.duration_s)}   languages: {', '.join(scenario.languages)}"
                  f"   ≈ {scenario.expected_posts():,} posts")
    for line in scenario.describe_injects():
        console.print(f"  • {escape(line)}")


@app.command("generate")
def generate_command(
    name: str = NameArgument,
    out: Path = typer.Option(Path("scenario-out"), "--out", help="Folder for posts.jsonl and the ground truth."),
    seed: int = SeedOption,
) -> None:
    """Write a scenario's posts (JSON Lines) and ground truth to a folder."""
    result = write_scenario(load_scenario(name), seed, out)
    console.print(f"wrote {result.posts:,} posts in {result.seconds:.1f} s "
                  f"({result.posts / max(result.seconds, 1e-9):,.0f} posts/s) to {escape(str(out))}")


@app.command("run")
def run_command(
    name: str = NameArgument,
    seed: int = SeedOption,
    speed: float = typer.Option(None, "--speed", help="Replay speed: 1 = real time, 60 = 60x; default: max."),
    config: Path | None = ConfigOption,
) -> None:
    """Replay a scenario through the pipeline into the database (an exercise)."""
    settings = settings_from(config)
    source = ScenarioSource(name, seed=seed, speed=speed)
    engine = open_database(settings)
    stats = run_pipeline(build_pipeline(settings, source, engine), f"replaying {source.describe()}",
                         total=source.total_hint())
    print_summary(stats, Reader(engine))
