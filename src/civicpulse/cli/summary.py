"""The end-of-run summary printed by ``ingest``, ``scenario run`` and ``demo``."""

from __future__ import annotations

from rich.table import Table

from civicpulse.cli.common import console
from civicpulse.pipeline.runner import PipelineStats
from civicpulse.store.queries import Reader


def print_summary(stats: PipelineStats, reader: Reader, extra: dict[str, object] | None = None) -> None:
    counts = reader.counts()
    table = Table(title="Summary", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("posts read this run", f"{stats.read:,}")
    table.add_row("posts stored this run", f"{stats.stored:,}")
    table.add_row("duplicates skipped", f"{stats.duplicates:,}")
    table.add_row("quarantined records", f"{stats.quarantined:,}")
    for stage, count in sorted(stats.quarantine_by_stage.items()):
        table.add_row(f"  at {stage}", f"{count:,}")
    if stats.signals or stats.detector_errors:
        table.add_row("detector signals (events, rumours, …)", f"{stats.signals:,}")
    if stats.detector_errors:
        table.add_row("detector errors (posts still stored)", f"{stats.detector_errors:,}")
    if stats.dated_ahead:
        table.add_row("posts dated ahead of the stream (wrong clock?)", f"{stats.dated_ahead:,}")
        table.add_row("  of which the detectors saw before their date", f"{stats.shown_early:,}")
    table.add_row("throughput", f"{stats.posts_per_s:,.0f} posts/s")
    table.add_row("posts in the database", f"{counts.posts:,}")
    for label, value in (extra or {}).items():
        table.add_row(label, str(value))
    console.print(table)
    if stats.quarantined:
        console.print("quarantined records keep their reason and raw payload in the 'quarantine' table")
