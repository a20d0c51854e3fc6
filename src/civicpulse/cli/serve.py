"""``civicpulse serve``: the dashboard over the configured database."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import typer
import uvicorn

from civicpulse.cli.common import ConfigOption, console, ensure_port_free, settings_from
from civicpulse.detectors.area import configured_area
from civicpulse.governance.context import Governance
from civicpulse.governance.schedule import RetentionSchedule
from civicpulse.pipeline.factory import open_database
from civicpulse.web.app import create_app


def serve_command(
    host: str = typer.Option(None, "--host", help="Address to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, "--port", help="Port (default 8000)."),
    config: Path | None = ConfigOption,
) -> None:
    """Serve the dashboard for the posts already in the database."""
    settings = settings_from(config, host=host, port=port)
    area = configured_area(settings.area_file)  # a wrong area file stops here, before the server starts
    engine = open_database(settings)
    ensure_port_free(settings.host, settings.port)
    gov = Governance.from_settings(engine, settings)
    schedule = None
    if settings.retention_interval_minutes > 0:
        schedule = RetentionSchedule(gov, settings.retention_interval_minutes * 60)
        schedule.start()
        console.print(f"retention: deleting what is due every {settings.retention_interval_minutes:g} min")
    console.print(f"dashboard: [bold]http://{settings.host}:{settings.port}[/]  (Ctrl-C to stop; sign in with "
                  "an account from 'civicpulse user add')")
    app = create_app(gov, audit_every=timedelta(minutes=settings.web_audit_interval_minutes), area=area)
    try:
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    finally:
        if schedule is not None:
            schedule.stop()
