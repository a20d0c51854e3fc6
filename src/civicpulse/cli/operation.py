"""``civicpulse operation``: create, approve, list and close operations (purpose binding)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Column, Table

from civicpulse.cli.common import ConfigOption, console, escape
from civicpulse.cli.govern import open_governance, parse_when, signed_in
from civicpulse.governance import operations

app = typer.Typer(help="Operations: every monitor, query and export happens inside one.", no_args_is_help=True)


@app.command("create")
def create_command(
    name: str = typer.Option(..., "--name", help="Short name, e.g. 'Riverside flood'."),
    purpose: str = typer.Option(..., "--purpose", help="Why: what a court or the public will read."),
    legal_basis: str = typer.Option(..., "--legal-basis",
                                    help="One of the configured legal bases (or its start, e.g. 'LED Art. 8')."),
    area: str = typer.Option(..., "--area", help="Where."),
    start: str = typer.Option(..., "--start", help="Start (2026-11-30 or 2026-11-30T18:00, UTC)."),
    end: str = typer.Option(..., "--end", help="End; the operation expires by itself then."),
    retention_days: int = typer.Option(30, "--retention-days", help="Days after the end before deletion."),
    member: list[str] = typer.Option([], "--member", help="Another user working on it (repeatable)."),
    config: Path | None = ConfigOption,
) -> None:
    """Propose an operation; a supervisor other than you must approve it."""
    gov = open_governance(config)
    created = operations.create_operation(
        gov, signed_in(gov), name=name, purpose=purpose, legal_basis=legal_basis, area=area,
        starts_at=parse_when(start, "--start"), ends_at=parse_when(end, "--end"),
        retention_days=retention_days, members=tuple(member))
    console.print(f"created operation [bold]{created.id}[/] ({escape(created.name)}); "
                  f"ask a supervisor to run 'civicpulse operation approve {created.id}'")


@app.command("approve")
def approve_command(operation_id: str, config: Path | None = ConfigOption) -> None:
    """Approve an operation (supervisors; not one you created)."""
    gov = open_governance(config)
    approved = operations.approve_operation(gov, signed_in(gov), operation_id)
    console.print(f"approved {approved.id} ({escape(approved.name)}) until {approved.ends_at:%Y-%m-%d %H:%M} UTC")


@app.command("close")
def close_command(operation_id: str, config: Path | None = ConfigOption) -> None:
    """Close an operation early; its retention period starts now."""
    gov = open_governance(config)
    closed = operations.close_operation(gov, signed_in(gov), operation_id)
    console.print(f"closed {closed.id}; its data will be deleted after {closed.delete_after:%Y-%m-%d} UTC")


@app.command("list")
def list_command(config: Path | None = ConfigOption) -> None:
    """Operations you may see, with their status."""
    gov = open_governance(config)
    now = gov.now()
    table = Table(Column("id", no_wrap=True, min_width=12), "name", "status", "legal basis",
                  Column("ends (UTC)", no_wrap=True), "retention", "approved by")
    for op in operations.list_operations(gov, signed_in(gov)):
        table.add_row(op.id, escape(op.name), op.status(now), escape(op.legal_basis), f"{op.ends_at:%Y-%m-%d %H:%M}",
                      f"{op.retention_days} d", escape(op.approved_by or "—"))
    console.print(table)
