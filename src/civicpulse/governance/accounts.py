"""User accounts: argon2id password hashes, one role each, disabled rather than deleted (the audit
log keeps naming them).

The first administrator can be created while no users exist; after that only an administrator adds
users.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, func, insert, select, update

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.access import authorise
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import RoleChanged, UserAdded, UserDisabled
from civicpulse.governance.roles import Action, Role
from civicpulse.store.schema import users

__all__ = ["MIN_PASSWORD", "User", "add_user", "check_password", "disable_user", "ensure_user", "list_users",
           "set_role"]

MIN_PASSWORD = 12
_hasher = PasswordHasher()  # argon2id with the library's current recommended cost
#: Hashed when the user is unknown, so a wrong name costs as long as a wrong password.
_DUMMY = _hasher.hash("civicpulse-dummy-password")


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    disabled: bool


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise UsageError(f"unknown role {value!r}",
                         fix=f"choose one of: {', '.join(r.value for r in Role)}") from None


def _get(connection: Connection, username: str) -> User | None:
    row = connection.execute(select(users).where(users.c.username == username)).first()
    return None if row is None else User(row.id, row.username, Role(row.role), bool(row.disabled))


def add_user(gov: Governance, actor: Actor | None, username: str, role: str, password: str) -> User:
    """Add a user. ``actor`` may be ``None`` only to create the first administrator."""
    wanted = _role(role)
    if not username or len(username) > 64 or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise UsageError(f"invalid username {username!r}", fix="use 1-64 letters, digits, '-', '_' or '.'")
    if len(password) < MIN_PASSWORD:
        raise UsageError(f"the password is shorter than {MIN_PASSWORD} characters",
                         fix="choose a longer passphrase, e.g. four random words")
    with gov.transaction() as (connection, now):
        existing = connection.execute(select(func.count()).select_from(users)).scalar_one()
        if actor is None:
            if existing:
                raise AccessDenied("users already exist, so adding one needs a signed-in administrator",
                                   fix="run 'civicpulse login' as an administrator first")
            if wanted is not Role.ADMINISTRATOR:
                raise AccessDenied("the first user must be an administrator",
                                   fix="add the first user with --role administrator")
            by = username
        else:
            authorise(actor, Action.MANAGE_USERS)
            by = actor.username
        if _get(connection, username) is not None:
            raise UsageError(f"user {username!r} already exists", fix="choose another name, or use set-role")
        result = connection.execute(insert(users).values(
            username=username, role=wanted.value, password_hash=_hasher.hash(password), disabled=False,
            created_at=now))
        gov.log(connection, UserAdded(username=username, role=wanted.value), by, now)
        key = result.inserted_primary_key
        assert key is not None
        return User(int(key[0]), username, wanted, False)


def ensure_user(gov: Governance, by: str, username: str, role: str) -> str | None:
    """Create ``username`` on behalf of the system actor ``by`` (the demo) unless it exists.

    Returns the generated password when the account was created now, ``None`` when it existed
    (its password is not known, and not changed). A disabled account stays disabled.
    """
    wanted = _role(role)
    with gov.transaction() as (connection, now):
        if _get(connection, username) is not None:
            return None
        password = secrets.token_urlsafe(15)  # 20 characters, 120 bits
        connection.execute(insert(users).values(
            username=username, role=wanted.value, password_hash=_hasher.hash(password), disabled=False,
            created_at=now))
        gov.log(connection, UserAdded(username=username, role=wanted.value), by, now)
    return password


def list_users(gov: Governance, actor: Actor) -> list[User]:
    authorise(actor, Action.MANAGE_USERS)
    with gov.engine.connect() as connection:
        rows = connection.execute(select(users).order_by(users.c.username)).all()
    return [User(r.id, r.username, Role(r.role), bool(r.disabled)) for r in rows]


def disable_user(gov: Governance, actor: Actor, username: str) -> None:
    authorise(actor, Action.MANAGE_USERS)
    with gov.transaction() as (connection, now):
        if _get(connection, username) is None:
            raise UsageError(f"no user {username!r}", fix="see 'civicpulse user list'")
        connection.execute(update(users).where(users.c.username == username).values(disabled=True))
        gov.log(connection, UserDisabled(username=username), actor.username, now)


def set_role(gov: Governance, actor: Actor, username: str, role: str) -> None:
    authorise(actor, Action.MANAGE_USERS)
    wanted = _role(role)
    with gov.transaction() as (connection, now):
        user = _get(connection, username)
        if user is None:
            raise UsageError(f"no user {username!r}", fix="see 'civicpulse user list'")
        if user.username == actor.username and wanted is not Role.ADMINISTRATOR:
            raise UsageError("an administrator cannot remove their own administrator role",
                             fix="ask another administrator to change it")
        connection.execute(update(users).where(users.c.username == username).values(role=wanted.value))
        gov.log(connection, RoleChanged(username=username, old_role=user.role.value, new_role=wanted.value),
                actor.username, now)


def check_password(connection: Connection, username: str, password: str) -> User | None:
    """The user if the password is right and the account enabled; ``None`` otherwise (no hint which)."""
    row = connection.execute(select(users).where(users.c.username == username)).first()
    try:
        _hasher.verify(row.password_hash if row is not None else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    return User(row.id, row.username, Role(row.role), False)
