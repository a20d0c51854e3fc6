"""``civicpulse reveal`` (who is behind a pseudonym), ``export`` and ``search`` (an operation's posts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from civicpulse.cli.common import ConfigOption, console, escape
from civicpulse.cli.govern import open_governance, signed_in
from civicpulse.governance.redaction import redactor_for
from civicpulse.governance.reveal import export_posts, reveal_identity
from civicpulse.governance.search import search

OperationOption = typer.Option(..., "--operation", help="The operation this is for (see 'operation list').")


def reveal_command(
    pseudonym: str = typer.Argument(..., help="The author's pseudonym (ps:…)."),
    operation: str = OperationOption,
    reason: str = typer.Option(..., "--reason", help="Why, in words a court would accept (logged)."),
    config: Path | None = ConfigOption,
) -> None:
    """Show the clear account behind a pseudonym (investigators; audit-logged with the reason)."""
    gov = open_governance(config)
    found = reveal_identity(gov, signed_in(gov), operation, pseudonym, reason)
    console.print(f"{escape(found.pseudonym)} is {escape(found.platform)} account {escape(found.account_id)} "
                  f"handle {escape(found.handle or '—')} name {escape(found.display_name or '—')}")


def export_command(
    operation: str = OperationOption,
    reveal_reason: str | None = typer.Option(None, "--reveal-reason",
                                             help="Include clear handles (investigators; logged per author)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write; default: standard output."),
    config: Path | None = ConfigOption,
) -> None:
    """Export an operation's posts as JSON Lines, pseudonymised unless a reveal is authorised.

    Pseudonymised exports also hide the people a post names: mentions become pseudonyms, personal
    data becomes [EMAIL], [PHONE], ..., and links (which hold handles) are left out."""
    gov = open_governance(config)
    records = export_posts(gov, signed_in(gov), operation, reveal_reason)
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if output is None:
        sys.stdout.write(body)
    else:
        output.write_text(body, encoding="utf-8")
        console.print(f"wrote {len(records):,} posts to {escape(str(output))}")


def search_command(
    query: str = typer.Argument(..., help="Words to find (all of them)."),
    operation: str = OperationOption,
    limit: int = typer.Option(50, "--limit", min=1, max=1000, help="Most posts to show."),
    config: Path | None = ConfigOption,
) -> None:
    """Full-text search over an operation's posts (audit-logged; special-category terms need approval)."""
    gov = open_governance(config)
    found = search(gov, signed_in(gov), operation, query, limit)
    redactor = redactor_for(gov.data_dir)
    for post in found:
        console.print(f"{post.created_at:%Y-%m-%d %H:%M} {escape(post.author.id)}  "
                      f"{escape(redactor.post_text(post)[:280])}", highlight=False)
    console.print(f"{len(found)} post(s)")
