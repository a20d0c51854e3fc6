"""Adds the governance commands to the ``civicpulse`` app (one line in ``main.py``)."""

from __future__ import annotations

import typer

from civicpulse.cli import audit, keys, operation, retention, reveal, special, transparency, users

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    app.add_typer(users.app, name="user")
    app.command("login")(users.login_command)
    app.command("logout")(users.logout_command)
    app.add_typer(operation.app, name="operation")
    app.add_typer(audit.app, name="audit")
    app.add_typer(retention.app, name="retention")
    app.command("reveal")(reveal.reveal_command)
    app.command("export")(reveal.export_command)
    app.command("search")(reveal.search_command)
    app.add_typer(special.app, name="special")
    app.command("transparency")(transparency.transparency_command)
    app.command("dpia")(transparency.dpia_command)
    app.add_typer(keys.app, name="keys")
