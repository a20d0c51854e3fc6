"""Who may see the dashboard: sign-in, refusals, CSRF, brute-force backoff and the audit trail."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from civicpulse.governance.audit import entries
from civicpulse.governance.operations import close_operation
from civicpulse.governance.sessions import logout
from civicpulse.store.schema import audit_log
from civicpulse.web.app import create_app
from civicpulse.web.auth import SESSION_COOKIE
from tests.web.conftest import PASSWORD, SUE, Site, form_token, second_operation, sign_in

DATA = ("/api/summary", "/api/posts/latest", "/api/events", "/api/alerts/latest", "/api/alerts/stream")


def client_for(site: Site, **options: object) -> TestClient:
    return TestClient(create_app(site.gov, **options))  # type: ignore[arg-type]


def events_named(site: Site, name: str) -> list[tuple[str, str | None, dict[str, object]]]:
    return [(e.actor, e.operation_id, e.details) for e in entries(site.engine) if e.event == name]


def test_without_a_session_the_api_says_401_and_the_page_sends_to_sign_in(site: Site) -> None:
    client = client_for(site)
    for path in DATA:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json() == {"error": "you are not signed in", "fix": "sign in at /login"}
    page = client.get("/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")
    assert "Sign in" in client.get("/").text


def test_a_forged_session_cookie_is_refused_and_cleared(site: Site) -> None:
    client = sign_in(client_for(site), "ana")
    token = client.cookies[SESSION_COOKIE]
    version, payload, mac = token.split(".")
    # Cleared first: a second cookie of the same name beside the real one would test the jar, not us.
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, f"{version}.{payload}.{mac[::-1]}")
    response = client.get("/api/summary")
    assert response.status_code == 401
    assert "signature is invalid" in response.json()["error"]
    assert SESSION_COOKIE in response.headers["set-cookie"]  # deleted
    client.cookies.clear()
    client.cookies.set(SESSION_COOKIE, "x" * 5000)
    assert client.get("/api/posts/latest").status_code == 401


def test_an_expired_session_is_refused(site: Site) -> None:
    client = sign_in(client_for(site), "ana")
    assert client.get("/api/summary").status_code == 200
    site.clock.offset = site.gov.session_ttl + timedelta(minutes=1)
    response = client.get("/api/summary")
    assert response.status_code == 401
    assert "expired" in response.json()["error"]
    assert client.get("/", follow_redirects=False).status_code == 303


def test_sign_out_ends_the_session_even_for_a_copied_cookie(site: Site) -> None:
    client = sign_in(client_for(site), "ana")
    token = client.cookies[SESSION_COOKIE]
    csrf = form_token(client.get("/").text)
    response = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login")
    copied = client_for(site)
    copied.cookies.set(SESSION_COOKIE, token)
    assert "ended by logout" in copied.get("/api/summary").json()["error"]


@pytest.mark.parametrize(("user", "reason"), [("dora", "a dpo may not read posts"),
                                              ("root", "an administrator may not read posts")])
def test_a_role_without_read_posts_gets_403_with_the_reason(site: Site, user: str, reason: str) -> None:
    client = sign_in(client_for(site), user)
    for path in DATA:
        response = client.get(path)
        assert response.status_code == 403, path
        assert reason in response.json()["error"] or "may not monitor" in response.json()["error"]
        assert response.json()["fix"]
    page = client.get("/")
    assert page.status_code == 403
    assert reason in page.text
    assert 'action="/logout"' in page.text


def test_no_active_operation_gets_403_with_the_fix(site: Site) -> None:
    nick = sign_in(client_for(site), "nick")  # an analyst on no operation
    response = nick.get("/api/posts/latest")
    assert response.status_code == 403
    assert "not a member of any active operation" in response.json()["error"]
    assert "supervisor to approve" in response.json()["fix"]
    ana = sign_in(client_for(site), "ana")
    assert ana.get("/api/summary").status_code == 200
    close_operation(site.gov, SUE, site.operation)
    assert ana.get("/api/summary").status_code == 403


def test_switching_operation_shows_only_that_operation_s_data(site: Site) -> None:
    second_operation(site)
    ana = sign_in(client_for(site), "ana")
    assert ana.get("/api/summary").json()["posts"] == 0  # the newest operation first; nothing collected in it
    page = ana.get("/").text
    assert "Bridge closure" in page
    assert "Riverside flood" in page  # offered in the switch
    switched = ana.post("/operation", data={"operation": site.operation, "csrf": form_token(page)},
                        follow_redirects=False)
    assert switched.status_code == 303
    assert ana.get("/api/summary").json()["posts"] == 2
    # Someone else's operation cannot be chosen, and the attempt is in the audit log.
    nick = sign_in(client_for(site), "nick")
    refused = nick.post("/operation", data={"operation": site.operation,
                                            "csrf": form_token(ana.get("/").text)}, follow_redirects=False)
    assert refused.status_code == 403
    nick_page = nick.get("/")  # refused page carries nick's own form token
    refused = nick.post("/operation", data={"operation": site.operation, "csrf": form_token(nick_page.text)})
    assert refused.status_code == 403
    assert any(actor == "nick" and op == site.operation for actor, op, _ in events_named(site, "access_refused"))


def test_sign_in_forms_need_their_csrf_token(site: Site) -> None:
    client = client_for(site)
    client.get("/login")
    missing = client.post("/login", data={"username": "ana", "password": PASSWORD})
    assert missing.status_code == 403
    assert "expired or was sent from another site" in missing.text
    other = client_for(site)
    foreign_token = form_token(other.get("/login").text)  # bound to the other browser's cookie
    assert client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": foreign_token}
                       ).status_code == 403
    token = form_token(client.get("/login").text)
    cross_site = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": token},
                             headers={"Origin": "https://evil.example"})
    assert cross_site.status_code == 403
    assert SESSION_COOKIE not in client.cookies
    signed = sign_in(client, "ana")
    assert signed.post("/logout", data={"csrf": "0" * 64}).status_code == 403
    assert signed.get("/api/summary").status_code == 200  # still signed in
    assert client.post("/login", content=b"x" * 10_000,
                       headers={"content-type": "application/x-www-form-urlencoded"}).status_code == 400


def test_session_cookie_is_httponly_strict_and_secure_over_https(site: Site) -> None:
    client = client_for(site)
    token = form_token(client.get("/login").text)
    response = client.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": token},
                           follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "secure" not in cookie.replace("civicpulse_session", "")  # plain http (the demo on localhost)
    https = TestClient(create_app(site.gov), base_url="https://dash.example")
    token = form_token(https.get("/login").text)
    response = https.post("/login", data={"username": "ana", "password": PASSWORD, "csrf": token},
                          follow_redirects=False)
    session = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))
    assert "secure" in session.lower()
    assert response.headers["strict-transport-security"]


def _attempt(client: TestClient, username: str, password: str) -> tuple[int, str]:
    token = form_token(client.get("/login").text)
    response = client.post("/login", data={"username": username, "password": password, "csrf": token},
                           follow_redirects=False)
    error = response.text.split('role="alert">', 1)[1].split("<", 1)[0] if response.status_code != 303 else ""
    return response.status_code, error


def test_wrong_password_and_unknown_user_read_the_same(site: Site) -> None:
    client = client_for(site)
    assert _attempt(client, "ana", "wrong password!") == _attempt(client, "nobody-here", "wrong password!")
    assert _attempt(client, "ana", "wrong password!")[0] == 401


def test_repeated_failures_back_off_per_account_whether_or_not_it_exists(site: Site) -> None:
    client = client_for(site)
    for name in ("ana", "ghost"):
        for _ in range(5):
            assert _attempt(client, name, "guess guess guess")[0] == 401
        status, error = _attempt(client, name, "guess guess guess")
        assert status == 401  # the sixth failure starts the wait
        status, error = _attempt(client, name, PASSWORD)
        assert status == 429  # even the right password waits
        assert error == "Too many failed sign-ins. Wait 1 seconds, then try again."
    site.clock.offset += timedelta(seconds=2)
    assert _attempt(client_for(site), "ana", PASSWORD)[0] == 303
    assert _attempt(client, "ghost", "guess guess guess")[0] == 401
    status, _ = _attempt(client, "ghost", "guess guess guess")
    assert status == 429  # waits double: 2 s now
    site.clock.offset += timedelta(seconds=1)
    assert _attempt(client, "ghost", "guess guess guess")[0] == 429


def test_repeated_failures_back_off_per_address_across_account_names(site: Site) -> None:
    client = client_for(site)
    for n in range(21):
        assert _attempt(client, f"name-{n}", "guess guess guess")[0] == 401
    response = client.post("/login", data={"username": "sue", "password": PASSWORD,
                                           "csrf": form_token(client.get("/login").text)})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1


def test_reads_are_audited_once_per_session_endpoint_and_interval(site: Site) -> None:
    client = sign_in(client_for(site, tick_s=0.01, max_stream_s=0.05), "ana")
    for _ in range(3):
        assert client.get("/api/summary").status_code == 200
    with client.stream("GET", "/api/events") as response:
        assert sum("event: update" in chunk for chunk in response.iter_text()) >= 1
    viewed = events_named(site, "data_viewed")
    assert sorted(d["endpoint"] for _, _, d in viewed) == ["/api/events", "/api/summary"]
    assert {(actor, op) for actor, op, _ in viewed} == {("ana", site.operation)}
    assert viewed[0][2]["every_minutes"] == 10
    site.clock.offset += timedelta(minutes=11)
    client.get("/api/summary")
    assert len(events_named(site, "data_viewed")) == 3
    other_session = sign_in(client_for(site), "ana")
    other_session.get("/api/summary")
    assert len(events_named(site, "data_viewed")) == 4
    with site.engine.connect() as connection:  # nothing else grew: no entry per request
        assert connection.execute(select(audit_log.c.event).where(audit_log.c.event == "posts_read")).first() is None


def test_refusals_are_audited_once_per_session_endpoint_and_interval(site: Site) -> None:
    dora = sign_in(client_for(site), "dora")
    for _ in range(5):
        assert dora.get("/api/summary").status_code == 403
    refused = [e for e in events_named(site, "access_refused") if e[0] == "dora"]
    assert len(refused) == 1
    assert refused[0][1] == site.operation
    assert "may not read posts" in str(refused[0][2]["reason"])


def test_a_single_use_link_signs_in_once(site: Site) -> None:
    app = create_app(site.gov)
    link = app.state.auth.links.issue("ana", site.gov.now())
    client = TestClient(app)
    response = client.get(f"/login/link?token={link}", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert client.get("/api/summary").status_code == 200
    again = TestClient(app).get(f"/login/link?token={link}")
    assert again.status_code == 401
    assert "already used or has expired" in again.text
    late = app.state.auth.links.issue("ana", site.gov.now())
    site.clock.offset += timedelta(minutes=11)
    assert TestClient(app).get(f"/login/link?token={late}").status_code == 401
    assert any(d == {"via": "link"} for _, _, d in events_named(site, "signed_in"))


def test_a_live_stream_stops_when_the_session_ends(site: Site) -> None:
    client = sign_in(client_for(site, tick_s=0.01, max_stream_s=60, recheck_s=0.0), "ana")
    token = client.cookies[SESSION_COOKIE]
    started = time.monotonic()
    with client.stream("GET", "/api/events") as response:
        chunks = response.iter_text()
        assert "retry" in next(chunks)
        logout(site.gov, token)
        rest = list(chunks)
    assert time.monotonic() - started < 30  # ended by the re-check, not by max_stream_s
    assert len(rest) < 1000
