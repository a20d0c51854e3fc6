from __future__ import annotations

import pytest
from sqlalchemy import select

from civicpulse.errors import AccessDenied, UsageError
from civicpulse.governance.accounts import add_user, disable_user, list_users, set_role
from civicpulse.governance.context import Actor, Governance
from civicpulse.store.schema import users

from .conftest import ADMIN

PASSWORD = "correct horse battery"


def test_the_first_user_must_be_an_administrator_and_then_bootstrap_closes(gov: Governance) -> None:
    with pytest.raises(AccessDenied, match="must be an administrator"):
        add_user(gov, None, "ana", "analyst", PASSWORD)
    add_user(gov, None, "root", "administrator", PASSWORD)
    with pytest.raises(AccessDenied, match="users already exist"):
        add_user(gov, None, "mallory", "administrator", PASSWORD)


def test_passwords_are_stored_as_argon2id(gov: Governance) -> None:
    add_user(gov, None, "root", "administrator", PASSWORD)
    with gov.engine.connect() as connection:
        stored = connection.execute(select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_only_an_administrator_manages_users(gov: Governance) -> None:
    add_user(gov, None, "root", "administrator", PASSWORD)
    add_user(gov, ADMIN, "ana", "analyst", PASSWORD)
    with pytest.raises(AccessDenied, match="may not manage users"):
        add_user(gov, Actor("ana", "analyst"), "eve", "administrator", PASSWORD)
    with pytest.raises(AccessDenied):
        set_role(gov, Actor("ana", "analyst"), "ana", "administrator")
    set_role(gov, ADMIN, "ana", "investigator")
    disable_user(gov, ADMIN, "ana")
    listed = {u.username: u for u in list_users(gov, ADMIN)}
    assert listed["ana"].role.value == "investigator"
    assert listed["ana"].disabled


@pytest.mark.parametrize(("name", "role", "password", "match"), [
    ("ana", "analyst", "short", "shorter than"),
    ("ana", "wizard", PASSWORD, "unknown role"),
    ("a b;", "analyst", PASSWORD, "invalid username"),
])
def test_bad_input_says_the_fix(gov: Governance, name: str, role: str, password: str, match: str) -> None:
    add_user(gov, None, "root", "administrator", PASSWORD)
    with pytest.raises(UsageError, match=match) as caught:
        add_user(gov, ADMIN, name, role, password)
    assert caught.value.fix


def test_the_demo_creates_its_user_once_and_never_changes_it(gov: Governance) -> None:
    from civicpulse.governance.accounts import check_password, ensure_user
    from civicpulse.governance.audit import entries

    password = ensure_user(gov, "system:demo", "demo", "analyst")
    assert password is not None
    assert len(password) >= 20
    assert ensure_user(gov, "system:demo", "demo", "analyst") is None  # reused, password unchanged
    with gov.engine.connect() as connection:
        user = check_password(connection, "demo", password)
    assert user is not None
    assert user.role.value == "analyst"
    added = [e for e in entries(gov.engine) if e.event == "user_added"]
    assert [(e.actor, e.details["username"]) for e in added] == [("system:demo", "demo")]
