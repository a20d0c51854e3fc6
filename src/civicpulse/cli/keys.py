"""``civicpulse keys rotate-pseudonym``: re-key every pseudonym under a fresh secret."""

from __future__ import annotations

from pathlib import Path

import typer

from civicpulse.cli.common import ConfigOption, console, settings_from
from civicpulse.cli.govern import signed_in
from civicpulse.governance.context import Governance
from civicpulse.governance.rotation import rotate_pseudonym_key
from civicpulse.pipeline.factory import open_database

app = typer.Typer(help="Deployment keys.", no_args_is_help=True)


@app.command("rotate-pseudonym")
def rotate_command(config: Path | None = ConfigOption) -> None:
    """Replace the pseudonymisation key and re-key all stored authors (stop ingest first; resumable)."""
    settings = settings_from(config)
    gov = Governance.from_settings(open_database(settings), settings)
    report = rotate_pseudonym_key(gov, signed_in(gov), settings)
    console.print(f"re-keyed {report.identities:,} authors and {report.posts:,} posts; the old key is destroyed")
