"""Forged, expired, replayed-after-logout tokens and a clock set back are all refused."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicpulse.errors import AccessDenied
from civicpulse.governance.accounts import add_user, disable_user
from civicpulse.governance.context import Governance
from civicpulse.governance.sessions import authenticate, login, logout
from civicpulse.testing import FrozenClock

from .conftest import ADMIN

PASSWORD = "correct horse battery"


@pytest.fixture
def token(gov: Governance) -> str:
    add_user(gov, None, "root", "administrator", PASSWORD)
    add_user(gov, ADMIN, "ana", "analyst", PASSWORD)
    return login(gov, "ana", PASSWORD)


def test_a_valid_token_names_the_user_and_the_role_from_the_database(gov: Governance, token: str) -> None:
    actor = authenticate(gov, token)
    assert (actor.username, actor.role) == ("ana", "analyst")


def test_wrong_passwords_and_unknown_users_get_the_same_answer(gov: Governance, token: str) -> None:
    for name, password in (("ana", "wrong password!"), ("nobody", PASSWORD)):
        with pytest.raises(AccessDenied, match="wrong username or password"):
            login(gov, name, password)


def test_a_forged_token_is_refused(gov: Governance, token: str) -> None:
    version, payload, mac = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["exp"] += 10**6
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(AccessDenied, match="signature is invalid"):
        authenticate(gov, f"{version}.{forged}.{mac}")
    with pytest.raises(AccessDenied, match="malformed"):
        authenticate(gov, "not-a-token")


def test_an_expired_token_is_refused(gov: Governance, token: str, clock: FrozenClock) -> None:
    clock.advance(gov.session_ttl.total_seconds())
    with pytest.raises(AccessDenied, match="expired"):
        authenticate(gov, token)


def test_a_token_replayed_after_logout_is_refused(gov: Governance, token: str) -> None:
    logout(gov, token)
    with pytest.raises(AccessDenied, match="ended by logout"):
        authenticate(gov, token)


def test_a_disabled_account_loses_its_sessions(gov: Governance, token: str) -> None:
    disable_user(gov, ADMIN, "ana")
    with pytest.raises(AccessDenied, match="disabled"):
        authenticate(gov, token)
    with pytest.raises(AccessDenied):
        login(gov, "ana", PASSWORD)


def test_a_clock_set_back_cannot_act(gov: Governance, token: str, clock: FrozenClock) -> None:
    clock.advance(-timedelta(days=1).total_seconds())
    with pytest.raises(AccessDenied, match="time went backwards"):
        login(gov, "ana", PASSWORD)
    with pytest.raises(AccessDenied, match="clock is wrong"):
        authenticate(gov, token)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(max_size=300), st.builds(lambda a, b: f"v1.{a}.{b}", st.text(max_size=80),
                                                  st.text(max_size=80))))
def test_any_hostile_token_is_refused_cleanly(gov: Governance, token: str) -> None:
    with pytest.raises(AccessDenied):
        authenticate(gov, token)


def test_a_session_opened_another_way_works_like_a_password_one(gov: Governance, token: str) -> None:
    from civicpulse.governance.audit import entries
    from civicpulse.governance.sessions import open_session, session_id

    other = open_session(gov, "ana", via="link")
    assert authenticate(gov, other).username == "ana"
    assert session_id(other) != session_id(token)
    assert len(session_id(other)) == 16
    assert [e.details for e in entries(gov.engine) if e.event == "signed_in"][-1] == {"via": "link"}
    logout(gov, other)
    with pytest.raises(AccessDenied):
        authenticate(gov, other)
    disable_user(gov, ADMIN, "ana")
    for name in ("ana", "nobody"):
        with pytest.raises(AccessDenied, match="unknown or disabled"):
            open_session(gov, name, via="link")
