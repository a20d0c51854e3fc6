"""``civicpulse analyse``: enrich posts (or plain text) from standard input, JSON Lines out.

Nothing is stored and nobody is pseudonymised here: it is a filter for trying the analysers on
any text from the shell. Lines that cannot be read are reported on standard error and skipped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import msgspec
import typer

from civicpulse.cli.common import ConfigOption, settings_from
from civicpulse.pipeline.chain import build_analysers
from civicpulse.pipeline.gc_tuning import streaming_gc
from civicpulse.pipeline.runner import apply_analysers
from civicpulse.post import Author, Post, decode_post, encode_jsonl
from civicpulse.text import normalise_text


def _read(stream: BinaryIO, as_text: bool, batch_size: int) -> Iterator[list[Post]]:
    now = datetime.now(UTC)
    batch: list[Post] = []
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            if as_text:
                text = normalise_text(line.decode("utf-8", "replace").rstrip("\r\n"))
                batch.append(Post(id=f"text:{number}", platform="text", created_at=now,
                                  author=Author(id="stdin"), text=text))
            else:
                batch.append(decode_post(line))
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            typer.echo(f"line {number} skipped: {error}", err=True)
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def analyse_command(
    text: bool = typer.Option(False, "--text", help="Read plain text, one post per line, instead of JSONL posts."),
    analyser: list[str] = typer.Option(None, "--analyser", help="Analysers to run, in order (default: the chain)."),
    config: Path | None = ConfigOption,
) -> None:
    """Read posts on standard input, write them enriched by the analysers as JSON Lines."""
    settings = settings_from(config)
    chain = build_analysers(analyser or settings.analysers, settings)
    out = sys.stdout.buffer
    with streaming_gc():  # a stream of posts, as in the pipeline
        for batch in _read(sys.stdin.buffer, text, settings.batch_size):
            enriched, failed = apply_analysers(chain, batch)
            for rejection in failed:
                typer.echo(f"{rejection.location} skipped at {rejection.stage}: {rejection.reason}", err=True)
            out.write(encode_jsonl(enriched))
            out.flush()
