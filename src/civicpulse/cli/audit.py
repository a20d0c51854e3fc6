"""``civicpulse audit``: verify the tamper-evident log, sign a checkpoint, export a period."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from civicpulse.cli.common import ConfigOption, console, escape
from civicpulse.cli.govern import open_governance, parse_when, signed_in
from civicpulse.governance import audit
from civicpulse.governance.access import authorise
from civicpulse.governance.events import AuditExported
from civicpulse.governance.keys import audit_public_key
from civicpulse.governance.roles import Action

app = typer.Typer(help="The audit log: verify, checkpoint, export.", no_args_is_help=True)


@app.command("verify")
def verify_command(config: Path | None = ConfigOption) -> None:
    """Check the hash chain and signed checkpoints; exit 1 naming the first bad entry."""
    gov = open_governance(config)
    result = audit.verify(gov.engine, audit_public_key(gov.data_dir))
    if result.ok:
        console.print(f"audit log intact: {result.entries:,} entries, {result.checkpoints} signed checkpoint(s)")
        return
    console.print(f"[bold red]audit log tampered:[/] {escape(result.problem or '')}")
    console.print(f"first bad entry: #{result.first_bad}")
    raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint_command(config: Path | None = ConfigOption) -> None:
    """Sign the current end of the log now (also done every 100 entries by itself)."""
    gov = open_governance(config)
    seq = audit.checkpoint(gov.engine, gov.signer, gov.now())
    console.print("the log is empty" if seq is None else f"signed checkpoint at entry #{seq}")


@app.command("export")
def export_command(
    start: str = typer.Option(..., "--from", help="First day (2026-10-01), UTC."),
    end: str = typer.Option(..., "--to", help="Day after the last (2027-01-01), UTC."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write; default: standard output."),
    config: Path | None = ConfigOption,
) -> None:
    """The log for a period as JSON Lines, for the data-protection officer."""
    gov = open_governance(config)
    actor = signed_in(gov)
    authorise(actor, Action.READ_AUDIT)
    since, until = parse_when(start, "--from"), parse_when(end, "--to")
    lines = [json.dumps(entry.to_json(), ensure_ascii=False) for entry in audit.entries(gov.engine, since, until)]
    with gov.transaction() as (connection, now):
        gov.log(connection, AuditExported(start=since.isoformat(), end=until.isoformat(), entries=len(lines)),
                actor.username, now)
    body = "".join(line + "\n" for line in lines)
    if output is None:
        sys.stdout.write(body)
    else:
        output.write_text(body, encoding="utf-8")
        console.print(f"wrote {len(lines):,} entries to {escape(str(output))}")
