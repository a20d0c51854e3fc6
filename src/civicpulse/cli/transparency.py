"""``civicpulse transparency`` (public aggregates) and ``civicpulse dpia`` (impact-assessment draft)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from civicpulse.cli.common import ConfigOption, console, escape, settings_from
from civicpulse.cli.govern import signed_in
from civicpulse.errors import UsageError
from civicpulse.governance.context import Governance
from civicpulse.governance.dpia import draft_dpia
from civicpulse.governance.transparency import FORMATS, build_report, render
from civicpulse.pipeline.factory import open_database


def _write(body: bytes, output: Path | None, what: str) -> None:
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    else:
        output.write_bytes(body)
        console.print(f"wrote the {what} to {escape(str(output))}")


def transparency_command(
    period: str = typer.Option(..., "--period", help="2026-Q4, 2026-11 or 2026."),
    fmt: str = typer.Option("html", "--format", help="html, json or pdf."),
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write; default: standard output."),
    config: Path | None = ConfigOption,
) -> None:
    """Publish the transparency report for a period: aggregates only, no personal data."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", fix=f"choose one of: {', '.join(FORMATS)}")
    if fmt == "pdf" and output is None and sys.stdout.isatty():
        raise UsageError("a PDF would be written to the terminal", fix="add --output report.pdf")
    from civicpulse.evaluation.bias import public_summary

    settings = settings_from(config)
    gov = Governance.from_settings(open_database(settings), settings)
    report = build_report(gov, signed_in(gov), period, lambda: public_summary(settings.analyser_profile))
    _write(render(report, fmt), output, "transparency report")


def dpia_command(
    output: Path | None = typer.Option(None, "--output", "-o", help="File to write; default: standard output."),
    config: Path | None = ConfigOption,
) -> None:
    """Draft a data-protection impact assessment (Markdown) from the live configuration."""
    settings = settings_from(config)
    gov = Governance.from_settings(open_database(settings), settings)
    _write(draft_dpia(gov, signed_in(gov), settings).encode(), output, "DPIA draft")
