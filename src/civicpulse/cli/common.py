"""What the CLI commands share: settings, consoles, running a pipeline with a progress bar."""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import typer
import uvicorn
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from civicpulse.config import Settings, load_settings
from civicpulse.errors import UsageError
from civicpulse.pipeline.runner import Pipeline, PipelineStats

if TYPE_CHECKING:
    from civicpulse.detectors.area import AreaMap
    from civicpulse.web.auth import WebAuth

__all__ = ["ConfigOption", "DashboardServer", "console", "ensure_port_free", "escape", "handle_stop_signals",
           "run_pipeline", "settings_from"]

console = Console()

ConfigOption = typer.Option(None, "--config", help="Settings file (TOML). Default: ./civicpulse.toml if present.")


def settings_from(config: Path | None, **overrides: object) -> Settings:
    return load_settings(config, None, **overrides)


def ensure_port_free(host: str, port: int) -> None:
    """Fail early, with the fix, when the dashboard's address is taken."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise UsageError(f"cannot listen on {host}:{port}: {error.strerror}",
                             fix=f"stop the program using port {port}, or choose another with --port") from None


@contextmanager
def handle_stop_signals(pipeline: Pipeline) -> Iterator[None]:
    """SIGINT/SIGTERM stop reading and flush what is in flight; a second SIGINT aborts."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    interrupted = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal interrupted
        if interrupted and signum == signal.SIGINT:
            raise KeyboardInterrupt
        interrupted = True
        console.print("[yellow]stopping: finishing the posts already read…[/]")
        pipeline.stop()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run_pipeline(pipeline: Pipeline, description: str, *, total: int | None = None,
                 cursor: str | None = None, quiet: bool = False) -> PipelineStats:
    """Run ``pipeline`` to the end with a progress bar (posts read), stoppable by signals."""
    with handle_stop_signals(pipeline):
        if quiet:
            return pipeline.run(cursor)
        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[rate]} posts/s"), TimeElapsedColumn()]
        with Progress(*columns, console=console, transient=False) as progress:
            task = progress.add_task(escape(description), total=total, rate="—")

            def update(stats: PipelineStats) -> None:
                progress.update(task, completed=stats.read, rate=f"{stats.posts_per_s:,.0f}")

            stats = pipeline.run(cursor, progress=update)
            progress.update(task, completed=stats.read, total=stats.read if total is None else total)
        return stats


class DashboardServer:
    """The dashboard served from a background thread while a pipeline runs in the foreground."""

    def __init__(self, engine: Engine, settings: Settings, pipeline: Pipeline | None = None,
                 area: AreaMap | None = None) -> None:
        from civicpulse.governance.context import Governance
        from civicpulse.web.app import create_app

        status = (lambda: pipeline.stats) if pipeline is not None else None
        app = create_app(Governance.from_settings(engine, settings), status,
                         audit_every=timedelta(minutes=settings.web_audit_interval_minutes), area=area)
        self.auth: WebAuth = app.state.auth
        config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.url = f"http://{settings.host}:{settings.port}"
        self._thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)

    def start(self) -> None:
        """Start serving; returns once the address accepts connections (so what is printed works)."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=5)
