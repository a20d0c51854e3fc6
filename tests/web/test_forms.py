"""Hostile input at the doors: posted forms and session cookies are attacker-controlled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicpulse.governance.context import Governance
from civicpulse.governance.roles import Action
from civicpulse.store.database import connect, upgrade
from civicpulse.web.auth import MAX_FORM_BYTES, SESSION_COOKIE, SignInRequired, WebAuth, parse_form

FORM = "application/x-www-form-urlencoded"


@given(st.binary(max_size=MAX_FORM_BYTES + 10), st.sampled_from([FORM, f"{FORM}; charset=utf-8", "text/plain", ""]))
def test_any_posted_body_parses_to_a_small_form_or_none(body: bytes, content_type: str) -> None:
    form = parse_form(body, content_type)
    if form is not None:
        assert content_type.startswith(FORM)
        assert len(form) <= 10
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in form.items())


def test_forms_parse_as_expected() -> None:
    assert parse_form(b"username=ana&password=a%26b&csrf=", FORM) == {"username": "ana", "password": "a&b", "csrf": ""}
    assert parse_form(b"a=1&" * 20, FORM) is None  # too many fields
    assert parse_form(b"x=" + b"y" * MAX_FORM_BYTES, FORM) is None


@pytest.fixture(scope="module")
def auth(tmp_path_factory: pytest.TempPathFactory) -> WebAuth:
    folder: Path = tmp_path_factory.mktemp("forms")
    engine = connect(f"sqlite:///{folder / 'db.sqlite'}")
    upgrade(engine)
    return WebAuth(Governance(engine, folder / "data"), timedelta(minutes=10))


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=2000) | st.from_regex(r"v1\.[A-Za-z0-9_=-]{0,200}\.[A-Za-z0-9_=-]{0,60}", fullmatch=True))
def test_any_session_cookie_is_refused_as_not_signed_in(auth: WebAuth, cookie: str) -> None:
    with pytest.raises(SignInRequired):
        auth.viewer({SESSION_COOKIE: cookie}, "/api/summary", Action.READ_POSTS)
