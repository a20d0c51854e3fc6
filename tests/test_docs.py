"""Docs that fail the build when stale: every command is in the README, every doc link resolves."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from civicpulse.cli.main import app

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()


def test_every_command_is_in_the_readme() -> None:
    group = typer.main.get_group(app)
    for name, command in group.commands.items():
        subcommands = getattr(command, "commands", None)
        if subcommands:
            assert any(f"civicpulse {name} {sub}" in README or sub in README for sub in subcommands), name
        assert f"civicpulse {name}" in README, name


def test_readme_quick_start_has_exactly_two_commands() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick_start, re.S)
    assert block is not None
    assert len([line for line in block.group(1).splitlines() if line.strip()]) == 2


def test_doc_links_resolve() -> None:
    for target in re.findall(r"\]\(((?:docs|src)/[^)#]*)\)", README):
        assert (ROOT / target).exists(), target
