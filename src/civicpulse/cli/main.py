"""The ``civicpulse`` command. Command groups live in sibling modules and are added here."""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape

from civicpulse.cli import analyse, area, bench, db, demo, ingest, rule, scenario, serve
from civicpulse.cli.eval import eval_command
from civicpulse.cli.governance import register as register_governance
from civicpulse.errors import CivicpulseError

app = typer.Typer(
    name="civicpulse",
    help="Public social media for public safety: listen, understand, engage, investigate, share, govern.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("demo")(demo.demo_command)
app.command("ingest")(ingest.ingest_command)
app.add_typer(scenario.app, name="scenario")
app.add_typer(db.app, name="db")
app.command("bench")(bench.bench_command)
app.command("serve")(serve.serve_command)
app.command("eval")(eval_command)
app.command("analyse")(analyse.analyse_command)
register_governance(app)
app.add_typer(rule.app, name="rule")
app.add_typer(area.app, name="area")

err_console = Console(stderr=True)


def main() -> None:
    """Entry point: a user's mistake is one clear line that says the fix, never a traceback.

    Typer's standalone mode reports its own usage errors (unknown option, missing argument) and exit
    codes; our errors pass through it and are printed here with their fix.
    """
    try:
        app()
    except CivicpulseError as error:
        err_console.print(f"[bold red]error:[/] {escape(error.message)}", highlight=False)
        if error.fix:
            err_console.print(f"[bold]fix:[/] {escape(error.fix)}", highlight=False)
        sys.exit(2)
