"""The ``civicpulse`` command. Command groups live in sibling modules and are added here."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from civicpulse.errors import CivicpulseError

app = typer.Typer(
    name="civicpulse",
    help="Public social media for public safety: listen, understand, engage, investigate, share, govern.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


def main() -> None:
    """Entry point: a user's mistake is one clear line that says the fix, never a traceback."""
    try:
        app(standalone_mode=False)
    except CivicpulseError as error:
        err_console.print(f"[bold red]error:[/] {error.message}", highlight=False, markup=True)
        if error.fix:
            err_console.print(f"[bold]fix:[/] {error.fix}", highlight=False)
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
