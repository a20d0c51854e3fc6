"""What the governance commands share: the governance context, the signed-in user, passwords."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import typer
from sqlalchemy import Engine, func, select

from civicpulse.cli.common import settings_from
from civicpulse.config import Settings
from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.keys import write_private
from civicpulse.governance.operations import bind_ingest, end_ingest
from civicpulse.governance.sessions import authenticate
from civicpulse.pipeline.factory import open_database
from civicpulse.store.schema import users

__all__ = ["PasswordStdinOption", "bind_ingest_cli", "forget_token", "open_governance", "parse_when", "read_password",
           "save_token", "signed_in", "token_path"]

PasswordStdinOption = typer.Option(False, "--password-stdin",
                                   help="Read the password from the first line of standard input.")


def open_governance(config: Path | None) -> Governance:
    settings = settings_from(config)
    return Governance.from_settings(open_database(settings), settings)


def token_path(gov: Governance) -> Path:
    return gov.data_dir / "session.token"


def save_token(gov: Governance, token: str) -> None:
    path = token_path(gov)
    path.unlink(missing_ok=True)
    write_private(path, token.encode())


def forget_token(gov: Governance) -> str | None:
    path = token_path(gov)
    if not path.exists():
        return None
    token = path.read_text()
    path.unlink()
    return token


def signed_in(gov: Governance) -> Actor:
    path = token_path(gov)
    if not path.exists():
        raise AccessDenied("nobody is signed in", fix="run 'civicpulse login USERNAME' first")
    if path.stat().st_mode & 0o077:
        raise AccessDenied(f"{path} is readable by other users, so the session may be stolen",
                           fix="run 'civicpulse login' again (the token file is recreated with mode 0600)")
    return authenticate(gov, path.read_text())


def read_password(from_stdin: bool, confirm: bool = False) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty() and not os.environ.get("CIVICPULSE_ALLOW_PROMPT"):
        raise UsageError("no terminal to ask for the password", fix="pass it with --password-stdin")
    return str(typer.prompt("password", hide_input=True, confirmation_prompt=confirm))


def parse_when(value: str, option: str) -> datetime:
    """A date (``2026-11-30``) or an ISO time (``2026-11-30T18:00``, UTC unless it says otherwise)."""
    try:
        parsed = datetime.fromisoformat(value) if "T" in value or " " in value else \
            datetime.combine(date.fromisoformat(value), datetime.min.time())
    except ValueError:
        raise UsageError(f"{option} {value!r} is not a date or time",
                         fix=f"write {option} as 2026-11-30 or 2026-11-30T18:00") from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def bind_ingest_cli(settings: Settings, engine: Engine, operation_id: str | None,
                    cursor_name: str) -> Callable[[], None]:
    """Bind a CLI ingest to its operation; returns what to call when the run ends.

    A deployment without accounts runs ungoverned (the quick start, the tests); from the first
    account on, every ingest must name an operation the signed-in user may monitor in.
    """
    gov = Governance.from_settings(engine, settings)
    with engine.connect() as connection:
        governed = connection.execute(select(func.count()).select_from(users)).scalar_one() > 0
    if operation_id is None:
        if governed:
            raise AccessDenied("monitoring must happen inside an operation with a purpose and a legal basis",
                               fix="add --operation ID (see 'civicpulse operation list')")
        return lambda: None
    binding = bind_ingest(gov, signed_in(gov), operation_id, cursor_name)
    return lambda: end_ingest(gov, binding)
