"""``civicpulse retention run``: delete personal data whose operation's retention has ended."""

from __future__ import annotations

from pathlib import Path

import typer

from civicpulse.cli.common import ConfigOption, console
from civicpulse.cli.govern import open_governance, signed_in
from civicpulse.governance.retention import run_retention

app = typer.Typer(help="Retention: delete personal data on time.", no_args_is_help=True)


@app.command("run")
def run_command(
    batch_size: int = typer.Option(500, "--batch-size", min=1, help="Posts deleted per transaction."),
    config: Path | None = ConfigOption,
) -> None:
    """Delete what is due; safe to interrupt and run again (it resumes)."""
    gov = open_governance(config)
    report = run_retention(gov, signed_in(gov), batch_size=batch_size)
    if not report.operations:
        console.print("nothing is due for deletion")
        return
    console.print(f"deleted, for {len(report.operations)} operation(s) ({', '.join(report.operations)}): "
                  f"{report.posts:,} posts, {report.raw_payloads:,} raw payloads, {report.identities:,} identities, "
                  f"{report.quarantined:,} quarantined records, {report.derived:,} detector signals and snapshots; "
                  "counts kept in 'retention_counts'")
