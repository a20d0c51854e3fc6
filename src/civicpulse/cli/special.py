"""``civicpulse special``: check terms against the special-category lexicons; approve one."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from civicpulse.cli.common import ConfigOption, console, escape
from civicpulse.cli.govern import open_governance, signed_in
from civicpulse.governance.special import approve, check_terms

app = typer.Typer(help="Special categories (GDPR Art. 9, LED Art. 10, protest): check and approve.",
                  no_args_is_help=True)


@app.command("check")
def check_command(terms: list[str] = typer.Argument(..., help="Watch terms, a query, a place name…")) -> None:
    """Say which terms target a special category (exit 1 if any does)."""
    findings = check_terms(terms)
    if not findings:
        console.print("no special category targeted")
        return
    table = Table("term", "category", "matched", "language", "law")
    for f in findings:
        table.add_row(escape(f.term), f.category, escape(f.matched), f.language, escape(f.law))
    console.print(table)
    raise typer.Exit(1)


@app.command("approve")
def approve_command(
    operation: str = typer.Option(..., "--operation", help="The operation it is approved for."),
    kind: str = typer.Option("term", "--kind", help="term, rule, search or geofence."),
    subject: str = typer.Option(..., "--subject", help="The term, rule text, query or place name."),
    justification: str = typer.Option(..., "--justification", help="Why it is strictly necessary (logged)."),
    config: Path | None = ConfigOption,
) -> None:
    """Approve a special-category term for one operation (supervisors; counted in the transparency report)."""
    gov = open_governance(config)
    findings = approve(gov, signed_in(gov), operation, kind, subject, justification)
    console.print(f"approved {escape(kind)} {escape(subject)!r} in {escape(operation)} "
                  f"({', '.join(sorted({f.category for f in findings}))})")
