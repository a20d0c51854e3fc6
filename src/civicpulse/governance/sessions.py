"""Sessions: signed, expiring, revocable tokens.

A token is ``v1.<payload>.<mac>``: the payload (user id, random nonce, expiry) in base64url and an
HMAC-SHA256 over it with the deployment's ``session.key``. A token is accepted only if the MAC is
right (not forged), it has not expired by the governance clock, its nonce is a live session in the
database (so logout revokes it and a copy replayed afterwards is refused) and the account is
enabled. The role comes from the database at each use, never from the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select, update

from civicpulse.errors import AccessDenied
from civicpulse.governance.accounts import check_password
from civicpulse.governance.clock import as_utc
from civicpulse.governance.context import Actor, Governance
from civicpulse.governance.events import SignedIn, SignedOut, SignInFailed
from civicpulse.governance.keys import read_or_create_secret
from civicpulse.store.schema import sessions, users

__all__ = ["authenticate", "login", "logout", "open_session", "session_id"]

_LOGIN_FIX = "run 'civicpulse login' to sign in again"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def _mac(gov: Governance, payload: str) -> str:
    key = read_or_create_secret(gov.data_dir, "session.key")
    return _b64(hmac.new(key, f"v1.{payload}".encode(), hashlib.sha256).digest())


def _issue(gov: Governance, connection: Connection, user_id: int, now: datetime) -> str:
    nonce = secrets.token_hex(16)
    expires = now + gov.session_ttl
    connection.execute(insert(sessions).values(nonce=nonce, user_id=user_id, issued_at=now, expires_at=expires,
                                               revoked_at=None))
    payload = _b64(json.dumps({"u": user_id, "n": nonce, "exp": int(expires.timestamp())}).encode())
    return f"v1.{payload}.{_mac(gov, payload)}"


def login(gov: Governance, username: str, password: str) -> str:
    """A new session token, or :class:`AccessDenied` (the same message whatever was wrong)."""
    token = None
    with gov.transaction() as (connection, now):
        user = check_password(connection, username, password)
        if user is not None:
            token = _issue(gov, connection, user.id, now)
            gov.log(connection, SignedIn(), user.username, now)
    if token is None:
        gov.log_alone(SignInFailed(username=username[:64]), "anonymous")
        raise AccessDenied("wrong username or password, or the account is disabled",
                           fix="check both, or ask an administrator")
    return token


def open_session(gov: Governance, username: str, via: str) -> str:
    """A session for a user the caller has already authenticated another way (``via``, e.g. a
    single-use sign-in link); refused like a wrong password when the account is unknown or disabled."""
    token = None
    with gov.transaction() as (connection, now):
        row = connection.execute(select(users.c.id, users.c.disabled).where(users.c.username == username)).first()
        if row is not None and not row.disabled:
            token = _issue(gov, connection, int(row.id), now)
            gov.log(connection, SignedIn(via=via), username, now)
    if token is None:
        gov.log_alone(SignInFailed(username=username[:64]), "anonymous")
        raise AccessDenied("the account is unknown or disabled", fix="ask an administrator")
    return token


def session_id(token: str) -> str:
    """A short, stable name for a session that reveals nothing of its token (for audit entries)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def _nonce(gov: Governance, token: str) -> tuple[int, str, int]:
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[0] != "v1" or not token.isascii():
        raise AccessDenied("the session token is malformed", fix=_LOGIN_FIX)
    if not hmac.compare_digest(_mac(gov, parts[1]), parts[2]):
        raise AccessDenied("the session token's signature is invalid (forged or from another deployment)",
                           fix=_LOGIN_FIX)
    try:
        claims = json.loads(_unb64(parts[1]))
        return int(claims["u"]), str(claims["n"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise AccessDenied("the session token is malformed", fix=_LOGIN_FIX) from None


def authenticate(gov: Governance, token: str) -> Actor:
    """The actor behind a valid token; :class:`AccessDenied` for forged, expired or revoked ones."""
    user_id, nonce, expiry = _nonce(gov, token)
    now = gov.now()
    if now.timestamp() >= expiry:
        raise AccessDenied("the session has expired", fix=_LOGIN_FIX)
    with gov.engine.connect() as connection:
        row = connection.execute(
            select(sessions.c.user_id, sessions.c.expires_at, sessions.c.revoked_at, users.c.username,
                   users.c.role, users.c.disabled)
            .join(users, users.c.id == sessions.c.user_id).where(sessions.c.nonce == nonce)
        ).first()
    if row is None or row.user_id != user_id:
        raise AccessDenied("the session is unknown to this deployment", fix=_LOGIN_FIX)
    if row.revoked_at is not None:
        raise AccessDenied("the session was ended by logout; the token can no longer be used", fix=_LOGIN_FIX)
    if now >= as_utc(row.expires_at) or now < as_utc(row.expires_at) - gov.session_ttl - timedelta(minutes=5):
        # The second case is a clock set back before the session was issued.
        raise AccessDenied("the session has expired or the clock is wrong", fix=_LOGIN_FIX)
    if row.disabled:
        raise AccessDenied(f"the account {row.username} is disabled", fix="ask an administrator")
    return Actor(row.username, row.role)


def logout(gov: Governance, token: str) -> None:
    actor = authenticate(gov, token)
    _user_id, nonce, _expiry = _nonce(gov, token)
    with gov.transaction() as (connection, now):
        connection.execute(update(sessions).where(sessions.c.nonce == nonce).values(revoked_at=now))
        gov.log(connection, SignedOut(), actor.username, now)
