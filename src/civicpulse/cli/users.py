"""``civicpulse user`` (accounts), ``civicpulse login`` and ``civicpulse logout``."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy import func, select

from civicpulse.cli.common import ConfigOption, console, escape
from civicpulse.cli.govern import (
    PasswordStdinOption,
    forget_token,
    open_governance,
    read_password,
    save_token,
    signed_in,
)
from civicpulse.errors import AccessDenied
from civicpulse.governance import accounts
from civicpulse.governance.sessions import login, logout
from civicpulse.store.schema import users

app = typer.Typer(help="User accounts: add, list, disable, set-role.", no_args_is_help=True)


@app.command("add")
def add_command(
    username: str = typer.Argument(..., help="Login name."),
    role: str = typer.Option(..., "--role", help="analyst, supervisor, communications, investigator, dpo, "
                                                 "administrator."),
    password_stdin: bool = PasswordStdinOption,
    config: Path | None = ConfigOption,
) -> None:
    """Add a user. With no users yet, this creates the first administrator (no sign-in needed)."""
    gov = open_governance(config)
    with gov.engine.connect() as connection:
        first = connection.execute(select(func.count()).select_from(users)).scalar_one() == 0
    actor = None if first else signed_in(gov)
    user = accounts.add_user(gov, actor, username, role, read_password(password_stdin, confirm=True))
    console.print(f"added {escape(user.username)} ({user.role.value})")


@app.command("list")
def list_command(config: Path | None = ConfigOption) -> None:
    """List users and their roles."""
    gov = open_governance(config)
    table = Table("user", "role", "status")
    for user in accounts.list_users(gov, signed_in(gov)):
        table.add_row(escape(user.username), user.role.value, "disabled" if user.disabled else "active")
    console.print(table)


@app.command("disable")
def disable_command(username: str, config: Path | None = ConfigOption) -> None:
    """Disable a user (their sessions stop working at once; the audit log keeps their name)."""
    gov = open_governance(config)
    accounts.disable_user(gov, signed_in(gov), username)
    console.print(f"disabled {escape(username)}")


@app.command("set-role")
def set_role_command(username: str, role: str, config: Path | None = ConfigOption) -> None:
    """Change a user's role."""
    gov = open_governance(config)
    accounts.set_role(gov, signed_in(gov), username, role)
    console.print(f"{escape(username)} is now {escape(role)}")


def login_command(
    username: str = typer.Argument(..., help="Your login name."),
    password_stdin: bool = PasswordStdinOption,
    config: Path | None = ConfigOption,
) -> None:
    """Sign in; the session token is kept in the data folder (mode 0600) until logout or expiry."""
    gov = open_governance(config)
    token = login(gov, username, read_password(password_stdin))
    previous = forget_token(gov)
    if previous is not None:
        # One session per CLI user: signing in as someone else ends the old session for good.
        with contextlib.suppress(AccessDenied):
            logout(gov, previous)
    save_token(gov, token)
    console.print(f"signed in as {escape(username)} for {gov.session_ttl}")


def logout_command(config: Path | None = ConfigOption) -> None:
    """End the session: the token is revoked, so even a copy of it no longer works."""
    gov = open_governance(config)
    token = forget_token(gov)
    if token is None:
        console.print("nobody was signed in")
        return
    logout(gov, token)
    console.print("signed out")
