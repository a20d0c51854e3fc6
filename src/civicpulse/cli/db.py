"""``civicpulse db``: schema migrations."""

from __future__ import annotations

from pathlib import Path

import typer

from civicpulse.cli.common import ConfigOption, console, escape, settings_from
from civicpulse.store.database import connect, current_revision, head_revision, upgrade

app = typer.Typer(help="Database schema: upgrade and status.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(config: Path | None = ConfigOption) -> None:
    """Bring the database schema up to date (safe to run any time)."""
    settings = settings_from(config)
    engine = connect(settings.resolved_database_url)
    upgrade(engine)
    console.print(f"database at revision {current_revision(engine)} ({escape(engine.url.render_as_string())})")


@app.command("status")
def status_command(config: Path | None = ConfigOption) -> None:
    """Show the schema revision of the database and the one this version expects."""
    settings = settings_from(config)
    engine = connect(settings.resolved_database_url)
    current = current_revision(engine)
    head = head_revision()
    state = "up to date" if current == head else "needs 'civicpulse db upgrade'"
    console.print(f"database revision {current or 'none'}, expected {head}: {state}")
