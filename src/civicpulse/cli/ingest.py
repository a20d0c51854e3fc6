"""``civicpulse ingest``: read posts from a source into the store, resumably."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from civicpulse.alerts.sink import AlertSink
from civicpulse.cli.common import ConfigOption, console, escape, run_pipeline, settings_from
from civicpulse.cli.govern import bind_ingest_cli
from civicpulse.cli.summary import print_summary
from civicpulse.detectors.area import configured_area
from civicpulse.detectors.storage import SignalStore, build_detectors
from civicpulse.errors import UsageError
from civicpulse.pipeline.factory import build_pipeline, open_database
from civicpulse.registry import sources
from civicpulse.sources.base import Source
from civicpulse.store.queries import Reader


def open_source(kind: str, target: str, options: dict[str, Any]) -> Source:
    """A registered source by name; ``target`` is its first argument (a path or a scenario)."""
    cls = sources.get(kind)
    try:
        return cls(target, **{k: v for k, v in options.items() if v is not None})  # type: ignore[call-arg]
    except TypeError as error:
        raise UsageError(f"the {kind} source does not take these options: {error}",
                         fix=f"see 'civicpulse ingest --help' for the options of {kind}") from None


def ingest_command(
    kind: str = typer.Argument(..., help="Source type: jsonl, csv or scenario (or a plug-in's name)."),
    target: str = typer.Argument(..., help="A file path ('-' for standard input) or a scenario name."),
    format: str = typer.Option(None, "--format", help="jsonl: auto, civicpulse, twitter-v2 or mastodon."),
    mapping: str = typer.Option(None, "--mapping", help="csv: field=column pairs, e.g. 'text=body,id=uid'."),
    seed: int = typer.Option(None, "--seed", help="scenario: random seed."),
    speed: float = typer.Option(None, "--speed", help="scenario: replay speed (1 = real time); default: max."),
    resume: bool = typer.Option(True, "--resume/--restart", help="Continue from where the last run stopped."),
    operation: str = typer.Option(None, "--operation", help="The operation this monitoring is for (required once "
                                                            "accounts exist; see docs/governance.md)."),
    config: Path | None = ConfigOption,
) -> None:
    """Read posts from a source, enrich them and store them. Safe to interrupt and re-run."""
    settings = settings_from(config)
    area = configured_area(settings.area_file)  # a wrong area file stops here, before anything is stored
    options: dict[str, Any] = {"format": format, "seed": seed, "speed": speed}
    if mapping is not None:
        from civicpulse.sources.csv import parse_mapping

        options["mapping"] = parse_mapping(mapping)
    source = open_source(kind, target, options)
    engine = open_database(settings)
    cursor_name = None if target == "-" else f"ingest:{kind}:{_stable_target(kind, target)}"
    finish_binding = bind_ingest_cli(settings, engine, operation, cursor_name or f"ingest:{kind}:-")
    # Alert rules of the operation this ingest is bound to watch the stream (docs/alerts.md).
    alert_sink = AlertSink(engine, settings, operation) if operation else None
    # The configured detectors watch every ingest, resuming from their saved state (docs/detection.md).
    detectors = build_detectors(settings.detectors, engine, area=area)
    signal_store = SignalStore(engine, detectors, operation_id=operation)
    pipeline = build_pipeline(settings, source, engine, cursor_name=cursor_name, detectors=detectors,
                              operation_id=operation, sinks=[signal_store, *([alert_sink] if alert_sink else [])])
    cursor = Reader(engine).cursor(cursor_name) if (resume and cursor_name) else None
    if cursor is not None:
        console.print(f"resuming {escape(source.describe())} from the last stored position")
    stats = run_pipeline(pipeline, f"ingesting {source.describe()}", total=source.total_hint(), cursor=cursor)
    signal_store.flush()
    finish_binding()
    print_summary(stats, Reader(engine))
    if alert_sink is not None:
        failed = f" ({alert_sink.errors} batches could not be checked; see the log)" if alert_sink.errors else ""
        console.print(f"{alert_sink.raised} alerts raised{failed}; 'civicpulse rule deliver' sends them")


def _stable_target(kind: str, target: str) -> str:
    path = Path(target)
    return str(path.resolve()) if kind != "scenario" and path.exists() else target
